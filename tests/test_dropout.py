"""Dropout: inverted, on the hidden units, while training only; for both estimators."""

import copy

import numpy as np
import pytest

from sklearn_tinymlp import _network

from helpers import assert_same_weights, outputs, quiet_convergence

pytestmark = quiet_convergence


def fit(Estimator, X, y, **params):
    common = dict(hidden_layer_sizes=(32, 16), solver="adam", learning_rate_init=0.01)
    common.update(max_iter=5, tol=0.0, early_stopping=False, random_state=0)
    return Estimator(**{**common, **params}).fit(X, y)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_fixed_random_state_reproduces_a_dropout_fit_exactly(Estimator, Xy, solver):
    first, second = (fit(Estimator, *Xy, solver=solver, dropout=0.3) for _ in range(2))
    assert_same_weights(first, second)
    assert first.loss_curve_ == second.loss_curve_
    other_seed = fit(Estimator, *Xy, solver=solver, dropout=0.3, random_state=1)
    assert not np.array_equal(first.coefs_[0], other_seed.coefs_[0])


def test_dropout_changes_training_and_zero_dropout_draws_no_masks(Estimator, Xy, monkeypatch):
    with_dropout = fit(Estimator, *Xy, dropout=0.5)
    drawn = []
    original = _network.Objective._dropout_masks

    def recording(self, like):
        masks = original(self, like)
        drawn.append(masks)
        return masks

    monkeypatch.setattr(_network.Objective, "_dropout_masks", recording)
    without = fit(Estimator, *Xy, dropout=0.0)
    assert drawn and all(masks is None for masks in drawn)
    assert not np.allclose(with_dropout.coefs_[0], without.coefs_[0])
    # The training loss is that of the thinned networks, higher than the full network's.
    assert with_dropout.loss_curve_[-1] > without.loss_curve_[-1]


def test_masks_drop_about_p_of_the_hidden_units_and_scale_the_rest():
    objective = _network.Objective(
        np.zeros(10),
        [2, 3],
        "relu",
        "softmax",
        0.0,
        dropout=0.25,
        random_state=np.random.RandomState(0),
    )
    (mask,) = objective._dropout_masks([np.empty((4000, 50))])
    assert set(np.unique(mask)) == {0.0, 1 / 0.75}
    assert np.mean(mask == 0) == pytest.approx(0.25, abs=0.01)


def test_prediction_uses_every_unit_and_learns(Estimator, Xy):
    X, y = Xy
    model = fit(Estimator, X, y, dropout=0.2, activation="relu", max_iter=30)
    # The same weights without dropout predict the same: no unit is dropped or rescaled.
    full_network = copy.deepcopy(model).set_params(dropout=0.0)
    np.testing.assert_array_equal(outputs(model, X), outputs(full_network, X))
    assert model.score(X, y) > 0.8
