"""Every gradient of the one backward pass against central finite differences."""

import numpy as np
import pytest
from scipy import sparse

from sklearn_tinymlp import _activations
from sklearn_tinymlp._network import (
    Layout,
    Objective,
    backward,
    data_loss,
    forward,
    init_params,
    output_error,
)

ACTIVATIONS = list(_activations.ACTIVATIONS)


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


def evaluate(objective, X, Y, sample_weight=None, rows=None):
    """The objective's loss on the rows ``rows`` (None: all) of X, its data bound first."""
    objective.bind(X, Y, sample_weight)
    return objective(rows).loss


def make_objective(layer_units, activation, out, alpha, seed=1, **kwargs):
    coefs, intercepts = init_params(layer_units, activation, np.random.RandomState(seed))
    theta = Layout(layer_units).flat_of(coefs, intercepts)
    theta *= 2  # weights large enough that every unit is in a curved regime
    return Objective(theta, layer_units, activation, out, alpha, **kwargs)


def loss_from_scratch(theta, layer_units, X, Y, activation, out, alpha, sample_weight):
    """The loss written out with forward and data_loss alone, for finite differences."""
    coefs, intercepts = Layout(layer_units).views(theta)
    logits = forward(X, coefs, intercepts, activation)[-1]
    S = len(X) if sample_weight is None else sample_weight.sum()
    penalty = 0.5 * alpha * sum(float((W**2).sum()) for W in coefs)
    return (data_loss(logits, Y, out, sample_weight) + penalty) / S


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_matches_central_finite_differences(activation, target, alpha, weighted):
    X, Y, out = make_problem(target)
    sample_weight = np.random.RandomState(2).uniform(0.1, 3.0, len(X)) if weighted else None
    units = [3, 5, 4, Y.shape[1]]
    objective = make_objective(units, activation, out, alpha)
    loss = evaluate(objective, X, Y, sample_weight)
    analytic = objective.grad.copy()

    theta = objective.theta.copy()
    assert loss == pytest.approx(
        loss_from_scratch(theta, units, X, Y, activation, out, alpha, sample_weight), rel=1e-12
    )
    numeric = np.empty_like(theta)
    h = 1e-6
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = h
        numeric[i] = (
            loss_from_scratch(theta + step, units, X, Y, activation, out, alpha, sample_weight)
            - loss_from_scratch(theta - step, units, X, Y, activation, out, alpha, sample_weight)
        ) / (2 * h)

    assert np.abs(analytic).max() > 1e-3  # a real gradient, not zeros
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("rows", ["all", "slice", "indices"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("input_format", ["dense", "csr", "float32"])
def test_chunks_of_a_batch_add_up_to_the_whole_batch(input_format, weighted, rows):
    """A batch split into chunks of 2 rows gives the loss and gradient of one pass over it."""
    X, Y, out = make_problem("multiclass")
    sample_weight = np.random.RandomState(2).uniform(0.1, 3.0, len(X)) if weighted else None
    selected = {"all": None, "slice": slice(1, 8), "indices": np.array([8, 0, 3, 3, 5, 1])}[rows]
    units = [3, 5, Y.shape[1]]
    dtype = np.float32 if input_format == "float32" else np.float64
    if input_format == "csr":
        X[np.abs(X) < 0.5] = 0
        X_in = sparse.csr_matrix(X)
    else:
        X_in = X.astype(dtype)
    theta = make_objective(units, "tanh", out, 0.1).theta.astype(dtype)
    whole = Objective(theta.copy(), units, "tanh", out, 0.1)
    chunked = Objective(theta.copy(), units, "tanh", out, 0.1, max_rows=2)
    sw = None if sample_weight is None else sample_weight.astype(dtype)
    rtol, atol = (1e-5, 1e-6) if dtype == np.float32 else (1e-10, 1e-13)
    loss = evaluate(whole, X_in, Y, sw, selected)
    assert evaluate(chunked, X_in, Y, sw, selected) == pytest.approx(loss, rel=rtol)
    np.testing.assert_allclose(chunked.grad, whole.grad, rtol=rtol, atol=atol)
    assert whole.grad.dtype == dtype

    # ... and both equal the gradient of X[rows] passed as a batch of its own.
    if selected is not None:
        X_in, Y, sw = X_in[selected], Y[selected], None if sw is None else sw[selected]
    alone = Objective(theta.copy(), units, "tanh", out, 0.1)
    assert evaluate(alone, X_in, Y, sw) == pytest.approx(loss, rel=rtol)
    np.testing.assert_allclose(alone.grad, whole.grad, rtol=rtol, atol=atol)


def test_output_error_is_y_hat_minus_y_for_both_heads():
    """With W = 0 the prediction is σ(b) or softmax(b), and ∂L/∂b = mean(ŷ − y)."""
    X = np.ones((4, 2))
    for out, Y in [
        ("logistic", np.array([[1.0], [0.0], [1.0], [1.0]])),
        ("softmax", np.eye(3)[[0, 2, 1, 2]]),
    ]:
        k = Y.shape[1]
        b = np.linspace(-1, 1, k)
        objective = Objective(np.concatenate([np.zeros(2 * k), b]), [2, k], "logistic", out, 0.0)
        evaluate(objective, X, Y)
        y_hat = 1 / (1 + np.exp(-b)) if out == "logistic" else np.exp(b) / np.exp(b).sum()
        np.testing.assert_allclose(objective.grad[2 * k :], (y_hat - Y).mean(axis=0), atol=1e-15)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dropout_gradient_with_a_fixed_mask_matches_finite_differences(activation):
    """The mask m enters the forward pass as m ⊙ f(z) and so the derivative as m ⊙ f'(z)."""
    X, Y, out = make_problem("multiclass")
    units = [3, 5, 4, Y.shape[1]]
    rng = np.random.RandomState(3)
    masks = [(rng.rand(len(X), u) < 0.6) / 0.6 for u in units[1:-1]]
    assert all((m == 0).any() for m in masks)  # some units are dropped
    theta = make_objective(units, activation, out, 0.0).theta.copy()
    layout = Layout(units)

    def train_forward(t):
        coefs, intercepts = layout.views(t)
        derivatives = [np.empty((len(X), u)) for u in units[1:-1]]
        return forward(X, coefs, intercepts, activation, None, derivatives, masks), derivatives

    activations, derivatives = train_forward(theta)
    _, delta = output_error(activations[-1], Y, out, None, len(X))
    grad = np.empty_like(theta)
    backward(activations, delta, layout.views(theta)[0], derivatives, *layout.views(grad))

    def loss_at(t):
        return data_loss(train_forward(t)[0][-1], Y, out) / len(X)

    h = 1e-6
    numeric = np.array(
        [(loss_at(theta + h * e) - loss_at(theta - h * e)) / (2 * h) for e in np.eye(theta.size)]
    )
    assert np.abs(grad).max() > 1e-3
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_activations_and_derivatives_are_finite_without_warnings_far_from_zero(activation, dtype):
    z = np.array([-1e3, -30.0, -1.0, 0.0, 1.0, 30.0, 1e3], dtype=dtype)
    function, derivative = _activations.ACTIVATIONS[activation]
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = function(z.copy())
        d = derivative(z.copy(), a, np.empty_like(z))
        d_in_place = z.copy()
        derivative(d_in_place, a, d_in_place)  # out may be z's own array
    assert a.dtype == d.dtype == dtype
    assert np.isfinite(a).all() and np.isfinite(d).all()
    np.testing.assert_array_equal(d_in_place, d)
    # f' against a central difference of f at moderate z
    z_mid = np.linspace(-3, 3, 13)
    z_mid = z_mid[np.abs(z_mid) > 1e-3]  # relu and leaky_relu have a kink at 0
    h = 1e-6
    numeric = (function(z_mid + h) - function(z_mid - h)) / (2 * h)
    analytic = derivative(z_mid.copy(), function(z_mid.copy()), np.empty_like(z_mid))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_input_chunks_by_hidden_width_and_matches_dense(monkeypatch, dtype):
    """A CSR X's width does not set the chunk size; its loss and gradient equal dense X's."""
    from sklearn_tinymlp import _network

    monkeypatch.setattr(_network, "CHUNK_ELEMENTS", 60)  # chunks: 60 // 5 rows, 60 // 40 dense
    rng = np.random.RandomState(0)
    X = sparse.random(30, 40, density=0.1, format="csr", random_state=rng, dtype=dtype)
    Y = np.eye(3)[rng.randint(0, 3, 30)].astype(dtype)
    units, rows = [40, 5, 3], rng.permutation(30)[:25]
    theta = make_objective(units, "tanh", "softmax", 0.1).theta.astype(dtype)
    on_csr = Objective(theta.copy(), units, "tanh", "softmax", 0.1, (X, Y, None))
    on_dense = Objective(theta.copy(), units, "tanh", "softmax", 0.1, (X.toarray(), Y, None))
    assert (on_csr.max_rows, on_dense.max_rows) == (12, 1)
    rtol, atol = (1e-5, 1e-6) if dtype == np.float32 else (1e-10, 1e-13)
    assert on_csr(rows).loss == pytest.approx(on_dense(rows).loss, rel=rtol)
    np.testing.assert_allclose(on_csr.grad, on_dense.grad, rtol=rtol, atol=atol)
    assert on_csr.grad.dtype == dtype
