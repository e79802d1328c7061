"""Saving and loading: pickle, joblib and skops give the same model, which trains on as the
original would; callbacks are not saved; versions are checked.

The skops round trip itself, with its list of trusted types, is in test_ecosystem_skops.py.
"""

import importlib.util
import pickle
import warnings

import joblib
import numpy as np
import pytest

import sklearn_tinymlp
from sklearn_tinymlp import SKOPS_TRUSTED_TYPES, TinyMLPClassifier, _persistence

from helpers import assert_same_weights, outputs, quiet_convergence

pytestmark = quiet_convergence

RNG = np.random.RandomState(0)
X = RNG.standard_normal((60, 4))
y = np.array(["ham", "spam", "eggs"])[RNG.randint(0, 3, 60)]

SOLVERS = ["adam", "sgd", "lbfgs"]
needs_skops = pytest.mark.skipif(
    importlib.util.find_spec("skops") is None, reason="skops is not installed (the skops extra)"
)
FORMATS = ["pickle", "joblib", pytest.param("skops", marks=needs_skops)]


def fitted(solver):
    return TinyMLPClassifier((5,), solver=solver, max_iter=20, random_state=0).fit(X, y)


def saved_and_loaded(model, file_format, tmp_path):
    """``model`` written in ``file_format`` and read back."""
    if file_format == "pickle":
        return pickle.loads(pickle.dumps(model))
    path = tmp_path / f"model.{file_format}"
    if file_format == "joblib":
        joblib.dump(model, path)
        return joblib.load(path)
    import skops.io as sio

    sio.dump(model, path)
    return sio.load(path, trusted=SKOPS_TRUSTED_TYPES)


def assert_same_model(loaded, original, X=X):
    assert type(loaded) is type(original)
    np.testing.assert_array_equal(loaded.predict(X), original.predict(X))
    np.testing.assert_array_equal(outputs(loaded, X), outputs(original, X))
    if hasattr(original, "classes_"):
        np.testing.assert_array_equal(loaded.classes_, original.classes_)
    assert_same_weights(loaded, original)
    assert loaded.loss_curve_ == original.loss_curve_
    assert loaded.get_params() == original.get_params()


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("file_format", ["pickle", "joblib"])
def test_round_trip(Estimator, Xy, file_format, solver, tmp_path):
    X, y = Xy
    model = Estimator(hidden_layer_sizes=(5,), solver=solver, max_iter=20, random_state=0)
    model.fit(X, y)
    assert_same_model(saved_and_loaded(model, file_format, tmp_path), model, X)


@pytest.mark.parametrize("batch_size", [1, 16])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("file_format", FORMATS)
def test_loaded_model_continues_training_like_the_original(
    Estimator, Xy, file_format, solver, batch_size, tmp_path
):
    """The weights, the optimizer's state (velocities, Adam's moments and step count) and the
    random state survive the file: training the loaded model on gives exactly what training
    the original on gives, by partial_fit and by a warm-started fit."""
    X, y = Xy
    model = Estimator(
        hidden_layer_sizes=(5,), solver=solver, batch_size=batch_size, max_iter=3, random_state=0
    ).fit(X, y)
    loaded = saved_and_loaded(model, file_format, tmp_path)
    for each in (model, loaded):
        if solver != "lbfgs":  # partial_fit is for the stochastic solvers only
            each.partial_fit(X, y)
            each.partial_fit(X[::2], y[::2])
        each.set_params(warm_start=True, max_iter=2).fit(X, y)
    assert_same_model(loaded, model, X)
    assert loaded.n_iter_ == model.n_iter_ and loaded.t_ == model.t_


@pytest.mark.parametrize("file_format", FORMATS)
def test_callbacks_are_dropped_but_the_model_is_kept(file_format, tmp_path):
    """Callbacks often hold lambdas, loggers or progress bars that cannot be saved: the
    saved model has none, and saving leaves the original's in place."""
    seen = []
    callbacks = [lambda estimator, info: seen.append(info["epoch"])]
    clf = TinyMLPClassifier((3,), max_iter=3, random_state=0, callbacks=callbacks).fit(X, y)
    loaded = saved_and_loaded(clf, file_format, tmp_path)
    assert loaded.callbacks is None
    assert clf.callbacks is callbacks
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    loaded.partial_fit(X, y)  # trains on without them
    assert seen == [1, 2, 3]


# --- versions -------------------------------------------------------------------


def test_saved_state_records_package_version_and_format():
    state = fitted("lbfgs").__getstate__()
    assert state["_tinymlp_version"] == sklearn_tinymlp.__version__
    assert state["_tinymlp_state_format"] == _persistence.STATE_FORMAT
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
            patch.setattr(_persistence, "STATE_FORMAT", state_format)
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
    current = _persistence.STATE_FORMAT
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
        patch.setattr(_persistence, "STATE_FORMAT", _persistence.STATE_FORMAT + 1)
        joblib.dump(clf, path)
    with pytest.raises(ValueError, match="cannot be loaded by sklearn-tinymlp"):
        joblib.load(path)

    sio = pytest.importorskip("skops.io")
    with monkeypatch.context() as patch:
        patch.setattr(_persistence, "STATE_FORMAT", _persistence.STATE_FORMAT + 1)
        data = sio.dumps(clf)
    with pytest.raises(ValueError, match="cannot be loaded by sklearn-tinymlp"):
        sio.loads(data, trusted=SKOPS_TRUSTED_TYPES)


def test_state_saved_before_versions_were_recorded_still_loads():
    clf = fitted("sgd")
    state = clf.__getstate__()
    del state["_tinymlp_version"], state["_tinymlp_state_format"]
    restored = TinyMLPClassifier.__new__(TinyMLPClassifier)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restored.__setstate__(state)
    assert_same_model(restored, clf)


def test_a_model_saved_by_0_1_loads_and_continues(iris):
    # 0.1 kept the training state in private attributes of the estimator; 0.2 keeps it in
    # one (_training_state). A 0.1 state is turned into the new one when loaded.
    X, y = iris
    clf = TinyMLPClassifier((4,), solver="adam", max_iter=3, random_state=0)
    clf.fit(X, y)
    state = clf.__getstate__()
    training = state.pop("_training_state")
    state.update(_optimizer=training.optimizer, _best_theta=None, _class_totals_seen=None)
    state.update(_no_improvement_count=training.no_improvement_count, _tinymlp_version="0.1.0")
    loaded = TinyMLPClassifier.__new__(TinyMLPClassifier)
    with pytest.warns(UserWarning, match="saved by sklearn-tinymlp 0.1.0"):
        loaded.__setstate__(state)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded._training_state.optimizer.t == training.optimizer.t
    loaded.partial_fit(X, y)  # continues from the 0.1 optimizer and curves
    assert len(loaded.loss_curve_) == 4
