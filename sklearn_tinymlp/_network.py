"""The derivation as code: initialise, forward, loss, backward.

Pure array functions: nothing here reads or writes estimator state, so each can
be checked by hand against ``backprop-derivation.md`` (see ``docs/math.rst``).

Notation, generalised from the derivation's 2-2-1 network to any sizes:

* ``coefs[l]`` has shape (units in layer l, units in layer l+1); entry ``[j, k]``
  is the weight from unit j of layer l to unit k of layer l+1.  For the 2-2-1
  network ``coefs[0] = [[w11, w12], [w21, w22]]``, ``intercepts[0] = [b1, b2]``,
  ``coefs[1] = [[w1], [w2]]`` and ``intercepts[1] = [b]``.
* ``activations[0]`` is the input batch X, ``activations[l]`` the outputs
  ``a`` of layer l, ``activations[-1]`` the network's prediction ŷ.
* ``delta`` is ∂L/∂z for the layer at hand (the derivation's "error").
* Each sample i carries a weight s_i; S = Σ s_i.  Unweighted data is s_i = 1,
  S = n.  The loss is ``L = Σ_i s_i ℓ_i / S + (α / 2S) Σ_l ‖W_l‖²``, scikit-learn's
  ``MLPClassifier`` scaling, and integer weights are the same as repeated rows.
"""

import numpy as np

from ._activations import ACTIVATIONS, DERIVATIVES, LOSSES_PER_SAMPLE, OUT_ACTIVATIONS


def init_params(layer_units, activation, random_state, dtype=np.float64):
    """Draw Glorot-uniform weights and biases.

    Parameters
    ----------
    layer_units : sequence of int
        Units per layer, input layer first and output layer last.
    activation : str
        Hidden activation; the logistic sigmoid gets a bound √2 times smaller
        (Glorot & Bengio, 2010), as in scikit-learn.
    random_state : numpy.random.RandomState
        Source of randomness.
    dtype : numpy dtype, default=float64
        Floating-point type of the returned arrays.

    Returns
    -------
    coefs, intercepts : list of ndarray
        ``coefs[l]`` of shape (layer_units[l], layer_units[l+1]) and
        ``intercepts[l]`` of shape (layer_units[l+1],).

    Examples
    --------
    >>> import numpy as np
    >>> coefs, intercepts = init_params([2, 2, 1], "logistic", np.random.RandomState(0))
    >>> [c.shape for c in coefs], [b.shape for b in intercepts]
    ([(2, 2), (2, 1)], [(2,), (1,)])
    """
    factor = 2.0 if activation == "logistic" else 6.0
    coefs, intercepts = [], []
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(random_state.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype))
        intercepts.append(random_state.uniform(-bound, bound, fan_out).astype(dtype))
    return coefs, intercepts


def forward(X, coefs, intercepts, activation, out_activation):
    """Forward pass: z_l = a_{l-1} W_l + b_l, a_l = f(z_l), ŷ = g(z_L).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Input batch.
    coefs, intercepts : list of ndarray
        Network parameters (see the module docstring).
    activation : str
        Hidden activation name: 'identity', 'logistic', 'tanh' or 'relu'.
    out_activation : str
        'logistic' (binary or multilabel y) or 'softmax' (multiclass y).

    Returns
    -------
    activations : list of ndarray
        ``[X, a_1, …, a_{L-1}, ŷ]``.
    logits : ndarray of shape (n_samples, n_outputs)
        The output layer's z_L, from which the loss is computed stably.

    Examples
    --------
    >>> import numpy as np
    >>> coefs = [np.array([[1.0], [-1.0]])]
    >>> intercepts = [np.array([0.0])]
    >>> activations, logits = forward(
    ...     np.array([[2.0, 2.0]]), coefs, intercepts, "logistic", "logistic")
    >>> logits, activations[-1]
    (array([[0.]]), array([[0.5]]))
    """
    hidden = ACTIVATIONS[activation]
    activations = [X]
    a = X
    last = len(coefs) - 1
    for layer, (W, b) in enumerate(zip(coefs, intercepts)):
        z = a @ W
        z += b
        if layer == last:
            logits = z
            a = OUT_ACTIVATIONS[out_activation](z.copy())
        else:
            a = hidden(z)
        activations.append(a)
    return activations, logits


def squared_norm(coefs):
    """Σ_l ‖W_l‖², the L2 penalty's sum (biases are not penalised)."""
    return sum(float(np.vdot(W, W)) for W in coefs)


def log_loss(logits, y, out_activation, coefs, alpha, sample_weight=None):
    """Mean log-loss plus the L2 penalty: Σ s_i ℓ_i / S + (α / 2S) Σ ‖W‖².

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_outputs)
        The output layer's z_L (from :func:`forward`).
    y : ndarray of shape (n_samples, n_outputs)
        Targets as 0/1 indicators (one column for binary y, one-hot for
        multiclass y, the indicator matrix for multilabel y).
    out_activation : str
        'logistic' or 'softmax'.
    coefs : list of ndarray
        Weights, for the penalty.
    alpha : float
        L2 penalty strength.
    sample_weight : ndarray of shape (n_samples,), default=None
        Per-sample weights s_i; None means all ones.

    Returns
    -------
    loss : float

    Examples
    --------
    >>> import numpy as np
    >>> float(log_loss(np.zeros((1, 1)), np.ones((1, 1)), "logistic", [], 0.0))  # -log(1/2)
    0.6931471805599453
    """
    per_sample = LOSSES_PER_SAMPLE[out_activation](logits, y)
    if sample_weight is None:
        weight_sum = per_sample.shape[0]
        data_loss = per_sample.sum()
    else:
        weight_sum = sample_weight.sum()
        data_loss = per_sample @ sample_weight
    return float((data_loss + 0.5 * alpha * squared_norm(coefs)) / weight_sum)


def output_error(y_pred, y, sample_weight=None):
    """δ_L = s_i (ŷ − y) / S: the derivation's error term, per sample and output.

    For log-loss with a sigmoid or softmax output, ∂ℓ/∂z_L = ŷ − y; the
    weights and normalisation come from the mean over the batch.

    Examples
    --------
    >>> import numpy as np
    >>> output_error(np.array([[0.8], [0.3]]), np.array([[1.0], [0.0]]))
    array([[-0.1 ],
           [ 0.15]])
    """
    delta = y_pred - y
    if sample_weight is None:
        delta /= y.shape[0]
    else:
        delta *= (sample_weight / sample_weight.sum())[:, np.newaxis]
    return delta


def backward(activations, delta, coefs, activation, alpha, weight_sum):
    """Backward pass from the output error to every weight's and bias's gradient.

    For each layer l, from the last to the first:

    * ∂L/∂W_l = a_{l-1}ᵀ δ_l + (α / S) W_l   (derivation: ∂L/∂w1 = (ŷ − y) a1)
    * ∂L/∂b_l = Σ_i δ_l                       (derivation: ∂L/∂b = ŷ − y)
    * δ_{l-1} = (δ_l W_lᵀ) ⊙ f'(a_{l-1})       (derivation: (ŷ − y) w1 a1(1 − a1))

    Parameters
    ----------
    activations : list of ndarray
        From :func:`forward`.
    delta : ndarray of shape (n_samples, n_outputs)
        The output error from :func:`output_error`; overwritten.
    coefs : list of ndarray
        Weights.
    activation : str
        Hidden activation name.
    alpha : float
        L2 penalty strength.
    weight_sum : float
        S, the sum of the batch's sample weights (n_samples when unweighted).

    Returns
    -------
    coef_grads, intercept_grads : list of ndarray
        Same shapes as ``coefs`` and the intercepts.

    Examples
    --------
    >>> import numpy as np
    >>> X, W = np.array([[1.0, 2.0]]), [np.array([[0.5], [-0.5]])]
    >>> coef_grads, intercept_grads = backward([X, None], np.array([[0.25]]), W, "logistic", 0.0, 1)
    >>> coef_grads[0].ravel(), intercept_grads[0]
    (array([0.25, 0.5 ]), array([0.25]))
    """
    derivative = DERIVATIVES[activation]
    n_layers = len(coefs)
    coef_grads = [None] * n_layers
    intercept_grads = [None] * n_layers
    for layer in range(n_layers - 1, -1, -1):
        a_prev = activations[layer]
        coef_grads[layer] = a_prev.T @ delta
        if alpha:
            coef_grads[layer] += (alpha / weight_sum) * coefs[layer]
        intercept_grads[layer] = delta.sum(axis=0)
        if layer > 0:
            delta = derivative(a_prev, delta @ coefs[layer].T)
    return coef_grads, intercept_grads


def loss_and_gradients(
    X, y, coefs, intercepts, activation, out_activation, alpha, sample_weight=None
):
    """Forward, loss and backward in one call: what every solver needs.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples, n_outputs)
        0/1 indicator targets.
    coefs, intercepts : list of ndarray
    activation, out_activation : str
    alpha : float
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    loss : float
    coef_grads, intercept_grads : list of ndarray

    Examples
    --------
    >>> import numpy as np
    >>> coefs, intercepts = [np.zeros((2, 1))], [np.zeros(1)]
    >>> loss, coef_grads, intercept_grads = loss_and_gradients(
    ...     np.array([[1.0, 2.0]]), np.array([[1.0]]), coefs, intercepts,
    ...     "logistic", "logistic", alpha=0.0)
    >>> round(loss, 4), coef_grads[0].ravel(), intercept_grads[0]
    (0.6931, array([-0.5, -1. ]), array([-0.5]))
    """
    activations, logits = forward(X, coefs, intercepts, activation, out_activation)
    loss = log_loss(logits, y, out_activation, coefs, alpha, sample_weight)
    weight_sum = y.shape[0] if sample_weight is None else sample_weight.sum()
    delta = output_error(activations[-1], y, sample_weight)
    coef_grads, intercept_grads = backward(activations, delta, coefs, activation, alpha, weight_sum)
    return loss, coef_grads, intercept_grads
