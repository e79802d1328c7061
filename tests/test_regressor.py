"""TinyMLPRegressor's own behaviour: its losses and its number of outputs.

What equals ``MLPRegressor`` is in ``test_regressor_parity.py``. What the regressor shares with
the classifier (weights, partial_fit, warm start, early stopping, callbacks, dropout,
activations, float32, sparse and data-frame input, routing, persistence, bad input) is tested
once for both, in the files of those topics.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_regression
from sklearn.exceptions import DataConversionWarning
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPRegressor

from helpers import assert_same_weights, quiet_convergence, weights

pytestmark = quiet_convergence

_X, _Y = make_regression(150, 5, n_targets=2, noise=5.0, random_state=0)
X = StandardScaler().fit_transform(_X)
Y = _Y / _Y.std(axis=0)
y = Y[:, 0]
SMALL = dict(hidden_layer_sizes=(8,), random_state=0)


# --------------------------------------------------------------------- the losses


def _heteroscedastic(n, seed):
    """y = sin(2x) + noise whose spread grows with x, on x in [0, 4]."""
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 4, size=n)
    return x[:, np.newaxis], np.sin(2 * x) + rng.normal(scale=0.1 + 0.4 * x)


QUANTILE_SOLVERS = {
    "adam": dict(solver="adam", learning_rate_init=0.01, tol=1e-6, n_iter_no_change=20),
    "lbfgs": dict(solver="lbfgs", tol=1e-6),
}


@pytest.mark.parametrize("solver", QUANTILE_SOLVERS)
def test_quantile_models_cover_their_share_of_held_out_targets(solver):
    X_train, y_train = _heteroscedastic(2000, seed=0)
    X_test, y_test = _heteroscedastic(1000, seed=1)
    params = dict(hidden_layer_sizes=(32,), max_iter=300, random_state=0)
    coverage, predictions = {}, {}
    for q in (0.1, 0.9):
        model = TinyMLPRegressor(loss="quantile", quantile=q, **params, **QUANTILE_SOLVERS[solver])
        predictions[q] = model.fit(X_train, y_train).predict(X_test)
        coverage[q] = np.mean(y_test <= predictions[q])
    # Measured: adam 0.084 and 0.886, lbfgs 0.093 and 0.879.
    assert abs(coverage[0.1] - 0.1) <= 0.05, coverage
    assert abs(coverage[0.9] - 0.9) <= 0.05, coverage
    # The interval widens where the noise does.
    width = predictions[0.9] - predictions[0.1]
    x = X_test[:, 0]
    assert width[x > 3].mean() > 2 * width[x < 1].mean()


def test_absolute_error_fits_the_median_and_squared_error_the_mean():
    # Exponential noise: its mean is 1, its median log 2.
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, size=(2000, 1))
    y_skewed = 2 * x[:, 0] + rng.exponential(size=2000)
    params = dict(
        hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=200, early_stopping=False,
        random_state=0,
    )  # fmt: skip
    median = TinyMLPRegressor(loss="absolute_error", **params).fit(x, y_skewed)
    mean = TinyMLPRegressor(loss="squared_error", **params).fit(x, y_skewed)
    grid = np.linspace(-0.9, 0.9, 50)[:, np.newaxis]
    # The offsets from 2x, averaged over the grid (measured: 0.651 and 0.992).
    assert np.mean(median.predict(grid) - 2 * grid[:, 0]) == pytest.approx(np.log(2), abs=0.05)
    assert np.mean(mean.predict(grid) - 2 * grid[:, 0]) == pytest.approx(1.0, abs=0.05)
    assert abs(np.mean(y_skewed <= median.predict(x)) - 0.5) < 0.03


@pytest.mark.parametrize("loss", ["absolute_error", "quantile"])
def test_robust_losses_fit_multi_output_targets(loss):
    quantile = 0.5 if loss == "quantile" else None
    model = TinyMLPRegressor(loss=loss, quantile=quantile, solver="lbfgs", **SMALL).fit(X, Y)
    assert model.predict(X).shape == Y.shape
    assert model.out_activation_ == "identity" and model.n_outputs_ == 2
    assert model.score(X, Y) > 0.8


def test_poisson_predicts_positive_means():
    counts = np.random.RandomState(0).poisson(np.exp(0.5 * X[:, 0]))
    model = TinyMLPRegressor(loss="poisson", solver="lbfgs", **SMALL).fit(X, counts)
    assert model.out_activation_ == "exp"
    predicted = model.predict(X)
    assert (predicted > 0).all()
    assert_allclose(predicted.mean(), counts.mean(), rtol=0.05)


# ------------------------------------------------------------------------ outputs


@pytest.mark.parametrize("call", ["warm_start", "partial_fit"])
def test_another_number_of_outputs_is_refused_when_training_continues(call):
    model = TinyMLPRegressor(max_iter=5, warm_start=True, **SMALL).fit(X, Y)
    before = weights(model)
    message = r"y has 1 output\(s\), but the model was fitted on 2; continuing training needs"
    with pytest.raises(ValueError, match=message):
        model.fit(X, y) if call == "warm_start" else model.partial_fit(X, y)
    assert_same_weights(model, before)
    model.set_params(warm_start=False).fit(X, y)  # the message's advice works
    assert model.n_outputs_ == 1


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_a_prediction_is_never_nan(loss):
    model = TinyMLPRegressor(loss=loss, max_iter=5, **SMALL)
    model.fit(X, np.abs(y) if loss == "poisson" else y)
    huge = np.full((2, X.shape[1]), np.finfo(np.float64).max)
    with pytest.raises(ValueError, match="output overflowed to inf or NaN for 2 row"):
        model.predict(huge)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.predict(np.full((2, X.shape[1]), np.nan))


def test_a_validation_set_of_another_shape_is_refused():
    model = TinyMLPRegressor(early_stopping=True, max_iter=3, **SMALL)
    message = r"y_val has shape \(150,\), but X_val has 150 rows and y 2 output\(s\); give one"
    with pytest.raises(ValueError, match=message):
        model.fit(X, Y, X_val=X, y_val=y)
    with pytest.raises(ValueError, match=r"y_val has shape \(149,\), but X_val has 150 rows"):
        model.fit(X, y, X_val=X, y_val=y[:-1])
    assert not hasattr(model, "coefs_")  # refused before training


def test_a_column_vector_y_warns_and_fits_one_output():
    with pytest.warns(DataConversionWarning, match="A column-vector y was passed"):
        model = TinyMLPRegressor(max_iter=3, **SMALL).fit(X, y[:, np.newaxis])
    assert model.n_outputs_ == 1 and model.predict(X).shape == (150,)
