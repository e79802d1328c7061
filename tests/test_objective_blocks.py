"""Objective's data part: blocks of a batch, each given the batch's S, add up to the batch.

``Objective(..., alpha=0, (X, Y, sample_weight), weight_sum=S)()`` returns Σ s_i ℓ_i
over the rows in ``loss_sum`` and Σ s_i ∂ℓ_i/∂θ / S in ``grad``; training on Dask
input sums blocks this way (``_dask.block_sums``).
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sklearn_tinymlp import _network

X, y = make_classification(600, 5, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
Y = np.eye(3, dtype=bool)[y]
W = np.random.RandomState(0).uniform(0, 2, len(y))
LAYERS = [5, 7, 3]


def _objective(theta, data, alpha=0.0, max_rows=None, weight_sum=None):
    network = (theta, LAYERS, "tanh", "softmax", alpha, data)
    return _network.Objective(*network, max_rows=max_rows, weight_sum=weight_sum)


@pytest.mark.parametrize("sample_weight", [None, W], ids=["unweighted", "weighted"])
def test_blocks_given_the_batch_weight_add_up_to_the_batch(sample_weight):
    theta = np.random.RandomState(1).normal(size=_network.Layout(LAYERS).size)
    alpha = 0.3
    whole = _objective(theta, (X, Y, sample_weight), alpha)
    loss, whole_grad, _, S = whole()
    assert S == (len(y) if sample_weight is None else pytest.approx(W.sum()))

    data_loss, grad = 0.0, np.zeros_like(theta)
    for rows in (slice(0, 250), slice(250, 251), slice(251, 600)):
        sw = None if sample_weight is None else sample_weight[rows]
        block = _objective(theta, (X[rows], Y[rows], sw), weight_sum=S)
        mean, block_grad, loss_sum, weight = block()
        assert loss_sum == pytest.approx(mean * S, rel=1e-15)
        assert weight == (rows.stop - rows.start if sw is None else float(sw.sum()))
        data_loss += loss_sum
        grad += block_grad
    n_coefs = whole.layout.n_coefs
    grad[:n_coefs] += alpha / S * theta[:n_coefs]
    weights = theta[:n_coefs]
    assert (data_loss + 0.5 * alpha * weights @ weights) / S == pytest.approx(loss, rel=1e-13)
    np.testing.assert_allclose(grad, whole_grad, rtol=1e-12, atol=1e-15)


def test_blocks_of_the_chunks_rows_are_the_batch_bit_for_bit():
    theta = np.random.RandomState(2).normal(size=_network.Layout(LAYERS).size)
    whole = _objective(theta, (X, Y, W), max_rows=200)  # three chunks of 200 rows
    _, whole_grad, whole_loss_sum, S = whole()
    data_loss, grad = 0.0, None
    for start in (0, 200, 400):
        rows = slice(start, start + 200)
        block = _objective(theta, (X[rows], Y[rows], W[rows]), weight_sum=S)
        _, block_grad, loss_sum, _ = block()
        data_loss += loss_sum
        grad = block_grad.copy() if grad is None else grad + block_grad
    assert data_loss == whole_loss_sum
    np.testing.assert_array_equal(grad, whole_grad)
