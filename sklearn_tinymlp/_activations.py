"""Activation functions, each written beside its derivative.

Hidden-layer derivatives are expressed through the unit's *output* ``a = f(z)``
rather than its input ``z``, exactly as the derivation does for the sigmoid:
``σ'(z) = σ(z)(1 − σ(z)) = a(1 − a)``.  Backpropagation therefore never needs
to keep the pre-activations ``z`` of hidden layers.

Every function works in place on its arguments and returns the result, so
training allocates no temporaries for them. A derivative may overwrite the
activation ``a`` it is given: backpropagation has already used ``a`` for the
layer's weight gradient when it applies f', and needs it no more.
"""

import numpy as np
from scipy.special import log_expit

# --- hidden activations: f(z) and f'(z) written as a function of a = f(z) ---


def identity(z):
    """f(z) = z."""
    return z


def identity_derivative(a, delta):
    """f'(z) = 1, so δ is unchanged."""
    return delta


def logistic(z):
    """The derivation's σ(z) = 1 / (1 + e^(−z)).

    Written out rather than calling ``scipy.special.expit``: NumPy's vectorised
    ``exp`` makes this several times faster.  For z < −709 e^(−z) overflows to
    inf and σ(z) = 1/inf = 0, the correctly rounded answer.
    """
    with np.errstate(over="ignore"):
        np.negative(z, out=z)
        np.exp(z, out=z)
    z += 1
    return np.divide(1, z, out=z)


def logistic_derivative(a, delta):
    """σ'(z) = a(1 − a); multiplies δ by it in place (a is overwritten)."""
    delta *= a
    delta *= np.subtract(1, a, out=a)
    return delta


def tanh(z):
    """f(z) = tanh(z)."""
    return np.tanh(z, out=z)


def tanh_derivative(a, delta):
    """tanh'(z) = 1 − a²; multiplies δ by it in place (a is overwritten)."""
    np.multiply(a, a, out=a)
    delta *= np.subtract(1, a, out=a)
    return delta


def relu(z):
    """f(z) = max(z, 0)."""
    return np.maximum(z, 0, out=z)


def relu_derivative(a, delta):
    """relu'(z) = 1 where a > 0, else 0; zeroes δ in place where the unit is off."""
    delta *= np.greater(a, 0, out=a)  # a is overwritten with the 0/1 derivative
    return delta


ACTIVATIONS = {
    "identity": identity,
    "logistic": logistic,
    "tanh": tanh,
    "relu": relu,
}

DERIVATIVES = {
    "identity": identity_derivative,
    "logistic": logistic_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
}


# --- output activations and the log-loss they pair with ---------------------
#
# Both output heads pair with log-loss so that ∂L/∂z = ŷ − y (the derivation's
# cancellation): for a sigmoid unit the factor ŷ(1 − ŷ) of σ' cancels the
# denominator of ∂L/∂ŷ = (ŷ − y) / (ŷ(1 − ŷ)); for softmax with one-hot y the
# Jacobian diag(ŷ) − ŷŷᵀ collapses the same way.  The losses are computed from
# the logits z, never from ŷ, so no log(0) or overflow can occur; each loss
# function also leaves ŷ in z, since the output error needs it next.


def softmax(z):
    """ŷ_k = e^(z_k) / Σ_j e^(z_j), in place, shifted by max(z) so nothing overflows."""
    with np.errstate(invalid="ignore"):  # a row of +inf logits is reported by the caller
        z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


OUT_ACTIVATIONS = {"logistic": logistic, "softmax": softmax}


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
    """−Σ_k y_k log softmax(z)_k = log Σ_j e^(z_j) − Σ_k y_k z_k; z becomes ŷ = softmax(z).

    Both are computed after shifting each row of z by its maximum, which
    changes neither (one-hot y sums to 1) and keeps e^z finite.
    """
    z -= z.max(axis=1, keepdims=True)
    yz = (y * z).sum(axis=1)
    np.exp(z, out=z)
    sums = z.sum(axis=1)
    z /= sums[:, np.newaxis]
    loss = np.log(sums, out=sums)
    loss -= yz
    return loss


LOSSES_PER_SAMPLE = {
    "logistic": binary_log_loss_per_sample,
    "softmax": softmax_log_loss_per_sample,
}
