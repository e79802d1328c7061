"""Dropout: inverted, on the hidden units, while training only."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from sklearn_tinymlp import TinyMLPClassifier, _network

X, y = load_digits(return_X_y=True)
X = X / 16.0


def fit(**params):
    common = dict(hidden_layer_sizes=(32, 16), max_iter=5, random_state=0, learning_rate_init=0.01)
    with pytest.warns(Warning):  # not converged in 5 epochs
        return TinyMLPClassifier(**{**common, **params}).fit(X, y)


def weights(clf):
    return np.concatenate([w.ravel() for w in clf.coefs_ + clf.intercepts_])


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_fixed_random_state_reproduces_a_dropout_fit_exactly(solver):
    first, second = fit(solver=solver, dropout=0.3), fit(solver=solver, dropout=0.3)
    np.testing.assert_array_equal(weights(first), weights(second))
    assert first.loss_curve_ == second.loss_curve_
    other_seed = fit(solver=solver, dropout=0.3, random_state=1)
    assert not np.array_equal(weights(first)[:50], weights(other_seed)[:50])


def test_dropout_changes_training_and_zero_dropout_draws_no_masks(monkeypatch):
    with_dropout = fit(dropout=0.5)
    drawn = []
    original = _network.Objective._dropout_masks

    def recording(self, like):
        masks = original(self, like)
        drawn.append(masks)
        return masks

    monkeypatch.setattr(_network.Objective, "_dropout_masks", recording)
    without = fit(dropout=0.0)
    assert drawn and all(masks is None for masks in drawn)
    assert not np.allclose(weights(with_dropout), weights(without))
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


def test_prediction_is_deterministic_and_uses_every_unit():
    clf = fit(dropout=0.2, activation="relu", max_iter=30)
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(proba, clf.predict_proba(X))
    logits = _network.forward(X, clf.coefs_, clf.intercepts_, clf.activation)[-1]
    np.testing.assert_allclose(proba, np.exp(logits) / np.exp(logits).sum(1, keepdims=True))
    assert clf.score(X, y) > 0.8
