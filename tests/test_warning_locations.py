"""Warnings raised while training point at the user's call of fit, not inside the package."""

import warnings

import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

from sklearn_tinymlp import TinyMLPClassifier, TinyMLPRegressor

X, y = load_iris(return_X_y=True)


def warnings_of(fit):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    return caught


@pytest.mark.parametrize(
    "Estimator, params, message",
    [
        (TinyMLPClassifier, dict(solver="adam", max_iter=2), "Maximum iterations"),
        (TinyMLPClassifier, dict(solver="sgd", max_iter=2), "Maximum iterations"),
        (TinyMLPClassifier, dict(solver="lbfgs", max_iter=2), "lbfgs stopped"),
        (TinyMLPRegressor, dict(solver="adam", max_iter=2), "Maximum iterations"),
        (TinyMLPClassifier, dict(learning_rate_init=10.0, max_iter=20), "worse than none"),
        (TinyMLPClassifier, dict(batch_size=1000, max_iter=2), "batch_size=1000"),
    ],
)
def test_training_warnings_point_at_the_fit_call(Estimator, params, message):
    model = Estimator(hidden_layer_sizes=(4,), random_state=0, **params)
    caught = warnings_of(lambda: model.fit(X, y))
    ours = [w for w in caught if message in str(w.message)]
    assert ours, [str(w.message) for w in caught]
    assert {w.filename for w in ours} == {__file__}


def test_a_convergence_warning_of_a_warm_start_points_at_its_fit_call():
    clf = TinyMLPClassifier((4,), max_iter=2, warm_start=True, random_state=0)
    warnings_of(lambda: clf.fit(X, y))
    caught = warnings_of(lambda: clf.fit(X, y))
    assert [w.filename for w in caught if w.category is ConvergenceWarning] == [__file__]
