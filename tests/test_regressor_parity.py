"""TinyMLPRegressor side by side with scikit-learn's MLPRegressor, compared by value.

Both estimators fit the same data with the same seed and parameters, for
``loss`` in {'squared_error', 'poisson'} (MLPRegressor's two), every solver,
single- and multi-output y: the fitted attributes must be equal within 1e-6 (the
same initial weights and update rules give the same losses up to rounding),
predictions too. As in ``test_mlp_parity.py`` (the classifier's), ``'lbfgs'``
runs 20 iterations: L-BFGS amplifies rounding differences over longer runs.
``MLPRegressor`` has no ``loss_curve_`` and ``best_loss_`` with ``'lbfgs'``
(a difference of the migrating table, checked for both estimators there).
"""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.datasets import make_regression
from sklearn.neural_network import MLPRegressor
from sklearn.utils.fixes import parse_version

from sklearn_tinymlp import TinyMLPRegressor

from helpers import (
    NEVER_CONVERGES,
    PARITY,
    assert_same_predictions,
    assert_same_structure,
    assert_same_training,
    assert_same_weights,
    fit_both,
    quiet_convergence,
)

pytestmark = [
    pytest.mark.skipif(
        parse_version(sklearn.__version__) < parse_version("1.7"),
        reason="MLPRegressor has its loss parameter (and loss='poisson') from scikit-learn 1.7",
    ),
    quiet_convergence,
]

_X, _Y = make_regression(120, 6, n_targets=2, noise=1.0, random_state=0)
X = (_X - _X.mean(axis=0)) / _X.std(axis=0)
Y_SQUARED = _Y / _Y.std(axis=0)
Y_COUNTS = np.random.RandomState(0).poisson(np.exp(0.4 * X[:, :2])).astype(float)
TARGETS = {"squared_error": Y_SQUARED, "poisson": Y_COUNTS}
LOSSES = list(TARGETS)
SOLVERS = ["lbfgs", "sgd", "adam"]
PAIR = (MLPRegressor, TinyMLPRegressor)  # for fit_both
RTOL = 1e-6


def _target(loss, n_outputs):
    y = TARGETS[loss]
    return y[:, 0] if n_outputs == 1 else y


@pytest.mark.parametrize("n_outputs", [1, 2], ids=["single-output", "multi-output"])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("loss", LOSSES)
def test_fit_equals_mlpregressor(loss, solver, n_outputs):
    y = _target(loss, n_outputs)
    max_iter = 20 if solver == "lbfgs" else 300
    ref, ours = fit_both(*PAIR, X, y, loss=loss, solver=solver, max_iter=max_iter)
    assert_same_structure(ref, ours)
    assert ours.out_activation_ == ("exp" if loss == "poisson" else "identity")
    assert ours.n_outputs_ == n_outputs and ours.n_layers_ == 4
    assert ours.n_iter_ == ref.n_iter_
    assert ours.t_ == ref.t_
    assert_same_training(ref, ours, RTOL)
    assert_same_predictions(ref, ours, X, RTOL)
    if solver != "lbfgs":
        assert len(ours.loss_curve_) == ref.n_iter_
        assert_allclose(ours.best_loss_, ref.best_loss_, rtol=RTOL)
    for name in ("validation_scores_", "best_validation_score_"):
        assert getattr(ref, name, None) is None
        assert getattr(ours, name) is None


def test_lbfgs_fit_stopped_by_tol_equals_mlpregressor():
    # The 20-iteration cases above all run max_iter; this one stops on tol.
    ref, ours = fit_both(*PAIR, X, Y_SQUARED, solver="lbfgs", max_iter=200, tol=1e-2)
    assert ours.n_iter_ == ref.n_iter_ < 200
    assert_same_training(ref, ours, RTOL)
    assert_same_predictions(ref, ours, X, RTOL)


def test_the_stochastic_cases_include_both_stopping_rules():
    """The cases above compare fits stopped by tol and fits that ran max_iter."""
    n_iters = [
        MLPRegressor(**PARITY, loss=loss, solver=solver, max_iter=300).fit(X, y).n_iter_
        for solver in ("sgd", "adam")
        for loss in LOSSES
        for y in (TARGETS[loss][:, 0], TARGETS[loss])
    ]
    assert min(n_iters) < 300
    assert max(n_iters) == 300


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("loss", LOSSES)
def test_minibatch_fit_equals_mlpregressor(loss, solver, shuffle):
    # The cases above train on batches of 120 rows, a full batch: here the order matters.
    y = TARGETS[loss]
    params = dict(loss=loss, solver=solver, batch_size=16, shuffle=shuffle, max_iter=5)
    ref, ours = fit_both(*PAIR, X, y, **params)
    assert ours.t_ == ref.t_
    assert_same_training(ref, ours, RTOL)


def test_float32_fit_equals_mlpregressor():
    X32, y32 = X.astype(np.float32), Y_SQUARED.astype(np.float32)
    ref, ours = fit_both(*PAIR, X32, y32, solver="adam", max_iter=50)
    assert_same_structure(ref, ours)
    assert ours.predict(X32).dtype == ref.predict(X32).dtype == np.float32
    assert_same_weights(ref, ours, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("n_outputs", [1, 2], ids=["single-output", "multi-output"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("loss", LOSSES)
def test_early_stopping_attributes_equal_mlpregressor(loss, solver, n_outputs):
    # The default score differs (the validation loss here, R² in MLPRegressor: see the
    # migrating table), so the validation scores differ; their lengths, the counters and
    # which attributes are None do not.
    y = _target(loss, n_outputs)
    params = dict(loss=loss, solver=solver, early_stopping=True, max_iter=15, **NEVER_CONVERGES)
    ref, ours = fit_both(*PAIR, X, y, **params)
    assert_same_structure(ref, ours)
    assert ours.n_iter_ == ref.n_iter_ == 15
    assert ours.t_ == ref.t_ == 15 * 108  # the same number of training rows per epoch
    for est in (ref, ours):
        assert est.best_loss_ is None
        assert len(est.loss_curve_) == len(est.validation_scores_) == 15
        assert isinstance(est.validation_scores_, list)
        assert isinstance(est.best_validation_score_, float)
        assert est.best_validation_score_ == max(est.validation_scores_)
    assert len(ours.validation_loss_curve_) == 15


def test_early_stopping_with_r2_scores_like_mlpregressor():
    """With scoring='r2', the validation scores are MLPRegressor's R² of the held-out rows."""
    params = dict(solver="adam", early_stopping=True, max_iter=15, **NEVER_CONVERGES)
    ref = MLPRegressor(**PARITY, **params).fit(X, Y_SQUARED)
    ours = TinyMLPRegressor(**PARITY, scoring="r2", **params).fit(X, Y_SQUARED)
    # The held-out rows differ (another split), so the scores are close, not equal.
    assert max(abs(a - b) for a, b in zip(ours.validation_scores_, ref.validation_scores_)) < 0.2
    assert all(-1 < s <= 1 for s in ours.validation_scores_)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("loss", LOSSES)
def test_partial_fit_sequence_equals_mlpregressor(loss, solver):
    y = TARGETS[loss]
    ref = MLPRegressor(**PARITY, loss=loss, solver=solver)
    ours = TinyMLPRegressor(**PARITY, loss=loss, solver=solver)
    for call in range(4):
        for est in (ref, ours):
            est.partial_fit(X, y)
        assert_same_structure(ref, ours)
        assert ours.t_ == ref.t_ == (call + 1) * X.shape[0]
        assert_allclose(ours.best_loss_, ref.best_loss_, rtol=RTOL)
        assert_same_training(ref, ours, RTOL)
    assert_same_predictions(ref, ours, X, RTOL)


@pytest.mark.parametrize("solver", SOLVERS)
def test_warm_start_sequence_equals_mlpregressor(solver):
    params = dict(solver=solver, warm_start=True, **NEVER_CONVERGES)
    ref, ours = MLPRegressor(**PARITY, **params), TinyMLPRegressor(**PARITY, **params)
    for max_iter in (5, 5, 3):
        for est in (ref, ours):
            est.set_params(max_iter=max_iter).fit(X, Y_SQUARED)
        assert ours.n_iter_ == ref.n_iter_ == max_iter
        assert ours.t_ == ref.t_
        assert_same_training(ref, ours, RTOL)
    if solver != "lbfgs":
        assert len(ours.loss_curve_) == len(ref.loss_curve_) == 13


def test_predict_and_score_equal_mlpregressor_on_new_rows():
    X_new = np.random.RandomState(1).normal(size=(30, 6))
    ref, ours = fit_both(*PAIR, X, Y_COUNTS[:, 0], loss="poisson", solver="adam", max_iter=100)
    assert_same_predictions(ref, ours, X_new, RTOL)
    y_new = Y_COUNTS[:30, 0]
    assert_allclose(ours.score(X_new, y_new), ref.score(X_new, y_new), rtol=RTOL)
    assert (ours.predict(X_new) > 0).all()  # the exp head
