"""Safe persistence with skops: real files, loaded with an explicit trusted list.

Training on after loading, and dropping callbacks, are tested for every format (skops
included) in test_reliability_persistence.py.
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import SKOPS_TRUSTED_TYPES, TinyMLPClassifier, TinyMLPRegressor

from helpers import assert_same_weights, outputs, quiet_convergence

sio = pytest.importorskip("skops.io")

pytestmark = quiet_convergence

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
    "solver, optimizers",
    [("adam", [ADAM]), ("sgd", [SGD]), ("lbfgs", [])],
    ids=["adam", "sgd", "lbfgs"],
)
@pytest.mark.parametrize("in_pipeline", [False, True])
def test_round_trip(Estimator, Xy, tmp_path, solver, optimizers, in_pipeline):
    X, y = Xy
    model = Estimator(hidden_layer_sizes=(6,), solver=solver, max_iter=20, random_state=0)
    if in_pipeline:
        model = make_pipeline(StandardScaler(), model)
    model.fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(model, path)

    estimator = {TinyMLPClassifier: CLASSIFIER, TinyMLPRegressor: REGRESSOR}[Estimator]
    assert sorted(sio.get_untrusted_types(file=path)) == sorted([estimator, STATE, *optimizers])
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match=Estimator.__name__):
        sio.load(path)

    loaded = sio.load(path, trusted=SKOPS_TRUSTED_TYPES)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(outputs(loaded, X), outputs(model, X))
    fitted, loaded_fitted = (model[-1], loaded[-1]) if in_pipeline else (model, loaded)
    assert_same_weights(loaded_fitted, fitted)
    assert loaded_fitted.loss_curve_ == fitted.loss_curve_
    assert loaded_fitted.get_params() == fitted.get_params()


def test_string_and_multilabel_targets_round_trip(tmp_path, data):
    X, y = data
    for target in (np.array(["ant", "bee", "cat"])[y], np.c_[y == 0, y == 1, y == 2].astype(int)):
        model = TinyMLPClassifier((4,), max_iter=10, random_state=0).fit(X, target)
        path = tmp_path / "model.skops"
        sio.dump(model, path)
        loaded = sio.load(path, trusted=SKOPS_TRUSTED_TYPES)
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
        np.testing.assert_array_equal(loaded.classes_, model.classes_)
