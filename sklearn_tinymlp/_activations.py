"""Activation functions, each written beside its derivative.

Hidden-layer derivatives are expressed through the unit's *output* ``a = f(z)``
rather than its input ``z``, exactly as the derivation does for the sigmoid:
``σ'(z) = σ(z)(1 − σ(z)) = a(1 − a)``.  Backpropagation therefore never needs
to keep the pre-activations ``z`` of hidden layers.

Every function works in place on its argument and returns it, so the training
loop allocates no temporaries for them.
"""

import numpy as np
from scipy.special import log_expit, logsumexp

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
    """σ'(z) = a(1 − a); multiplies δ by it in place."""
    delta *= a
    delta *= 1 - a
    return delta


def tanh(z):
    """f(z) = tanh(z)."""
    return np.tanh(z, out=z)


def tanh_derivative(a, delta):
    """tanh'(z) = 1 − a²; multiplies δ by it in place."""
    delta *= 1 - a**2
    return delta


def relu(z):
    """f(z) = max(z, 0)."""
    return np.maximum(z, 0, out=z)


def relu_derivative(a, delta):
    """relu'(z) = 1 where a > 0, else 0; zeroes δ in place where the unit is off."""
    delta[a <= 0] = 0
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
# the logits z, never from ŷ, so no log(0) or overflow can occur.


def softmax(z):
    """ŷ_k = e^(z_k) / Σ_j e^(z_j), shifted by max(z) so nothing overflows."""
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


OUT_ACTIVATIONS = {"logistic": logistic, "softmax": softmax}


def binary_log_loss_per_sample(z, y):
    """−[y log σ(z) + (1 − y) log σ(−z)], summed over output units.

    Used for one sigmoid unit (binary y) and independent sigmoids (multilabel
    y).  ``log σ(−z) = log σ(z) − z`` saves a second transcendental call.
    """
    log_p = log_expit(z)
    return -(log_p - (1 - y) * z).sum(axis=1)


def softmax_log_loss_per_sample(z, y):
    """−Σ_k y_k log softmax(z)_k = logsumexp(z) − Σ_k y_k z_k."""
    return logsumexp(z, axis=1) - (y * z).sum(axis=1)


LOSSES_PER_SAMPLE = {
    "logistic": binary_log_loss_per_sample,
    "softmax": softmax_log_loss_per_sample,
}
