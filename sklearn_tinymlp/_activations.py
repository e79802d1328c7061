"""Hidden activations, each written beside its derivative (the output heads: ``_heads``).

A hidden activation is ``f(z, out)``, writing a = f(z) into ``out`` (which may
be z itself), and its derivative ``f_derivative(z, a, out)`` writes f'(z) into
``out`` from the unit's input z and output a, whichever is simpler: for the
derivation's sigmoid ``σ'(z) = σ(z)(1 − σ(z)) = a(1 − a)``. ``out`` may be z's
own array, so each derivative reads z before it writes. The forward pass
computes f'(z) while it has z at hand and keeps it for the backward pass,
which multiplies it into the error: ``δ_{l-1} = (δ_l W_lᵀ) ⊙ f'(z_{l-1})``.

Every function is free of overflow warnings for any finite z: exponentials
are only taken of non-positive numbers, or through functions that saturate
(``scipy.special.expit``, ``np.logaddexp``, ``scipy.special.ndtr``).
"""

import math

import numpy as np
from scipy.special import expit, ndtr

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

    Written out as the derivation writes it, with NumPy's ``exp`` rather than
    ``scipy.special.expit`` (their speeds: ``benchmarks/results.md``, "Measured
    choices"). For z < −709 e^(−z) overflows to inf and σ(z) = 1/inf = 0, the
    correctly rounded answer.
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
