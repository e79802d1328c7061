"""Activations, each written beside its derivative; output heads, each loss beside its error.

A hidden activation is ``f(z, out)``, writing a = f(z) into ``out`` (which may
be z itself), and its derivative ``f_derivative(z, a, out)`` writes f'(z) into
``out`` from the unit's input z and output a, whichever is simpler: for the
derivation's sigmoid ``σ'(z) = σ(z)(1 − σ(z)) = a(1 − a)``. ``out`` may be z's
own array, so each derivative reads z before it writes. The forward pass
computes f'(z) while it has z at hand and keeps it for the backward pass,
which multiplies it into the error: ``δ_{l-1} = (δ_l W_lᵀ) ⊙ f'(z_{l-1})``.

An output head (``HEADS``, see below) turns the logits into ŷ and pairs a loss
with its output error ∂ℓ/∂z_L, which starts the backward pass; ``classify``
reads a classifier's logits as labels and probabilities.

Every function is free of overflow warnings for any finite z: exponentials
are only taken of non-positive numbers, or through functions that saturate
(``scipy.special.expit``, ``np.logaddexp``, ``scipy.special.ndtr``).
"""

import math
from collections import namedtuple
from functools import partial

import numpy as np
from scipy.special import expit, log_expit, log_softmax, ndtr, xlogy

# --- hidden activations f(z) and their derivatives f'(z) ----------------------

LEAKY_RELU_SLOPE = 0.01  # for z < 0, as PyTorch's and Keras's default
ELU_ALPHA = 1.0


def identity(z, out=None):
    """f(z) = z."""
    out = z if out is None else out
    out[...] = z
    return out


def identity_derivative(z, a, out):
    """f'(z) = 1."""
    out[...] = 1
    return out


def logistic(z, out=None):
    """The derivation's σ(z) = 1 / (1 + e^(−z)).

    Written out rather than calling ``scipy.special.expit``: NumPy's vectorised
    ``exp`` makes this several times faster.  For z < −709 e^(−z) overflows to
    inf and σ(z) = 1/inf = 0, the correctly rounded answer.
    """
    out = z if out is None else out
    with np.errstate(over="ignore"):
        np.negative(z, out=out)
        np.exp(out, out=out)
    out += 1
    return np.divide(1, out, out=out)


def logistic_derivative(z, a, out):
    """σ'(z) = a(1 − a)."""
    np.subtract(1, a, out=out)
    out *= a
    return out


def tanh(z, out=None):
    """f(z) = tanh(z)."""
    return np.tanh(z, out=z if out is None else out)


def tanh_derivative(z, a, out):
    """tanh'(z) = 1 − a²."""
    np.multiply(a, a, out=out)
    return np.subtract(1, out, out=out)


def relu(z, out=None):
    """f(z) = max(z, 0)."""
    return np.maximum(z, 0, out=z if out is None else out)


def relu_derivative(z, a, out):
    """relu'(z) = 1 where z > 0, else 0."""
    return np.greater(z, 0, out=out)


def leaky_relu(z, out=None):
    """f(z) = z for z > 0, else 0.01 z: max(z, 0.01 z)."""
    out = z if out is None else out
    return np.maximum(z, LEAKY_RELU_SLOPE * z, out=out)


def leaky_relu_derivative(z, a, out):
    """f'(z) = 1 where z > 0, else 0.01."""
    positive = z > 0
    out[...] = LEAKY_RELU_SLOPE
    out[positive] = 1
    return out


def elu(z, out=None):
    """f(z) = z for z > 0, else e^z − 1 (α = 1)."""
    out = z if out is None else out
    negative_part = ELU_ALPHA * np.expm1(np.minimum(z, 0))  # e^z taken of z ≤ 0 only
    np.maximum(z, 0, out=out)
    out += negative_part
    return out


def elu_derivative(z, a, out):
    """f'(z) = 1 for z > 0, else e^z = a + 1: so min(a + 1, 1) (α = 1)."""
    np.add(a, ELU_ALPHA, out=out)
    return np.minimum(out, 1, out=out)


def gelu(z, out=None):
    """The exact GELU: f(z) = z Φ(z), Φ the standard normal distribution function."""
    return np.multiply(z, ndtr(z), out=z if out is None else out)


def gelu_derivative(z, a, out):
    """f'(z) = Φ(z) + z φ(z), φ the standard normal density."""
    z_density = z * np.exp(-0.5 * np.square(z)) / math.sqrt(2 * math.pi)
    return np.add(ndtr(z), z_density, out=out)


def silu(z, out=None):
    """SiLU (swish): f(z) = z σ(z)."""
    return np.multiply(z, expit(z), out=z if out is None else out)


def silu_derivative(z, a, out):
    """f'(z) = σ(z) + z σ(z)(1 − σ(z)) = σ(z)(1 − a) + a."""
    sigma = expit(z)
    np.subtract(1, a, out=out)
    out *= sigma
    out += a
    return out


def softplus(z, out=None):
    """f(z) = log(1 + e^z), as logaddexp(0, z): no overflow."""
    return np.logaddexp(0, z, out=z if out is None else out)


def softplus_derivative(z, a, out):
    """f'(z) = σ(z)."""
    return expit(z, out=out)


def mish(z, out=None):
    """f(z) = z tanh(softplus(z))."""
    return np.multiply(z, np.tanh(np.logaddexp(0, z)), out=z if out is None else out)


def mish_derivative(z, a, out):
    """f'(z) = tanh(s) + z (1 − tanh²(s)) σ(z), with s = softplus(z)."""
    t = np.tanh(np.logaddexp(0, z))
    slope = z * (1 - t * t) * expit(z)
    return np.add(t, slope, out=out)


#: Each hidden activation beside its derivative: name -> (f, f').
ACTIVATIONS = {
    "identity": (identity, identity_derivative),
    "logistic": (logistic, logistic_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "elu": (elu, elu_derivative),
    "gelu": (gelu, gelu_derivative),
    "silu": (silu, silu_derivative),
    "softplus": (softplus, softplus_derivative),
    "mish": (mish, mish_derivative),
}


# --- output heads: ŷ = g(z), each loss ℓ beside its output error ∂ℓ/∂z -------
#
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
