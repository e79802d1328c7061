"""Output heads: ŷ = g(z_L), each loss ℓ written beside its output error ∂ℓ/∂z_L.

A head turns the logits z_L into ŷ and pairs a loss with the error that starts
the backward pass (``_network.output_error`` weights it); :func:`classify` reads
a classifier's logits as labels and probabilities. Every function is free of
overflow warnings for any finite z (see ``_activations``).
"""

from collections import namedtuple
from functools import partial

import numpy as np
from scipy.special import log_expit, log_softmax, xlogy

from ._activations import identity, logistic

# A head (``Head``) is three functions of the logits z = z_L: output(z) writes
# ŷ = g(z) over z (prediction); loss(z, y) returns the per-sample losses ℓ_i and
# leaves ŷ in z, and its error(ŷ, y), written next to it, overwrites ŷ with
# ∂ℓ_i/∂z (training; ``_network.output_error`` weights it).
# Losses are computed from z, never from ŷ, so no log(0) or overflow can occur.
#
# Four heads pair an output g with the loss whose canonical link it is, and
# their error collapses to ŷ − y (the derivation's cancellation):
# * log-loss with a sigmoid: the factor ŷ(1 − ŷ) of σ' cancels the
#   denominator of ∂ℓ/∂ŷ = (ŷ − y) / (ŷ(1 − ŷ));
# * log-loss with softmax, y one-hot: ∂ℓ/∂z_k = Σ_j (−y_j / ŷ_j)(ŷ_j [j = k] − ŷ_j ŷ_k)
#   = −y_k + ŷ_k Σ_j y_j = ŷ_k − y_k;
# * squared error ½(ŷ − y)² with the identity: ŷ − y at once;
# * Poisson deviance with exp: ℓ = e^z − yz + (terms free of z), ∂ℓ/∂z = e^z − y.
# The absolute error and the pinball loss have no derivative where ŷ = y: their
# error is a subgradient (the derivative everywhere else).


def exp(z, out=None):
    """ŷ = e^z, the Poisson head's output: inf once z > 709 (the estimator reports it)."""
    with np.errstate(over="ignore"):
        return np.exp(z, out=z if out is None else out)


def softmax(z):
    """ŷ_k = e^(z_k) / Σ_j e^(z_j), in place, shifted by max(z) so nothing overflows."""
    _shifted_softmax(z)
    return z


def _shifted_softmax(z):
    """Write softmax(z) over z; return each row's max m and log Σ_j e^(z_j − m)."""
    row_max = z.max(axis=1)
    with np.errstate(invalid="ignore"):  # a row of +inf logits is reported by the caller
        z -= row_max[:, np.newaxis]
    np.exp(z, out=z)
    sums = z.sum(axis=1)
    z /= sums[:, np.newaxis]
    return row_max, np.log(sums, out=sums)


def y_hat_minus_y(y_hat, y):
    """∂ℓ/∂z = ŷ − y, written over ŷ: the error of the four canonical pairs."""
    y_hat -= y
    return y_hat


def binary_log_loss_per_sample(z, y):
    """−[y log σ(z) + (1 − y) log σ(−z)], summed over output units; z becomes ŷ = σ(z).

    Used for one sigmoid unit (binary y) and independent sigmoids (multilabel
    y).  ``log σ(−z) = log σ(z) − z`` and ``σ(z) = e^(log σ(z))`` save two
    more transcendental calls.
    """
    log_p = log_expit(z)  # log σ(z)
    loss = np.subtract(z, log_p)  # −log σ(−z), the loss where y = 0
    np.negative(log_p, out=loss, where=y.astype(bool, copy=False))  # −log σ(z) where y = 1
    np.exp(log_p, out=z)
    return loss.sum(axis=1)


def softmax_log_loss_per_sample(z, y):
    """−Σ_k y_k log ŷ_k = log Σ_j e^(z_j) − Σ_k y_k z_k; z becomes ŷ = softmax(z).

    With m = max_j z_j: ``log Σ_j e^(z_j − m) − (Σ_k y_k z_k − m)`` (one-hot y
    sums to 1), in which e^(z − m) ≤ 1 cannot overflow and no log(0) occurs.
    """
    yz = (y * z).sum(axis=1)
    row_max, loss = _shifted_softmax(z)
    yz -= row_max
    loss -= yz
    return loss


def squared_error_per_sample(z, y):
    """½ mean_k (ŷ_k − y_k)², ŷ = z: ``MLPRegressor``'s loss, to equal its fits.

    Its error ŷ − y is the gradient of the sum ½ Σ_k (ŷ_k − y_k)²: with several
    outputs ``MLPRegressor`` reports the mean over them and steps along the sum's
    gradient, and so does this head; with one output the two are the same.
    """
    squares = np.square(z - y)
    return squares.sum(axis=1) / (2 * z.shape[1])


def poisson_deviance_per_sample(z, y):
    """Half the Poisson deviance, Σ_k y log(y / ŷ) − y + ŷ with ŷ = e^z; z becomes ŷ.

    Written y log y − y z − y + e^z, with 0 log 0 = 0: ``MLPRegressor``'s loss,
    the constant terms included.
    """
    loss = xlogy(y, y)
    loss -= y * (z + 1)
    loss += exp(z)
    return loss.sum(axis=1)


def absolute_error_per_sample(z, y):
    """Σ_k abs(ŷ_k − y_k), ŷ = z: the absolute error."""
    return np.abs(z - y).sum(axis=1)


def absolute_error_subgradient(y_hat, y):
    """sign(ŷ − y), written over ŷ: ∂|ŷ − y|/∂z wherever ŷ ≠ y, and 0 there."""
    y_hat -= y
    return np.sign(y_hat, out=y_hat)


def pinball_loss_per_sample(z, y, q):
    """Σ_k ρ_q(y_k − ŷ_k), ŷ = z, with ρ_q(r) = max(q r, (q − 1) r): the pinball loss.

    Its minimiser is the conditional q-quantile of y (q = ½: half the absolute error).
    """
    residual = y - z
    return np.maximum(q * residual, (q - 1) * residual).sum(axis=1)


def pinball_subgradient(y_hat, y, q):
    """1[ŷ > y] − q, written over ŷ: ∂ρ_q/∂z is −q where y > ŷ and 1 − q where y < ŷ."""
    np.greater(y_hat, y, out=y_hat)
    y_hat -= q
    return y_hat


Head = namedtuple("Head", "output loss error")

HEADS = {
    "logistic": Head(logistic, binary_log_loss_per_sample, y_hat_minus_y),
    "softmax": Head(softmax, softmax_log_loss_per_sample, y_hat_minus_y),
    "squared_error": Head(identity, squared_error_per_sample, y_hat_minus_y),
    "poisson": Head(exp, poisson_deviance_per_sample, y_hat_minus_y),
    "absolute_error": Head(identity, absolute_error_per_sample, absolute_error_subgradient),
    "quantile": Head(identity, pinball_loss_per_sample, pinball_subgradient),
}


def get_head(head):
    """The :class:`Head` for ``head``: a key of ``HEADS``, or ``('quantile', q)``.

    Examples
    --------
    >>> import numpy as np
    >>> z, y = np.array([[0.0, 2.0]]), np.array([[1.0, 1.0]])
    >>> head = get_head(("quantile", 0.9))
    >>> head.loss(z, y), head.error(z, y)
    (array([1.]), array([[-0.9,  0.1]]))
    """
    if isinstance(head, str):
        return HEADS[head]
    name, q = head
    output, loss, error = HEADS[name]
    return Head(output, partial(loss, q=q), partial(error, q=q))


def is_multilabel(out_activation, n_outputs):
    """Whether a classifier's head is multilabel: independent sigmoids, more than one."""
    return out_activation == "logistic" and n_outputs > 1


def classify(logits, out_activation, method):
    """What a classifier's ``method`` returns, from its logits (which may be overwritten).

    'softmax' is multiclass. 'logistic' with one column is binary, read as the
    two columns [−z, z]: the probabilities are [σ(−z), σ(z)] (σ(−z), not
    1 − σ(z), is accurate where σ(z) rounds to 1) and the class is their
    argmax, z > 0. 'logistic' with more columns is multilabel: σ(z) for each
    label, and 1 where z > 0. ``_onnx`` writes the same as a graph. 'predict'
    gives the indices into ``classes_`` (multilabel: the 0/1 indicator matrix).

    Examples
    --------
    >>> import numpy as np
    >>> classify(np.array([[-1.0], [2.0]]), "logistic", "predict")
    array([0, 1])
    >>> classify(np.array([[0.0], [2.0]]), "logistic", "predict_proba").round(3)
    array([[0.5  , 0.5  ],
           [0.119, 0.881]])
    """
    multilabel = is_multilabel(out_activation, logits.shape[1])
    if out_activation == "logistic" and not multilabel:
        logits = np.hstack([-logits, logits])
    if method == "predict":
        return (logits > 0).astype(int) if multilabel else logits.argmax(axis=1)
    if method == "predict_proba":
        return HEADS[out_activation].output(logits)
    return log_softmax(logits, axis=1) if out_activation == "softmax" else log_expit(logits)
