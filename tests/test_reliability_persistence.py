"""Saving and loading: pickle, joblib and skops give the same predictions; versions are checked."""

import pickle
import warnings

import joblib
import numpy as np
import pytest

import sklearn_tinymlp
from sklearn_tinymlp import TinyMLPClassifier, _classifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.RandomState(0)
X = RNG.standard_normal((60, 4))
y = np.array(["ham", "spam", "eggs"])[RNG.randint(0, 3, 60)]

SOLVERS = ["adam", "sgd", "lbfgs"]

#: This package's types in a saved model; everything else is scikit-learn's or numpy's.
TRUSTED = [
    "sklearn_tinymlp._classifier.TinyMLPClassifier",
    "sklearn_tinymlp._optimizers.AdamOptimizer",
    "sklearn_tinymlp._optimizers.SGDOptimizer",
]


def fitted(solver):
    return TinyMLPClassifier((5,), solver=solver, max_iter=20, random_state=0).fit(X, y)


def assert_same_model(loaded, original):
    assert type(loaded) is TinyMLPClassifier
    np.testing.assert_array_equal(loaded.predict(X), original.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), original.predict_proba(X))
    np.testing.assert_array_equal(loaded.classes_, original.classes_)
    for a, b in zip(loaded.coefs_ + loaded.intercepts_, original.coefs_ + original.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert loaded.get_params() == original.get_params()


@pytest.mark.parametrize("solver", SOLVERS)
def test_pickle_round_trip(solver):
    clf = fitted(solver)
    assert_same_model(pickle.loads(pickle.dumps(clf)), clf)


@pytest.mark.parametrize("solver", SOLVERS)
def test_joblib_round_trip(solver, tmp_path):
    clf = fitted(solver)
    path = tmp_path / "model.joblib"
    joblib.dump(clf, path)
    assert_same_model(joblib.load(path), clf)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_loaded_model_continues_training_like_the_original(solver):
    clf = fitted(solver)
    loaded = pickle.loads(pickle.dumps(clf))
    clf.partial_fit(X, y)
    loaded.partial_fit(X, y)
    assert_same_model(loaded, clf)


def test_callbacks_are_dropped_but_the_model_is_kept():
    clf = TinyMLPClassifier((3,), max_iter=3, random_state=0, callbacks=[lambda est, info: None])
    clf.fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    assert loaded.callbacks is None
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("solver", SOLVERS)
def test_skops_round_trip_with_explicit_trusted_types(solver):
    sio = pytest.importorskip("skops.io")
    clf = fitted(solver)
    data = sio.dumps(clf)
    # The only types skops does not trust by itself are this package's own.
    assert set(sio.get_untrusted_types(data=data)) <= set(TRUSTED)
    assert_same_model(sio.loads(data, trusted=TRUSTED), clf)


def test_skops_refuses_to_load_without_trusting_the_package_types():
    sio = pytest.importorskip("skops.io")
    from skops.io.exceptions import UntrustedTypesFoundException

    with pytest.raises(UntrustedTypesFoundException, match="TinyMLPClassifier"):
        sio.loads(sio.dumps(fitted("adam")))


# --- versions -------------------------------------------------------------------


def test_saved_state_records_package_version_and_format():
    state = fitted("lbfgs").__getstate__()
    assert state["_tinymlp_version"] == sklearn_tinymlp.__version__
    assert state["_tinymlp_state_format"] == _classifier._STATE_FORMAT
    # ... and loading does not leave the markers on the model.
    loaded = pickle.loads(pickle.dumps(fitted("lbfgs")))
    assert "_tinymlp_version" not in vars(loaded)
    assert "_tinymlp_state_format" not in vars(loaded)


def _saved_by(monkeypatch, version=None, state_format=None):
    """Pickle a fitted model as a release with another version or format would."""
    clf = fitted("adam")
    with monkeypatch.context() as patch:
        if version is not None:
            patch.setattr(sklearn_tinymlp, "__version__", version)
        if state_format is not None:
            patch.setattr(_classifier, "_STATE_FORMAT", state_format)
        return clf, pickle.dumps(clf)


def test_same_version_loads_silently(monkeypatch):
    clf, data = _saved_by(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same_model(pickle.loads(data), clf)


def test_other_version_with_same_format_loads_with_a_warning(monkeypatch):
    clf, data = _saved_by(monkeypatch, version="0.0.1")
    with pytest.warns(
        UserWarning,
        match=rf"saved by sklearn-tinymlp 0\.0\.1 and is loaded by sklearn-tinymlp "
        rf"{sklearn_tinymlp.__version__}; the model format is the same",
    ):
        loaded = pickle.loads(data)
    assert_same_model(loaded, clf)


def test_other_format_fails_with_a_message_naming_both_versions(monkeypatch):
    current = _classifier._STATE_FORMAT
    _, data = _saved_by(monkeypatch, version="9.0.0", state_format=current + 1)
    with pytest.raises(
        ValueError,
        match=rf"saved by sklearn-tinymlp 9\.0\.0 \(model format {current + 1}\) and cannot be "
        rf"loaded by sklearn-tinymlp {sklearn_tinymlp.__version__} \(model format {current}\)",
    ):
        pickle.loads(data)


def test_other_format_fails_through_joblib_and_skops_too(monkeypatch, tmp_path):
    clf = fitted("adam")
    path = tmp_path / "model.joblib"
    with monkeypatch.context() as patch:
        patch.setattr(_classifier, "_STATE_FORMAT", _classifier._STATE_FORMAT + 1)
        joblib.dump(clf, path)
    with pytest.raises(ValueError, match="cannot be loaded by sklearn-tinymlp"):
        joblib.load(path)

    sio = pytest.importorskip("skops.io")
    with monkeypatch.context() as patch:
        patch.setattr(_classifier, "_STATE_FORMAT", _classifier._STATE_FORMAT + 1)
        data = sio.dumps(clf)
    with pytest.raises(ValueError, match="cannot be loaded by sklearn-tinymlp"):
        sio.loads(data, trusted=TRUSTED)


def test_state_saved_before_versions_were_recorded_still_loads():
    clf = fitted("sgd")
    state = clf.__getstate__()
    del state["_tinymlp_version"], state["_tinymlp_state_format"]
    restored = TinyMLPClassifier.__new__(TinyMLPClassifier)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restored.__setstate__(state)
    assert_same_model(restored, clf)
