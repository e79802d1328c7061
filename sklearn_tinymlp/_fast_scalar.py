"""Per-sample gradient descent for tiny networks, one Python float at a time.

With ``batch_size=1`` (the derivation's own regime) each step works on a few
dozen numbers, and a vectorised step spends nearly all its time in the
overhead of some forty NumPy calls. Here the same step — forward pass, loss,
``δ = ŷ − y``, ``δ_{l-1} = (δ_l W_lᵀ) ⊙ f'(a_{l-1})``, the gradients and the
optimizer's update — is written with Python floats and the ``math`` module,
in the same order of operations as ``_network`` and ``_optimizers``, so the
parameters agree with the reference loop to rounding (tested to 1e-12 in
``tests/test_performance_paths.py``).

Used only for float64 dense X, ``batch_size=1``, networks of at most
``MAX_PARAMS`` parameters, and the two built-in optimizers.
"""

from math import exp, log, log1p, sqrt, tanh
from operator import mul

import numpy as np

from ._optimizers import AdamOptimizer, SGDOptimizer

# Beyond about this many parameters the Python loops cost more than NumPy's calls
# (measured: 49 parameters 25% faster, 121 parameters 25% slower).
MAX_PARAMS = 80
# Rows converted to Python floats at a time: memory stays O(ROWS_PER_BLOCK × features).
ROWS_PER_BLOCK = 256


def supported(X, batch_size, coefs, intercepts, optimizer):
    """Whether :func:`per_sample_epoch` applies."""
    return (
        batch_size == 1
        and isinstance(X, np.ndarray)
        and X.dtype == np.float64
        and type(optimizer) in (SGDOptimizer, AdamOptimizer)
        and sum(a.size for a in coefs + intercepts) <= MAX_PARAMS
    )


def _sigmoid(z):
    try:
        return 1.0 / (1.0 + exp(-z))
    except OverflowError:  # e^(−z) = inf: σ(z) = 0, as NumPy gives
        return 0.0


def _log_sigmoid(z):
    # scipy.special.log_expit's formula
    return z - log1p(exp(z)) if z < 0 else -log1p(exp(-z))


def _relu(z):
    return z if z > 0 else 0.0


def _identity(z):
    return z


_HIDDEN = {"logistic": _sigmoid, "tanh": tanh, "relu": _relu, "identity": _identity}


def _to_lists(arrays):
    return [a.tolist() for a in arrays]


def per_sample_epoch(
    X,
    Y,
    sample_weight,
    order,
    n_rows,
    coefs,
    intercepts,
    optimizer,
    activation,
    out_activation,
    alpha,
):
    """One epoch of ``batch_size=1`` updates, visiting ``X[order]`` (None: X in order).

    Updates ``coefs``, ``intercepts`` and the optimizer's state in place and
    returns the epoch's loss, exactly as the reference loop does.
    """
    hidden = _HIDDEN[activation]
    n_layers = len(coefs)
    last = n_layers - 1
    # Weights by destination unit: W_T[l][k] lists the weights into unit k of layer l+1.
    W_T = [a.T.tolist() for a in coefs]
    b = _to_lists(intercepts)
    sgd = type(optimizer) is SGDOptimizer
    if sgd:
        lr = optimizer.learning_rate
        mu = optimizer.momentum
        nesterov = optimizer.nesterov
        vel_W = None if not mu else [v.T.tolist() for v in optimizer.velocities[:n_layers]]
        vel_b = None if not mu else _to_lists(optimizer.velocities[n_layers:])
    else:
        lr0 = optimizer.learning_rate_init
        b1, b2, eps = optimizer.beta_1, optimizer.beta_2, optimizer.epsilon
        m_W = [m.T.tolist() for m in optimizer.ms[:n_layers]]
        m_b = _to_lists(optimizer.ms[n_layers:])
        v_W = [v.T.tolist() for v in optimizer.vs[:n_layers]]
        v_b = _to_lists(optimizer.vs[n_layers:])
    softmax = out_activation == "softmax"
    half_alpha = 0.5 * alpha
    total_loss = 0.0
    total_weight = 0.0
    n = n_rows if order is None else len(order)
    loss = 0.0
    try:
        for block in range(0, n, ROWS_PER_BLOCK):
            rows = (
                slice(block, min(block + ROWS_PER_BLOCK, n))
                if order is None
                else order[block : block + ROWS_PER_BLOCK]
            )
            xs = X[rows].tolist()
            ys = Y[rows].tolist()
            ss = None if sample_weight is None else sample_weight[rows].tolist()
            for i, x in enumerate(xs):
                y = ys[i]
                s = 1 if ss is None else ss[i]
                # forward: z = a W + b, a = f(z)
                acts = [x]
                a = x
                for layer in range(n_layers):
                    z = [sum(map(mul, a, w)) + bias for w, bias in zip(W_T[layer], b[layer])]
                    a = z if layer == last else [hidden(zk) for zk in z]
                    acts.append(a)
                # loss and output error δ = ŷ − y (the weights s / S = 1 cancel for one row)
                if softmax:
                    z_max = max(z)
                    e = [exp(zk - z_max) for zk in z]
                    e_sum = sum(e)
                    ell = z_max + log(e_sum) - sum(map(mul, y, z))
                    delta = [ek / e_sum - yk for ek, yk in zip(e, y)]
                else:
                    ell = -sum(_log_sigmoid(zk) - (1 - yk) * zk for zk, yk in zip(z, y))
                    delta = [_sigmoid(zk) - yk for zk, yk in zip(z, y)]
                if alpha:
                    sq = 0.0
                    for W_layer in W_T:
                        for w in W_layer:
                            sq += sum(map(mul, w, w))
                    loss = (ell * s + half_alpha * sq) / s
                else:
                    loss = ell * s / s
                if loss != loss or loss in (float("inf"), float("-inf")):
                    return loss
                total_loss += loss * s
                total_weight += s
                decay = alpha / s
                if not sgd:
                    t = optimizer.t + 1
                    optimizer.t = t
                    lr = lr0 * sqrt(1 - b2**t) / (1 - b1**t)
                # backward, layer by layer from the output, updating each layer once
                # its δ has been passed down (δ_{l-1} uses W_l before its update)
                for layer in range(last, -1, -1):
                    a_prev = acts[layer]
                    W_layer = W_T[layer]
                    if layer > 0:
                        delta_prev = [0.0] * len(a_prev)
                        for k, dk in enumerate(delta):
                            w = W_layer[k]
                            for j in range(len(a_prev)):
                                delta_prev[j] += dk * w[j]
                    b_layer = b[layer]
                    for k, dk in enumerate(delta):
                        w = W_layer[k]
                        # ∂L/∂W_jk = a_j δ_k + (α/S) W_jk ; ∂L/∂b_k = δ_k
                        grads = [aj * dk + decay * wj for aj, wj in zip(a_prev, w)]
                        if sgd:
                            if mu:
                                v = vel_W[layer][k]
                                for j, g in enumerate(grads):
                                    g = g * lr
                                    v[j] = v[j] * mu - g
                                    w[j] = w[j] + mu * v[j] - g if nesterov else w[j] + v[j]
                                vb = vel_b[layer]
                                g = dk * lr
                                vb[k] = vb[k] * mu - g
                                b_layer[k] = (
                                    b_layer[k] + mu * vb[k] - g if nesterov else b_layer[k] + vb[k]
                                )
                            else:
                                for j, g in enumerate(grads):
                                    w[j] = w[j] - g * lr
                                b_layer[k] = b_layer[k] - dk * lr
                        else:
                            m_w, v_w = m_W[layer][k], v_W[layer][k]
                            for j, g in enumerate(grads):
                                m_w[j] = m_w[j] * b1 + (1 - b1) * g
                                v_w[j] = v_w[j] * b2 + g * g * (1 - b2)
                                w[j] = w[j] - m_w[j] / (sqrt(v_w[j]) + eps) * lr
                            m_bl, v_bl = m_b[layer], v_b[layer]
                            m_bl[k] = m_bl[k] * b1 + (1 - b1) * dk
                            v_bl[k] = v_bl[k] * b2 + dk * dk * (1 - b2)
                            b_layer[k] = b_layer[k] - m_bl[k] / (sqrt(v_bl[k]) + eps) * lr
                    if layer > 0:
                        delta = _hidden_delta(activation, delta_prev, a_prev)
    finally:
        for layer in range(n_layers):
            coefs[layer][...] = np.array(W_T[layer]).T
            intercepts[layer][...] = b[layer]
            if sgd and mu:
                optimizer.velocities[layer][...] = np.array(vel_W[layer]).T
                optimizer.velocities[n_layers + layer][...] = vel_b[layer]
            elif not sgd:
                optimizer.ms[layer][...] = np.array(m_W[layer]).T
                optimizer.ms[n_layers + layer][...] = m_b[layer]
                optimizer.vs[layer][...] = np.array(v_W[layer]).T
                optimizer.vs[n_layers + layer][...] = v_b[layer]
    return total_loss / total_weight


def _hidden_delta(activation, d, a):
    """(δ W_lᵀ) ⊙ f'(a), in the reference's order of operations."""
    if activation == "logistic":
        return [dj * aj * (1 - aj) for dj, aj in zip(d, a)]
    if activation == "tanh":
        return [dj * (1 - aj * aj) for dj, aj in zip(d, a)]
    if activation == "relu":
        return [dj if aj > 0 else 0.0 for dj, aj in zip(d, a)]
    return d
