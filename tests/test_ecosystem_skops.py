"""Safe persistence with skops: real files, loaded with an explicit trusted list.

Training on after loading, and dropping callbacks, are tested for every format (skops
included) in test_reliability_persistence.py.
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import SKOPS_TRUSTED_TYPES, TinyMLPClassifier

sio = pytest.importorskip("skops.io")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

CLASSIFIER = "sklearn_tinymlp._classifier.TinyMLPClassifier"
SGD = "sklearn_tinymlp._optimizers.SGDOptimizer"
ADAM = "sklearn_tinymlp._optimizers.AdamOptimizer"
STATE = "sklearn_tinymlp._training.TrainingState"
REGRESSOR = "sklearn_tinymlp._regressor.TinyMLPRegressor"


@pytest.fixture
def data():
    return make_classification(150, 5, n_informative=3, n_classes=3, random_state=0)


def test_trusted_list_is_exactly_the_documented_one():
    assert SKOPS_TRUSTED_TYPES == [CLASSIFIER, STATE, SGD, ADAM, REGRESSOR]


@pytest.mark.parametrize(
    "solver, expected_untrusted",
    [
        ("adam", [CLASSIFIER, STATE, ADAM]),
        ("sgd", [CLASSIFIER, STATE, SGD]),
        ("lbfgs", [CLASSIFIER, STATE]),
    ],
)
@pytest.mark.parametrize("in_pipeline", [False, True])
def test_round_trip(tmp_path, data, solver, expected_untrusted, in_pipeline):
    X, y = data
    model = TinyMLPClassifier((6,), solver=solver, max_iter=20, random_state=0)
    if in_pipeline:
        model = make_pipeline(StandardScaler(), model)
    model.fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(model, path)

    assert sorted(sio.get_untrusted_types(file=path)) == sorted(expected_untrusted)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="TinyMLPClassifier"):
        sio.load(path)

    loaded = sio.load(path, trusted=SKOPS_TRUSTED_TYPES)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    clf, loaded_clf = (model[-1], loaded[-1]) if in_pipeline else (model, loaded)
    for a, b in zip(clf.coefs_ + clf.intercepts_, loaded_clf.coefs_ + loaded_clf.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert loaded_clf.loss_curve_ == clf.loss_curve_
    np.testing.assert_array_equal(loaded_clf.classes_, clf.classes_)
    assert loaded_clf.get_params() == clf.get_params()


def test_string_and_multilabel_targets_round_trip(tmp_path, data):
    X, y = data
    for target in (np.array(["ant", "bee", "cat"])[y], np.c_[y == 0, y == 1, y == 2].astype(int)):
        model = TinyMLPClassifier((4,), max_iter=10, random_state=0).fit(X, target)
        path = tmp_path / "model.skops"
        sio.dump(model, path)
        loaded = sio.load(path, trusted=SKOPS_TRUSTED_TYPES)
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
        np.testing.assert_array_equal(loaded.classes_, model.classes_)
