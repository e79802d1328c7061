"""Every gradient of the backward pass against central finite differences."""

import numpy as np
import pytest

from sklearn_tinymlp._lbfgs import pack, unpack
from sklearn_tinymlp._network import (
    forward,
    init_params,
    log_loss,
    loss_and_gradients,
)

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]


def make_problem(target, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(9, 3))
    if target == "binary":
        Y = (rng.rand(9, 1) > 0.5).astype(float)
        out = "logistic"
    elif target == "multiclass":
        Y = np.eye(4)[rng.randint(0, 4, 9)]
        out = "softmax"
    else:  # multilabel
        Y = (rng.rand(9, 3) > 0.5).astype(float)
        out = "logistic"
    return X, Y, out


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_matches_central_finite_differences(activation, target, alpha, weighted):
    X, Y, out = make_problem(target)
    rng = np.random.RandomState(1)
    sample_weight = rng.uniform(0.1, 3.0, size=len(X)) if weighted else None
    coefs, intercepts = init_params([3, 5, 4, Y.shape[1]], activation, rng)
    # Make the weights large enough that every unit is in a curved regime.
    coefs = [2 * c for c in coefs]

    _, coef_grads, intercept_grads = loss_and_gradients(
        X, Y, coefs, intercepts, activation, out, alpha, sample_weight
    )
    analytic = pack(coef_grads, intercept_grads)

    theta = pack(coefs, intercepts)
    numeric = np.empty_like(theta)
    h = 1e-6

    def loss_at(t):
        unpack(t, coefs, intercepts)
        _, logits = forward(X, coefs, intercepts, activation, out)
        return log_loss(logits, Y, out, coefs, alpha, sample_weight)

    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = h
        numeric[i] = (loss_at(theta + step) - loss_at(theta - step)) / (2 * h)
    unpack(theta, coefs, intercepts)

    assert np.abs(analytic).max() > 1e-3  # a real gradient, not zeros
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_integer_sample_weights_equal_repeated_rows():
    X, Y, out = make_problem("multiclass")
    counts = np.array([0, 1, 2, 3, 1, 0, 2, 1, 1])
    coefs, intercepts = init_params([3, 5, 4], "tanh", np.random.RandomState(0))
    weighted = loss_and_gradients(X, Y, coefs, intercepts, "tanh", out, 0.2, counts.astype(float))
    repeated = loss_and_gradients(
        X.repeat(counts, axis=0), Y.repeat(counts, axis=0), coefs, intercepts, "tanh", out, 0.2
    )
    assert weighted[0] == pytest.approx(repeated[0], rel=1e-12)
    for a, b in zip(weighted[1] + weighted[2], repeated[1] + repeated[2]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def test_output_error_is_y_hat_minus_y_for_both_heads():
    """With W = 0 the prediction is σ(b) or softmax(b), and ∂L/∂b = mean(ŷ − y)."""
    X = np.ones((4, 2))
    for out, Y in [
        ("logistic", np.array([[1.0], [0.0], [1.0], [1.0]])),
        ("softmax", np.eye(3)[[0, 2, 1, 2]]),
    ]:
        b = np.linspace(-1, 1, Y.shape[1])
        _, _, intercept_grads = loss_and_gradients(
            X, Y, [np.zeros((2, Y.shape[1]))], [b.copy()], "logistic", out, 0.0
        )
        y_hat = 1 / (1 + np.exp(-b)) if out == "logistic" else np.exp(b) / np.exp(b).sum()
        np.testing.assert_allclose(intercept_grads[0], (y_hat - Y).mean(axis=0), atol=1e-15)
