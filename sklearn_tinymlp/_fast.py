"""The derivation's forward and backward passes, specialised for speed.

``_network`` is the readable statement of backpropagation; this module computes
the same numbers with fewer NumPy calls and no per-batch temporaries, and is
tested equal to it (``tests/test_performance_paths.py``):

* all weights, then all biases, live in one flat vector (and so do their
  gradients and the optimizer's state), so the L2 penalty is one dot product
  and an optimizer step is a handful of ufunc calls for the whole network;
* every per-batch array (activations, deltas) is allocated once per
  epoch and written in place with ``out=``;
* the output error comes straight from the logits: a sigmoid output gets
  log σ(z) and σ(z); a softmax output shares one ``exp`` between ŷ and the loss;
* a batch larger than ``CHUNK_ELEMENTS`` allows is processed in row chunks
  whose gradients add up, so full-batch gradient descent keeps its hidden
  activations in cache and never holds a second copy of X; the chunks are
  summed in a fixed number of lanes that worker threads share, so the result
  does not depend on the number of threads;
* small matrix products run on one BLAS thread (:func:`one_blas_thread`);
* :class:`FullBatchObjective` is the same for L-BFGS, and
  :func:`forward_logits` / :func:`softmax_rows` / :func:`plain_float_array`
  make prediction lean.

Only dense X goes through here; sparse X takes the reference loop in
``_training`` and ``_network.forward``.
"""

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from math import isfinite

import numpy as np
from scipy.linalg.blas import get_blas_funcs
from scipy.special import log_expit

from ._optimizers import AdamOptimizer, SGDOptimizer

# Below this many multiply-adds per chunk (all layers' products together), the
# products run on one BLAS thread: splitting them costs more in hand-offs than
# it saves, and far more when the other cores are busy.
SINGLE_THREAD_FLOPS = 2**23

# A batch of several chunks is summed in this many lanes (at most), each of which
# one thread can take; fixed, so that the sums do not depend on the thread count.
LANES = 4

# Rows per chunk are chosen so that the widest layer's activations of one chunk
# hold about this many numbers (≈ 512 KiB in float64): small enough to stay in a
# core's cache between the matrix product and the elementwise work after it.
CHUNK_ELEMENTS = 2**16


class FlatLayout:
    """Where each layer's weights and biases sit in one flat parameter vector.

    The order is that of ``coefs + intercepts`` (the optimizers' ``params``),
    so ``flat[:n_coefs]`` holds every weight and nothing else.
    """

    def __init__(self, layer_units):
        self.coef_shapes = list(zip(layer_units[:-1], layer_units[1:]))
        self.intercept_shapes = [(fan_out,) for fan_out in layer_units[1:]]
        self.shapes = self.coef_shapes + self.intercept_shapes
        self.offsets = np.cumsum([0] + [int(np.prod(s)) for s in self.shapes]).tolist()
        self.n_coefs = self.offsets[len(self.coef_shapes)]
        self.size = self.offsets[-1]

    def views(self, flat):
        """``coefs, intercepts``: arrays that share memory with ``flat``."""
        arrays = [
            flat[start:stop].reshape(shape)
            for start, stop, shape in zip(self.offsets[:-1], self.offsets[1:], self.shapes)
        ]
        n = len(self.coef_shapes)
        return arrays[:n], arrays[n:]

    def pack(self, arrays, out=None):
        """Copy ``coefs + intercepts`` into one flat vector."""
        if out is None:
            out = np.empty(self.size, dtype=arrays[0].dtype)
        for a, start, stop in zip(arrays, self.offsets[:-1], self.offsets[1:]):
            out[start:stop] = a.ravel()
        return out

    def base_of(self, arrays):
        """The flat vector ``arrays`` are consecutive views of, in this layout; else None."""
        base = arrays[0].base
        if (
            base is None
            or base.ndim != 1
            or base.size != self.size
            or not base.flags.c_contiguous
            or len(arrays) != len(self.shapes)
        ):
            return None
        start_address = base.__array_interface__["data"][0]
        for a, start, shape in zip(arrays, self.offsets[:-1], self.shapes):
            if (
                a.base is not base
                or a.shape != shape
                or not a.flags.c_contiguous
                or a.__array_interface__["data"][0] != start_address + start * base.itemsize
            ):
                return None
        return base

    def unpack(self, flat, arrays):
        """Copy the flat vector back into ``coefs + intercepts``, in place."""
        for a, start, stop in zip(arrays, self.offsets[:-1], self.offsets[1:]):
            a[...] = flat[start:stop].reshape(a.shape)


# --- in-place hidden activations and their derivatives ---------------------
#
# Same formulas as ``_activations``.  The derivative may overwrite the
# activation ``a`` it is given: backpropagation has used a for the layer's
# weight gradient already and needs it no more, so no scratch array is needed.


def _logistic(z):
    np.negative(z, out=z)
    np.exp(z, out=z)  # e^(−z) overflows to inf for z < −709: σ = 1/inf = 0, as it should
    z += 1
    return np.divide(1, z, out=z)


def _tanh(z):
    return np.tanh(z, out=z)


def _relu(z):
    return np.maximum(z, 0, out=z)


def _identity(z):
    return z


def _logistic_derivative(a, delta):
    delta *= a
    np.subtract(1, a, out=a)
    delta *= a  # δ a (1 − a)


def _tanh_derivative(a, delta):
    np.multiply(a, a, out=a)
    np.subtract(1, a, out=a)
    delta *= a  # δ (1 − a²)


def _relu_derivative(a, delta):
    np.greater(a, 0, out=a)
    delta *= a  # δ where the unit is on, else 0


def _identity_derivative(a, delta):
    pass


HIDDEN = {"logistic": _logistic, "tanh": _tanh, "relu": _relu, "identity": _identity}
DERIVATIVE = {
    "logistic": _logistic_derivative,
    "tanh": _tanh_derivative,
    "relu": _relu_derivative,
    "identity": _identity_derivative,
}


class _ChunkBuffers:
    """One worker's arrays for a chunk of up to ``rows`` rows."""

    def __init__(self, layer_units, rows, dtype, softmax):
        self.rows = rows
        # z_l, overwritten by a_l = f(z_l); the last is the output layer's logits.
        self.activations = [np.empty((rows, u), dtype) for u in layer_units[1:]]
        self.deltas = [np.empty((rows, u), dtype) for u in layer_units[1:-1]]  # hidden layers
        n_out = layer_units[-1]
        if softmax:
            self.row_scratch = np.empty(rows, dtype)
            self.row_scratch2 = np.empty(rows, dtype)
        else:
            self.out_scratch = np.empty((rows, n_out), dtype)
            self.out_scratch2 = np.empty((rows, n_out), dtype)
        # Σ_i δ_i as a matrix-vector product with ones: several times faster than sum(axis=0).
        self.ones = np.ones(rows, dtype)
        self.X_buffer = self.Y_buffer = None  # allocated by the first gather
        self.chunk_grad = None  # allocated by the first chunk added to a lane

    def gather(self, X, Y, rows, m):
        """The rows' X and Y: views for a slice, else copies into the gather buffers."""
        if isinstance(rows, slice):
            return X[rows], Y[rows]
        if self.X_buffer is None:
            self.X_buffer = np.empty((self.rows, X.shape[1]), X.dtype)
            self.Y_buffer = np.empty((self.rows, Y.shape[1]), Y.dtype)
        # mode="clip" skips the bounds check that makes np.take buffer its output;
        # the rows are valid indices by construction.
        X_rows = np.take(X, rows, axis=0, out=self.X_buffer[:m], mode="clip")
        Y_rows = np.take(Y, rows, axis=0, out=self.Y_buffer[:m], mode="clip")
        return X_rows, Y_rows


class GradientWorkspace:
    """Buffers for the loss and gradient of batches of up to ``max_rows`` rows.

    A batch of more than one chunk is split into at most ``LANES`` lanes of
    consecutive chunks; each lane sums its chunks' gradients, and the lanes
    are added in order. The grouping depends only on the batch, so the result
    is the same whether ``pool`` runs the lanes on one thread or several.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input first.
    max_rows : int
        The largest batch to be passed to :meth:`loss_and_gradient`.
    dtype : numpy dtype
    activation, out_activation : str
    theta, grad : ndarray
        The flat parameter and gradient vectors (see :class:`FlatLayout`) that
        :meth:`loss_and_gradient` reads and writes.
    """

    def __init__(self, layer_units, max_rows, dtype, activation, out_activation, theta, grad):
        layout = self.layout = FlatLayout(layer_units)
        self.layer_units = layer_units
        self.dtype = dtype
        self.n_layers = len(layer_units) - 1
        self.hidden = HIDDEN[activation]
        self.derivative = DERIVATIVE[activation]
        self.softmax = out_activation == "softmax"
        widest = max(layer_units[1:])
        self.chunk_rows = int(max(1, min(max_rows, CHUNK_ELEMENTS // widest)))
        self.buffers = [_ChunkBuffers(layer_units, self.chunk_rows, dtype, self.softmax)]
        self.ones_out = np.ones(layer_units[-1], dtype)
        # Logits within ±exp_safe need no shift before e^z: no overflow, no underflow
        # below the smallest normal number, even summed over thousands of classes.
        self.exp_safe = 600.0 if np.dtype(dtype).itemsize >= 8 else 70.0
        # grad += c·W in place, with no temporary
        self.axpy = get_blas_funcs("axpy", (theta,))
        self.ger = get_blas_funcs("ger", (theta,))
        self.theta, self.grad = theta, grad
        self.coefs, self.intercepts = layout.views(theta)
        self.weights = theta[: layout.n_coefs]
        self.grad_weights = grad[: layout.n_coefs]
        self.lane_grads = [grad]  # lane 0 sums straight into grad
        self.lane_views = [layout.views(grad)]
        self.pool = None  # a ThreadPoolExecutor to run lanes on, set by the caller
        self.workers = 1

    def loss_and_gradient(self, X, Y, sample_weight, index, alpha):
        """Mean log-loss plus L2 penalty of one batch; its gradient goes to ``grad``.

        Parameters
        ----------
        X, Y : ndarray
            All the data; the batch is ``X[index]``, ``Y[index]``.
        sample_weight : ndarray or None
        index : slice or ndarray of int
            The batch's rows.
        alpha : float

        Returns
        -------
        loss : float
            As :func:`_network.log_loss`.
        weight_sum : float
            S, the batch's total sample weight (its size when unweighted).
        """
        is_slice = isinstance(index, slice)
        n_batch = index.stop - index.start if is_slice else index.shape[0]
        if sample_weight is None:
            sw_batch = None
            weight_sum = n_batch
        else:
            sw_batch = sample_weight[index]
            weight_sum = sw_batch.sum()
        chunk = self.chunk_rows
        batch = (X, Y, index, sw_batch, weight_sum)
        if n_batch <= chunk:
            buffers = self.buffers[0]
            X_batch, Y_batch = buffers.gather(X, Y, index, n_batch)
            data_loss = self._chunk(
                buffers, X_batch, Y_batch, sw_batch, weight_sum, self.lane_views[0]
            )
        else:
            chunks = [(start, min(start + chunk, n_batch)) for start in range(0, n_batch, chunk)]
            n_lanes = min(LANES, len(chunks))
            lanes = [
                chunks[i * len(chunks) // n_lanes : (i + 1) * len(chunks) // n_lanes]
                for i in range(n_lanes)
            ]
            while len(self.lane_grads) < n_lanes:
                self.lane_grads.append(np.empty_like(self.grad))
                self.lane_views.append(self.layout.views(self.lane_grads[-1]))
            workers = min(self.workers, n_lanes) if self.pool is not None else 1
            if workers == 1:
                losses = [self._lane(batch, lanes[i], i, self.buffers[0]) for i in range(n_lanes)]
            else:
                # Lanes go to whichever thread is free (a core busy with something else
                # takes fewer); each thread keeps its own buffers. The sums are the same.
                errstate = np.geterr()  # NumPy's error settings are per thread
                local = threading.local()
                spare = list(self.buffers)
                lock = threading.Lock()

                def run(i):
                    buffers = getattr(local, "buffers", None)
                    if buffers is None:
                        with lock:
                            buffers = spare.pop() if spare else None
                        if buffers is None:
                            buffers = _ChunkBuffers(
                                self.layer_units, chunk, self.dtype, self.softmax
                            )
                            with lock:
                                self.buffers.append(buffers)
                        local.buffers = buffers
                    with np.errstate(**errstate):
                        return self._lane(batch, lanes[i], i, buffers)

                losses = list(self.pool.map(run, range(n_lanes)))
            data_loss = 0.0
            for i in range(n_lanes):
                data_loss += losses[i]
                if i:
                    self.grad += self.lane_grads[i]
        weights = self.weights
        if alpha:
            # ∂/∂W of (α / 2S) Σ ‖W‖² is (α / S) W
            self.axpy(weights, self.grad_weights, a=alpha / weight_sum)
            data_loss += 0.5 * alpha * float(np.dot(weights, weights))
        return float(data_loss / weight_sum), float(weight_sum)

    def _lane(self, batch, chunks, lane, buffers):
        """Σ s_i ℓ_i over ``chunks`` of the batch; their gradient summed into lane ``lane``."""
        X, Y, index, sw_batch, weight_sum = batch
        lane_grad = self.lane_grads[lane]
        lane_views = self.lane_views[lane]
        data_loss = 0.0
        for k, (start, stop) in enumerate(chunks):
            if isinstance(index, slice):
                rows = slice(index.start + start, index.start + stop)
            else:
                rows = index[start:stop] if stop - start < index.shape[0] else index
            sw_chunk = None if sw_batch is None else sw_batch[start:stop]
            X_chunk, Y_chunk = buffers.gather(X, Y, rows, stop - start)
            if k == 0:
                views = lane_views
            else:
                if buffers.chunk_grad is None:
                    buffers.chunk_grad = np.empty_like(self.grad)
                    buffers.chunk_grad_views = self.layout.views(buffers.chunk_grad)
                views = buffers.chunk_grad_views
            data_loss += self._chunk(buffers, X_chunk, Y_chunk, sw_chunk, weight_sum, views)
            if k:
                lane_grad += buffers.chunk_grad
        return data_loss

    def _chunk(self, buffers, X, Y, sample_weight, weight_sum, grad_views):
        """Forward and backward over one chunk; returns Σ s_i ℓ_i over its rows."""
        m = X.shape[0]
        coefs, intercepts = self.coefs, self.intercepts
        activations, deltas = buffers.activations, buffers.deltas
        grad_coefs, grad_intercepts = grad_views
        last = self.n_layers - 1
        ones = buffers.ones[:m]
        # forward: z_l = a_{l-1} W_l + b_l, a_l = f(z_l)
        a = X
        for layer in range(last + 1):
            z = activations[layer][:m]
            np.matmul(a, coefs[layer], out=z)
            # z += b as the rank-one update z += 1 bᵀ: the same sums, with no buffer
            # (a broadcast += makes NumPy allocate one of up to 64 KiB).
            self.ger(1.0, intercepts[layer], ones, a=z.T, overwrite_a=True)
            if layer < last:
                self.hidden(z)
            a = z
        logits = a

        # The output error δ_L = s_i (ŷ − y) / S and the data loss Σ s_i ℓ_i, from the
        # logits; δ_L then overwrites the logits, which nothing needs any more.
        if self.softmax:
            if logits.max() > self.exp_safe or logits.min() < -self.exp_safe:
                # Shifting z by its row maximum changes neither ŷ nor
                # ℓ = logsumexp(z) − Σ_k y_k z_k (one-hot y sums to 1), and keeps e^z finite.
                logits -= np.max(logits, axis=1, keepdims=True)
            if sample_weight is None:
                yz = float(np.vdot(Y, logits))
            else:
                yz = np.einsum("ij,ij->i", Y, logits)
            k = logits.shape[1]
            if last > 0 and deltas[last - 1].size >= m * k:
                # e^z in the next layer's δ buffer (free until backward reaches it); then
                # ŷ = e^(z − log Σ e^z), the shift done by BLAS ger: no broadcast buffer.
                exp_z = deltas[last - 1].reshape(-1)[: m * k].reshape(m, k)
                np.exp(logits, out=exp_z)
                row = np.matmul(exp_z, self.ones_out, out=buffers.row_scratch[:m])
                log_sum = np.log(row, out=buffers.row_scratch2[:m])
                self.ger(-1.0, self.ones_out, log_sum, a=logits.T, overwrite_a=True)
                delta = np.exp(logits, out=logits)  # ŷ
            else:
                delta = np.exp(logits, out=logits)
                row = np.matmul(delta, self.ones_out, out=buffers.row_scratch[:m])  # Σ_k e^(z_k)
                log_sum = np.log(row, out=buffers.row_scratch2[:m])
                delta /= row[:, np.newaxis]  # ŷ
            if sample_weight is None:
                data_loss = float(log_sum.sum()) - yz
            else:
                data_loss = float((log_sum - yz) @ sample_weight)
        else:
            # ℓ = −[log σ(z) − (1 − y) z] per output unit (no log 0 even where σ(z) rounds to 0)
            log_p = log_expit(logits, out=buffers.out_scratch[:m])
            terms = np.subtract(1, Y, out=buffers.out_scratch2[:m])
            terms *= logits
            np.subtract(log_p, terms, out=terms)
            if sample_weight is None:
                data_loss = -float(terms.sum())
            else:
                data_loss = -float(terms.sum(axis=1) @ sample_weight)
            delta = np.exp(log_p, out=logits)  # ŷ = σ(z)
        delta -= Y
        if sample_weight is None:
            delta /= weight_sum
        else:
            delta *= (sample_weight / weight_sum)[:, np.newaxis]

        # backward: ∂L/∂W_l = a_{l-1}ᵀ δ_l, ∂L/∂b_l = Σ_i δ_l, δ_{l-1} = (δ_l W_lᵀ) ⊙ f'(a_{l-1})
        for layer in range(last, -1, -1):
            a_prev = X if layer == 0 else activations[layer - 1][:m]
            np.matmul(a_prev.T, delta, out=grad_coefs[layer])
            np.matmul(ones, delta, out=grad_intercepts[layer])
            if layer > 0:
                delta_prev = deltas[layer - 1][:m]
                np.matmul(delta, coefs[layer].T, out=delta_prev)
                self.derivative(a_prev, delta_prev)  # overwrites a_prev, used up
                delta = delta_prev
        return data_loss


_blas_lock = threading.Lock()
_blas_state = {"controller": None, "users": 0, "limiter": None, "threads": 1}


@contextlib.contextmanager
def one_blas_thread():
    """Run BLAS on one thread inside the block; yields how many it had before.

    Concurrent blocks (fits or predictions in several threads) share one
    limit, set by the first to enter and lifted by the last to leave, so the
    original setting is always restored.
    """
    with _blas_lock:
        state = _blas_state
        if state["users"] == 0:
            if state["controller"] is None:
                from threadpoolctl import ThreadpoolController

                state["controller"] = ThreadpoolController()
            blas = state["controller"].select(user_api="blas")
            state["threads"] = max([lib.num_threads for lib in blas.lib_controllers] or [1])
            state["limiter"] = blas.limit(limits=1)
        state["users"] += 1
        threads = state["threads"]
    try:
        yield threads
    finally:
        with _blas_lock:
            state["users"] -= 1
            if state["users"] == 0:
                state["limiter"].restore_original_limits()
                state["limiter"] = None


def blas_threads_for(layer_units, rows):
    """:func:`one_blas_thread` when a chunk's products are small, else no limit."""
    rows = min(rows, max(1, CHUNK_ELEMENTS // max(layer_units[1:])))
    flops = rows * sum(a * b for a, b in zip(layer_units[:-1], layer_units[1:]))
    if flops > SINGLE_THREAD_FLOPS:
        return contextlib.nullcontext()
    return one_blas_thread()


class FullBatchObjective:
    """The whole data set's loss and flat gradient as a function of flat parameters.

    What L-BFGS minimises: ``objective(theta) -> (loss, grad)``, with ``theta``
    and ``grad`` float64 vectors in the order of :class:`FlatLayout`, computed
    by :class:`GradientWorkspace` (in chunks of rows for large X) in the
    parameters' own dtype. Use it as a context manager around the
    optimisation: inside, BLAS runs on one thread, and a data set of several
    chunks has its lanes spread over as many Python threads as BLAS had.

    Parameters
    ----------
    X, Y : ndarray
        Dense data and 0/1 targets.
    sample_weight : ndarray or None
    layer_units : list of int
    activation, out_activation : str
    alpha : float
    dtype : numpy dtype
        The parameters' dtype.
    """

    def __init__(self, X, Y, sample_weight, layer_units, activation, out_activation, alpha, dtype):
        self.layout = FlatLayout(layer_units)
        self.theta = np.empty(self.layout.size, dtype)
        self.grad = np.empty(self.layout.size, dtype)
        n = X.shape[0]
        self.workspace = GradientWorkspace(
            layer_units, n, dtype, activation, out_activation, self.theta, self.grad
        )
        self.data = (X, Y, sample_weight, slice(0, n), alpha)
        self._stack = None

    def __enter__(self):
        self._stack = contextlib.ExitStack()
        threads = self._stack.enter_context(one_blas_thread())
        workspace = self.workspace
        if workspace.chunk_rows < self.data[0].shape[0]:
            workspace.workers = max(1, min(threads, os.cpu_count() or 1, LANES))
            if workspace.workers > 1:
                workspace.pool = self._stack.enter_context(ThreadPoolExecutor(workspace.workers))
        return self

    def __exit__(self, *exc):
        self.workspace.pool, self.workspace.workers = None, 1
        stack, self._stack = self._stack, None
        return stack.__exit__(*exc)

    def __call__(self, theta):
        self.theta[...] = theta
        loss, _ = self.workspace.loss_and_gradient(*self.data)
        return loss, self.grad.astype(np.float64)  # a copy: the optimizer may keep it


def flat_optimizer_supported(optimizer):
    """Whether ``optimizer`` is one whose state can be flattened (exact types only)."""
    return type(optimizer) in (SGDOptimizer, AdamOptimizer)


def minibatch_epoch(
    X,
    Y,
    sample_weight,
    batches,
    coefs,
    intercepts,
    optimizer,
    max_rows,
    activation,
    out_activation,
    alpha,
):
    """One epoch of mini-batch training over ``batches`` (slices or index arrays of X).

    Same updates as the reference loop in ``_training``; returns the epoch's
    loss (each batch's loss weighted by its share of the total weight).
    """
    layer_units = [coefs[0].shape[0], *(b.shape[0] for b in intercepts)]
    layout = FlatLayout(layer_units)
    params = coefs + intercepts
    theta = layout.base_of(params)  # parameters made by as_flat_views are used in place
    in_place = theta is not None
    if not in_place:
        theta = layout.pack(params)
    grad = np.empty_like(theta)
    workspace = GradientWorkspace(
        layer_units, max_rows, X.dtype, activation, out_activation, theta, grad
    )
    step = optimizer.update_params
    loss_and_gradient = workspace.loss_and_gradient
    theta_list, grad_list = (theta,), (grad,)
    # Between batches the first layer's activations are free: the optimizer's scratch.
    free = workspace.buffers[0].activations[0].reshape(-1)
    scratch = (free[: layout.size],) if free.size >= layout.size else None
    total_loss = 0.0
    total_weight = 0.0
    chunked = max_rows > workspace.chunk_rows
    optimizer.flatten_state(layout)
    try:
        with one_blas_thread() if chunked else blas_threads_for(layer_units, max_rows) as threads:
            if chunked:
                workspace.workers = max(1, min(threads or 1, os.cpu_count() or 1, LANES))
            if workspace.workers > 1:
                workspace.pool = ThreadPoolExecutor(workspace.workers)
            for index in batches:
                loss, weight_sum = loss_and_gradient(X, Y, sample_weight, index, alpha)
                if not isfinite(loss):
                    return loss
                step(theta_list, grad_list, scratch)
                total_loss += loss * weight_sum
                total_weight += weight_sum
    finally:
        if workspace.pool is not None:
            workspace.pool.shutdown()
        optimizer.unflatten_state(layout)
        if not in_place:
            layout.unpack(theta, params)
    return total_loss / total_weight


def as_flat_views(coefs, intercepts):
    """Copies of the parameters that are consecutive views of one flat vector.

    Training then updates that vector in place, with no copy of the network
    per epoch (see :meth:`FlatLayout.base_of`).
    """
    layer_units = [coefs[0].shape[0], *(b.shape[0] for b in intercepts)]
    layout = FlatLayout(layer_units)
    return layout.views(layout.pack(coefs + intercepts))


# --- prediction --------------------------------------------------------------

# Rows per prediction chunk: the widest layer's activations of one chunk hold
# about this many numbers (≈ 256 KiB in float64), so each chunk's elementwise
# work runs in cache right after its matrix product.
PREDICT_CHUNK_ELEMENTS = 2**15


def plain_float_array(estimator, X):
    """X itself when ``validate_data`` would return it unchanged; None otherwise.

    That is a 2-D float64 or float32 ``numpy.ndarray`` (not a subclass) with at
    least one row, the fitted number of columns, and no NaN or infinity, for
    an estimator fitted without feature names. Anything else returns None, and
    ``validate_data`` then converts, warns or raises exactly as usual; this
    skips only its per-call overhead (tens of microseconds), which dominates a
    one-row prediction.
    """
    if not (
        type(X) is np.ndarray
        and X.ndim == 2
        and (X.dtype == np.float64 or X.dtype == np.float32)
        and X.shape[0] > 0
        and X.shape[1] == getattr(estimator, "n_features_in_", -1)
        and not hasattr(estimator, "feature_names_in_")
    ):
        return None
    # One sum finds any NaN or inf (a sum that merely overflows defers to validate_data).
    with np.errstate(over="ignore", invalid="ignore"):
        total = X.sum()
    return X if isfinite(total) else None


def forward_logits(X, coefs, intercepts, activation):
    """The output layer's logits z_L for dense X: :func:`_network.forward`, leaner.

    Keeps no list of activations; large X goes through in row chunks, spread
    over as many Python threads as BLAS had (each chunk's products then run on
    one BLAS thread), and only the (n_samples, n_outputs) logits are allocated
    in full. Overflow is not reported here (inf or NaN logits come back as
    they are), as under ``np.errstate(over="ignore", invalid="ignore")``.
    """
    hidden = HIDDEN[activation]
    n = X.shape[0]
    last = len(coefs) - 1
    dtype = np.result_type(X.dtype, coefs[0].dtype)
    rows = max(64, PREDICT_CHUNK_ELEMENTS // max(b.shape[0] for b in intercepts))
    if n <= 2 * rows:
        with np.errstate(over="ignore", invalid="ignore"):
            a = X
            for layer, (W, b) in enumerate(zip(coefs, intercepts)):
                z = a @ W
                z += b
                a = z if layer == last else hidden(z)
        return a
    logits = np.empty((n, intercepts[-1].shape[0]), dtype)
    starts = list(range(0, n, rows))

    # z += b as the rank-one update z += 1 bᵀ (BLAS ger): no NumPy broadcast buffer.
    same_dtype = all(p.dtype == dtype for p in coefs + intercepts)
    ger = get_blas_funcs("ger", (logits,)) if same_dtype else None
    ones = np.ones(rows, dtype)

    local = threading.local()

    def work(chunk_starts):
        buffers = getattr(local, "buffers", None)
        if buffers is None:
            buffers = local.buffers = [np.empty((rows, b.shape[0]), dtype) for b in intercepts[:-1]]
        with np.errstate(over="ignore", invalid="ignore"):
            for start in chunk_starts:
                stop = min(start + rows, n)
                a = X[start:stop]
                for layer, (W, b) in enumerate(zip(coefs, intercepts)):
                    z = logits[start:stop] if layer == last else buffers[layer][: stop - start]
                    np.matmul(a, W, out=z)
                    if ger is None:
                        z += b
                    else:
                        ger(1.0, b, ones[: stop - start], a=z.T, overwrite_a=True)
                    a = z if layer == last else hidden(z)

    with one_blas_thread() as threads:
        workers = max(1, min(threads, os.cpu_count() or 1, len(starts) // 4))
        if workers == 1:
            work(starts)
        else:
            # Blocks of a few chunks go to whichever thread is free, so a core that is
            # busy with something else takes fewer.
            blocks = [starts[i : i + 4] for i in range(0, len(starts), 4)]
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(work, blocks))
    return logits


def softmax_rows(logits):
    """ŷ = softmax(z) per row, in place; shifts by the row maximum only when needed."""
    exp_safe = 600.0 if logits.dtype.itemsize >= 8 else 70.0
    with np.errstate(over="ignore"):
        if not (-exp_safe <= logits.min() and logits.max() <= exp_safe):
            # A gap between logits beyond the float range overflows to −inf: e^−inf = 0 is right.
            logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= (logits @ np.ones(logits.shape[1], logits.dtype))[:, np.newaxis]
    return logits
