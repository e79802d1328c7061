"""The derivation as code, and the only copy of it: initialise, forward, loss, backward.

Every path runs these functions: per-sample, mini-batch and full-batch gradient
descent, Adam, L-BFGS, dense and sparse X, float32 and float64, the early-stopping
validation pass and prediction. Check them line by line against
``backprop-derivation.md`` (see ``docs/math.rst``).

Notation, generalised from the derivation's 2-2-1 network to any sizes:

* ``coefs[l]`` has shape (units in layer l, units in layer l+1); entry ``[j, k]``
  is the weight from unit j of layer l to unit k of layer l+1.  For the 2-2-1
  network ``coefs[0] = [[w11, w12], [w21, w22]]``, ``intercepts[0] = [b1, b2]``,
  ``coefs[1] = [[w1], [w2]]`` and ``intercepts[1] = [b]``.
* ``activations[0]`` is the input batch X, ``activations[l]`` the outputs ``a``
  of hidden layer l, and ``activations[-1]`` the output layer's ``z_L`` (the
  logits), from which both ŷ = g(z_L) and the loss are computed.
* ``delta`` is ∂L/∂z for the layer at hand (the derivation's "error").
* Each sample i carries a weight s_i; S = Σ s_i.  Unweighted data is s_i = 1,
  S = n.  The loss is ``L = Σ_i s_i ℓ_i / S + (α / 2S) Σ_l ‖W_l‖²``, scikit-learn's
  ``MLPClassifier`` scaling, and integer weights are the same as repeated rows.

Speed comes from how this one implementation is written, not from other copies:
the parameters are views of one flat vector (all weights, then all biases) that
the optimizers update in a few calls, and the functions accept arrays to write
into (``out``), which :class:`Objective` allocates once and reuses for every batch.
"""

from typing import NamedTuple

import numpy as np

from ._activations import ACTIVATIONS
from ._heads import get_head

# Rows per chunk of a large batch: the widest layer (input included) of one chunk holds
# about this many numbers, so a full batch needs a few per-chunk arrays of this size
# and never a second copy of X (its measurement: benchmarks/results.md, "Measured choices").
CHUNK_ELEMENTS = 2**18


class Layout:
    """Where each layer's weights and biases sit in one flat parameter vector.

    The order is all weights, layer by layer, then all biases, so
    ``flat[:n_coefs]`` holds every weight (what the L2 penalty sees) and
    nothing else.
    """

    def __init__(self, layer_units):
        self.layer_units = list(layer_units)
        coef_shapes = list(zip(self.layer_units[:-1], self.layer_units[1:]))
        self.shapes = coef_shapes + [(fan_out,) for fan_out in self.layer_units[1:]]
        self.n_layers = len(coef_shapes)
        self.offsets = np.cumsum([0] + [int(np.prod(s)) for s in self.shapes]).tolist()
        self.n_coefs = self.offsets[self.n_layers]
        self.size = self.offsets[-1]

    def views(self, flat):
        """``coefs, intercepts``: arrays that share memory with ``flat``."""
        arrays = [
            flat[start:stop].reshape(shape)
            for start, stop, shape in zip(self.offsets, self.offsets[1:], self.shapes)
        ]
        return arrays[: self.n_layers], arrays[self.n_layers :]

    def pack(self, coefs, intercepts, dtype=None):
        """A new flat vector holding copies of ``coefs`` and ``intercepts``."""
        arrays = [*coefs, *intercepts]
        return np.concatenate([np.ravel(a) for a in arrays]).astype(dtype or arrays[0].dtype)

    def flat_of(self, coefs, intercepts):
        """The flat vector that ``coefs, intercepts`` are exactly the views of, else None."""
        arrays = [*coefs, *intercepts]
        base = getattr(arrays[0], "base", None)
        if not isinstance(base, np.ndarray) or base.ndim != 1 or base.size != self.size:
            return None
        expected = self.views(base)
        for a, b in zip(arrays, expected[0] + expected[1]):
            if a.base is not base or a.shape != b.shape or a.ctypes.data != b.ctypes.data:
                return None
        return base


def init_params(layer_units, activation, random_state, dtype=np.float64):
    """Draw Glorot-uniform weights and biases, as views of one flat vector.

    Parameters
    ----------
    layer_units : sequence of int
        Units per layer, input layer first and output layer last.
    activation : str
        Hidden activation; the logistic sigmoid gets a bound √2 times smaller
        (Glorot & Bengio, 2010), as in scikit-learn.
    random_state : numpy.random.RandomState
        Source of randomness; drawn in scikit-learn's order (each layer's
        weights, then its biases).
    dtype : numpy dtype, default=float64
        Floating-point type of the returned arrays.

    Returns
    -------
    coefs, intercepts : list of ndarray
        ``coefs[l]`` of shape (layer_units[l], layer_units[l+1]) and
        ``intercepts[l]`` of shape (layer_units[l+1],), views of one flat
        vector (see :class:`Layout`).

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
        coefs.append(random_state.uniform(-bound, bound, (fan_in, fan_out)))
        intercepts.append(random_state.uniform(-bound, bound, fan_out))
    layout = Layout(layer_units)
    return layout.views(layout.pack(coefs, intercepts, dtype))


def _n_rows(rows):
    """The number of rows a slice or an index array selects."""
    return rows.stop - rows.start if isinstance(rows, slice) else len(rows)


def _chunk_rows(layer_units, X=None):
    """Rows per chunk: about ``CHUNK_ELEMENTS`` numbers in a chunk's widest dense array.

    A sparse X's chunk holds only its nonzeros, so its width does not count: counted, a
    wide sparse X would be cut into chunks of a few rows, each forming the whole Xᵀδ.
    """
    dense = X is None or isinstance(X, np.ndarray)
    return max(1, CHUNK_ELEMENTS // max(layer_units if dense else layer_units[1:]))


def _matmul(a, b, out=None):
    """a @ b, written into ``out`` when given; ``a`` may be a sparse matrix."""
    if out is None:
        return a @ b
    if isinstance(a, np.ndarray):
        return np.dot(a, b, out=out)  # matmul's bits; faster (benchmarks/results.md)
    out[...] = a @ b  # sparse a: scipy allocates the product
    return out


def forward(X, coefs, intercepts, activation, out=None, derivatives=None, masks=None):
    """Forward pass: z_l = a_{l-1} W_l + b_l, a_l = f(z_l) for every hidden layer.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Input batch.
    coefs, intercepts : list of ndarray
        Network parameters (see the module docstring).
    activation : str
        Hidden activation name (a key of ``_activations.ACTIVATIONS``).
    out : list of ndarray, optional
        One array of shape (n_samples, units) per layer to write a_l (and the
        logits) into; new arrays when None.
    derivatives : list of ndarray, optional
        For training: one array of shape (n_samples, units) per hidden layer,
        written with f'(z_l) for :func:`backward`. None (prediction): no
        derivatives are computed.
    masks : list of ndarray, optional
        Inverted dropout, in training: one array per hidden layer, 0 for a
        dropped unit and 1 / (1 − p) for a kept one. The layer's output is
        m ⊙ f(z), so both a_l and f'(z_l) are multiplied by m.

    Returns
    -------
    activations : list of ndarray
        ``[X, a_1, …, a_{L-1}, z_L]``: the output layer's logits come last,
        before its activation g (sigmoid or softmax), which
        :func:`output_error` and prediction apply.

    Examples
    --------
    >>> import numpy as np
    >>> coefs, intercepts = [np.array([[1.0], [-1.0]])], [np.array([0.5])]
    >>> forward(np.array([[2.0, 2.0]]), coefs, intercepts, "logistic")[-1]
    array([[0.5]])
    """
    hidden, derivative = ACTIVATIONS[activation]
    last = len(coefs) - 1
    activations = [X]
    for layer, (W, b) in enumerate(zip(coefs, intercepts)):
        a_out = None if out is None else out[layer]
        keep = layer < last and derivatives is not None  # training: f'(z_l) is kept
        # z_l overwrites a_l (or the logits), or waits in f'(z_l)'s array until it is computed.
        z = _matmul(activations[layer], W, derivatives[layer] if keep else a_out)
        z += b
        if not keep:
            activations.append(z if layer == last else hidden(z))
            continue
        a = hidden(z, np.empty_like(z) if a_out is None else a_out)
        derivative(z, a, out=z)
        if masks is not None:
            a *= masks[layer]
            z *= masks[layer]
        activations.append(a)
    return activations


def data_loss(logits, y, head, sample_weight=None):
    """Σ_i s_i ℓ_i: the summed, weighted loss of the output head, from the logits (kept).

    The arguments are :func:`output_error`'s (``sample_weight`` None: all ones).
    Divide by S for the mean loss.

    Examples
    --------
    >>> import numpy as np
    >>> data_loss(np.zeros((1, 1)), np.ones((1, 1)), "logistic")  # -log(1/2)
    0.6931471805599453
    """
    per_sample = get_head(head).loss(logits.copy(), y)
    return float(per_sample.sum() if sample_weight is None else per_sample @ sample_weight)


def constant_loss(Y, head, sample_weight=None, constant=None):
    """The mean loss of one constant prediction for every row: by default the best constant.

    The best constant is the head's fit to no feature at all: the (weighted)
    class frequencies for log-loss, the mean for squared error and Poisson
    deviance, the median or the q-quantile for the absolute and pinball
    losses. ``constant`` gives the logits instead (0: predicting z = 0). The
    means and losses are read in chunks of rows; the median and quantiles sort
    a copy of Y.

    Examples
    --------
    >>> import numpy as np
    >>> round(constant_loss(np.array([[0.0], [1.0]]), "logistic"), 4)  # log 2: p = 1/2
    0.6931
    >>> constant_loss(np.array([[1.0], [3.0]]), "squared_error")  # ((1 − 2)² + (3 − 2)²) / 4
    0.5
    """
    n_rows, chunk = len(Y), 8192
    chunks = [slice(start, min(start + chunk, n_rows)) for start in range(0, n_rows, chunk)]
    w = np.ones(n_rows) if sample_weight is None else np.asarray(sample_weight, np.float64)
    weight_sum = float(w.sum())
    name, q = (head, 0.5) if isinstance(head, str) else head
    if constant is not None:
        constant = np.full(Y.shape[1], constant, np.float64)
    elif name in ("absolute_error", "quantile"):  # the weighted q-quantile of each column
        order = np.argsort(Y, axis=0)
        below = (np.cumsum(w[order], axis=0) < q * weight_sum).sum(axis=0)
        constant = np.take_along_axis(Y, order, 0)[np.minimum(below, n_rows - 1), range(Y.shape[1])]
    else:
        mean = sum(w[c] @ Y[c] for c in chunks) / weight_sum  # class frequencies, or the mean
        tiny = np.finfo(np.float64).tiny
        constant = {
            "logistic": lambda: np.log(np.maximum(mean, tiny)) - np.log(np.maximum(1 - mean, tiny)),
            "softmax": lambda: np.log(np.maximum(mean, tiny)),
            "poisson": lambda: np.log(np.maximum(mean, tiny)),
        }.get(name, lambda: mean)()
    constant = np.asarray(constant, np.float64)
    loss = 0.0
    for c in chunks:
        logits = np.broadcast_to(constant, (c.stop - c.start, Y.shape[1]))
        loss += data_loss(logits, Y[c], head, None if sample_weight is None else w[c])
    return loss / weight_sum


def output_error(logits, y, head, sample_weight, weight_sum):
    """The loss Σ_i s_i ℓ_i, and δ_L = s_i (∂ℓ_i/∂z_L) / S written over the logits.

    The head's error ∂ℓ_i/∂z_L is ŷ − y (the derivation's error term) for
    log-loss with a sigmoid or softmax output, squared error with the
    identity and Poisson deviance with exp; a subgradient for the absolute
    error and the pinball loss (see ``_heads``). The weights and
    normalisation come from the weighted mean over the batch. The loss comes
    with it because both are computed from the same logits.

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_outputs)
        The output layer's z_L; overwritten with δ_L.
    y : ndarray of shape (n_samples, n_outputs)
        Targets: 0/1 indicators for classification (one column for binary y,
        one-hot for multiclass y, the indicator matrix for multilabel y), the
        values for regression.
    head : str or tuple
        The output head and its loss (see ``_heads.get_head``): 'logistic',
        'softmax', 'squared_error', 'poisson', 'absolute_error' or
        ``('quantile', q)``.
    sample_weight : ndarray of shape (n_samples,) or None
        Per-sample weights s_i; None means all ones.
    weight_sum : float
        S, the batch's total weight (its size when unweighted).

    Returns
    -------
    loss : float
        Σ_i s_i ℓ_i.
    delta : ndarray of shape (n_samples, n_outputs)
        δ_L, in the logits' array.

    Examples
    --------
    >>> import numpy as np
    >>> loss, delta = output_error(np.zeros((2, 1)), np.array([[1.0], [0.0]]), "logistic", None, 2)
    >>> round(loss, 4), delta
    (1.3863, array([[-0.25],
           [ 0.25]]))
    """
    _, loss, error = get_head(head)
    per_sample = loss(logits, y)  # the logits become ŷ = g(z_L)
    delta = error(logits, y)  # ∂ℓ_i/∂z_L, over ŷ
    if sample_weight is None:
        delta /= weight_sum
        return float(per_sample.sum()), delta
    delta *= (sample_weight / weight_sum)[:, np.newaxis]
    return float(per_sample @ sample_weight), delta


def backward(activations, delta, coefs, derivatives, coef_grads, intercept_grads):
    """Backward pass from the output error to every weight's and bias's gradient.

    For each layer l, from the last to the first:

    * ∂L/∂W_l = a_{l-1}ᵀ δ_l                   (derivation: ∂L/∂w1 = (ŷ − y) a1)
    * ∂L/∂b_l = Σ_i δ_l                        (derivation: ∂L/∂b = ŷ − y)
    * δ_{l-1} = (δ_l W_lᵀ) ⊙ f'(z_{l-1})        (derivation: (ŷ − y) w1 a1(1 − a1))

    The L2 penalty's share, (α / S) W_l, is added by :class:`Objective`.

    Parameters
    ----------
    activations : list of ndarray
        From :func:`forward`; each hidden layer's a_{l-1} is overwritten with
        δ_{l-1} once its weight gradient is computed (a is spent by then).
    delta : ndarray of shape (n_samples, n_outputs)
        The output error from :func:`output_error`.
    coefs : list of ndarray
        Weights.
    derivatives : list of ndarray
        f'(z_l) of each hidden layer, from :func:`forward`.
    coef_grads, intercept_grads : list of ndarray
        Written with ∂L/∂W_l and ∂L/∂b_l.

    Returns
    -------
    coef_grads, intercept_grads : list of ndarray

    Examples
    --------
    >>> import numpy as np
    >>> X, W = np.array([[1.0, 2.0]]), [np.array([[0.5], [-0.5]])]
    >>> coef_grads, intercept_grads = [np.empty((2, 1))], [np.empty(1)]
    >>> _ = backward([X, None], np.array([[0.25]]), W, [], coef_grads, intercept_grads)
    >>> coef_grads[0].ravel(), intercept_grads[0]
    (array([0.25, 0.5 ]), array([0.25]))
    """
    for layer in range(len(coefs) - 1, -1, -1):
        a_prev = activations[layer]
        _matmul(a_prev.T, delta, coef_grads[layer])
        delta.sum(axis=0, out=intercept_grads[layer])
        if layer > 0:
            delta = _matmul(delta, coefs[layer].T, a_prev)
            delta *= derivatives[layer - 1]
    return coef_grads, intercept_grads


def penalized_loss(loss_sum, weight_sum, theta, grad, layout, alpha):
    """L = (Σ s_i ℓ_i + (α / 2) Σ_l ‖W_l‖²) / S; adds the penalty's (α / S) W_l to ``grad``.

    ``loss_sum`` is Σ s_i ℓ_i (:func:`data_loss`), ``weight_sum`` is S;
    ``theta`` and ``grad`` are flat vectors in ``layout``'s order (weights
    first: biases are not penalised); ``grad`` already holds the data part.

    Examples
    --------
    >>> import numpy as np
    >>> layout = Layout([1, 1])  # one weight, one bias
    >>> grad = np.zeros(2)
    >>> penalized_loss(3.0, 2.0, np.array([2.0, 5.0]), grad, layout, alpha=1.0), grad
    (2.5, array([1., 0.]))
    """
    if not alpha:
        return loss_sum / weight_sum
    weights = theta[: layout.n_coefs]
    grad[: layout.n_coefs] += (alpha / weight_sum) * weights
    return (loss_sum + 0.5 * alpha * float(weights @ weights)) / weight_sum


class Evaluation(NamedTuple):
    """What one evaluation of an objective returns, for a solver to unpack."""

    #: L = (Σ s_i ℓ_i + (α / 2) Σ_l ‖W_l‖²) / S, the mean loss with the penalty.
    loss: float
    #: ∂L/∂θ in the objective's reused array, overwritten by its next call.
    grad: np.ndarray
    #: Σ s_i ℓ_i over the rows: the data loss, without the penalty, not divided by S.
    loss_sum: float
    #: Σ s_i over the rows.
    weight: float


class Objective:
    """The training loss of a batch and its gradient, for flat parameters.

    The data are bound when the objective is built (or rebound with
    :meth:`bind`); then every solver calls it the same way: ``loss, grad, *_ =
    objective(rows)`` runs :func:`forward`, :func:`output_error` and
    :func:`backward` on ``rows`` of the training rows (None: all of them, the
    full batch) and adds the L2 penalty (:class:`Evaluation`). A batch of more
    than ``max_rows`` rows is processed in chunks of that many rows whose
    gradients add up (the loss is a sum over rows), so a full batch never
    gathers a second copy of X. The per-chunk arrays are allocated once, for
    the largest chunk seen, and reused, so training allocates nothing per
    batch. :meth:`batches` cuts the training rows into an epoch's mini-batches.

    Parameters
    ----------
    theta : ndarray of shape (n_params,)
        The parameters as one flat vector (see :class:`Layout`); the objective
        reads them through views, so updating ``theta`` in place updates the
        network.
    layer_units : list of int
        Units per layer, input first.
    activation : str
        The hidden activation (``_activations.ACTIVATIONS``).
    head : str or tuple
        The output head and its loss (``_heads.get_head``).
    alpha : float
        L2 penalty strength.
    data : tuple, optional
        ``(X, Y, sample_weight)`` or ``(X, Y, sample_weight, rows)``, passed to
        :meth:`bind`.
    dropout : float, default=0
        Probability p of dropping each hidden unit (inverted dropout); 0 for
        none, and then no random numbers are drawn.
    random_state : numpy.random.RandomState, optional
        Draws the dropout masks; needed when ``dropout > 0``.
    max_rows : int, optional
        Rows per chunk; by default about ``CHUNK_ELEMENTS`` numbers in the
        widest layer (a sparse X's width does not count: see ``_chunk_rows``).
    weight_sum : float, optional
        The S to divide by; None means each batch's own total weight. With
        α = 0, a block of a larger batch given that batch's S gets its share
        of the batch's gradient, and Σ s_i ℓ_i over its rows in ``loss_sum``:
        the shares add up to the batch's loss and gradient (``_dask`` sums
        blocks so).

    Examples
    --------
    >>> import numpy as np
    >>> data = (np.array([[1.0, 2.0]]), np.array([[1.0]]), None)
    >>> objective = Objective(np.zeros(3), [2, 1], "logistic", "logistic", 0.0, data)
    >>> loss, grad, loss_sum, weight = objective()
    >>> round(loss, 4), grad
    (0.6931, array([-0.5, -1. , -0.5]))
    """

    def __init__(
        self,
        theta,
        layer_units,
        activation,
        head,
        alpha,
        data=None,
        *,
        dropout=0.0,
        random_state=None,
        max_rows=None,
        weight_sum=None,
    ):
        self.layout = layout = Layout(layer_units)
        self.theta = theta
        self.grad = np.empty_like(theta)
        self.coefs, self.intercepts = layout.views(theta)
        self.activation, self.head, self.alpha = activation, head, alpha
        self.dropout, self.random_state = dropout, random_state
        self._max_rows = max_rows
        self.max_rows = max_rows or _chunk_rows(layout.layer_units)
        self.fixed_weight_sum = weight_sum
        self._capacity = 0  # rows the per-chunk arrays have room for
        self._grad_views = layout.views(self.grad)
        self._chunk_grad = None  # the chunks after the first: made when first needed
        if data is not None:
            self.bind(*data)

    def bind(self, X, Y, sample_weight=None, rows=None):
        """Train on ``X``, its 0/1 targets ``Y`` and weights (None: all ones).

        ``rows`` are the training rows (a slice or indices); None means every
        row of positive weight. Returns their number, kept in ``self.n_train``.
        """
        if rows is None and sample_weight is not None:
            rows = np.flatnonzero(sample_weight)  # a zero weight drops the row
        if rows is None or len(rows) == X.shape[0]:
            rows = slice(0, X.shape[0])  # every row: slices of X, no gathering
        self.X, self.Y, self.sample_weight, self.rows = X, Y, sample_weight, rows
        self.max_rows = self._max_rows or _chunk_rows(self.layout.layer_units, X)
        self.n_train = _n_rows(rows)
        self.order = None  # the last epoch's order of the rows (see batches)
        return self.n_train

    def batches(self, batch_size, random_state=None):
        """One epoch's mini-batches of the training rows: slices of X, or index arrays.

        ``[None]`` (the full batch) when ``batch_size`` covers every row: its
        gradient does not depend on the order. With ``random_state``, each
        epoch shuffles the previous epoch's order (at first the training rows),
        as ``MLPClassifier`` does, so that the same seed visits the rows in the
        same order.
        """
        if batch_size >= self.n_train:
            return [None]
        order, n_rows = self.order, self.X.shape[0]
        if order is None and not isinstance(self.rows, slice):
            order = self.rows
        if random_state is not None:
            order = np.arange(n_rows) if order is None else order
            order = self.order = order[random_state.permutation(len(order))]
        if order is None:
            return (slice(s, min(s + batch_size, n_rows)) for s in range(0, n_rows, batch_size))
        if batch_size == 1:  # a one-row slice is a view: cheaper than gathering the row
            return (slice(i, i + 1) for i in order.tolist())
        return (order[s : s + batch_size] for s in range(0, len(order), batch_size))

    def __call__(self, rows=None):
        """L and ∂L/∂θ on ``rows`` of X (a slice or indices; None: the training rows).

        Returns an :class:`Evaluation`. The chunks' gradients go to ``self.grad``
        (the first) and are added there; the penalty comes last.
        """
        rows = self.rows if rows is None else rows
        sw = None if self.sample_weight is None else self.sample_weight[rows]
        n_rows = _n_rows(rows)
        weight = n_rows if sw is None else float(sw.sum())
        weight_sum = self.fixed_weight_sum or weight  # S
        loss_sum = 0.0
        for start in range(0, n_rows, self.max_rows):
            stop = min(start + self.max_rows, n_rows)
            if isinstance(rows, slice):
                X, Y = self._gather(slice(rows.start + start, rows.start + stop))
            else:
                X, Y = self._gather(rows[start:stop])
            out, derivatives = self._arrays_for(stop - start)
            masks = self._dropout_masks(derivatives)
            activations = forward(
                X, self.coefs, self.intercepts, self.activation, out, derivatives, masks
            )
            chunk_sw = None if sw is None else sw[start:stop]
            chunk_loss, delta = output_error(activations[-1], Y, self.head, chunk_sw, weight_sum)
            coef_grads, intercept_grads = self._chunk_grads() if start else self._grad_views
            backward(activations, delta, self.coefs, derivatives, coef_grads, intercept_grads)
            loss_sum += chunk_loss
            if start:
                self.grad += self._chunk_grad  # the loss is a sum over rows: so are the gradients
        loss = penalized_loss(loss_sum, weight_sum, self.theta, self.grad, self.layout, self.alpha)
        return Evaluation(loss, self.grad, loss_sum, weight)

    def _arrays_for(self, n_rows):
        """The per-layer arrays cut to ``n_rows`` rows (kept: batches repeat their size)."""
        arrays = self._cut.get(n_rows)
        if arrays is None:
            arrays = self._cut[n_rows] = (
                [a[:n_rows] for a in self._out],
                [d[:n_rows] for d in self._derivatives],
            )
        return arrays

    def _dropout_masks(self, like):
        """Inverted dropout masks per hidden layer: 1 / (1 − p) with probability 1 − p, else 0."""
        if not self.dropout:
            return None
        keep = 1 - self.dropout
        draws = [self.random_state.random_sample(d.shape) for d in like]
        return [(u < keep) / d.dtype.type(keep) for u, d in zip(draws, like)]

    def _gather(self, rows):
        """The chunk's X and Y: views for a slice, else copies into reused arrays."""
        X, Y, n_rows = self.X, self.Y, _n_rows(rows)
        if n_rows > self._capacity:
            units, dtype = self.layout.layer_units, self.theta.dtype
            self._capacity = n_rows
            self._out = [np.empty((n_rows, u), dtype) for u in units[1:]]
            self._derivatives = [np.empty((n_rows, u), dtype) for u in units[1:-1]]
            self._X = self._Y = None
            self._cut = {}
        if isinstance(rows, slice):
            return X[rows], Y[rows]
        if self._Y is None:
            self._Y = np.empty((self._capacity, Y.shape[1]), Y.dtype)
        # mode="clip" skips the bounds check that makes np.take buffer its output;
        # the rows are valid indices by construction.
        Y_rows = np.take(Y, rows, axis=0, out=self._Y[:n_rows], mode="clip")
        if not isinstance(X, np.ndarray):
            return X[rows], Y_rows  # sparse: scipy gathers
        if self._X is None:
            self._X = np.empty((self._capacity, X.shape[1]), X.dtype)
        return np.take(X, rows, axis=0, out=self._X[:n_rows], mode="clip"), Y_rows

    def _chunk_grads(self):
        """Views of the gradient array of the chunks after the first (added to ``grad``)."""
        if self._chunk_grad is None:
            self._chunk_grad = np.empty_like(self.grad)
            self._chunk_grad_views = self.layout.views(self._chunk_grad)
        return self._chunk_grad_views
