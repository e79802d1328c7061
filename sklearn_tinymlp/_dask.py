"""Dask: training on data spread over a cluster, and predicting where it lives.

The estimator hands Dask input here and runs the in-memory code for the rest
(checks, targets, class weights, the trainer). Full batch ('lbfgs', full-batch
gradient descent): each persisted block computes its share of the loss and
gradient where it lives (:func:`block_sums`), added in block order on the
client (:class:`BlockSums`). Mini-batches: each epoch streams the blocks to
the client, the next fetched while one trains. Prediction maps the in-memory
methods over the blocks, lazily. Dask is imported only when given Dask input.
"""

import math
import warnings
from concurrent.futures import CancelledError, ThreadPoolExecutor

import numpy as np
from scipy import sparse

from . import _network
from ._cluster import (
    as_futures,
    block_holders,
    check_block_memory,
    pinned_sums,
    raise_if_closed,
)
from ._training import batch_size_for


def is_dask_collection(obj):
    """Whether ``obj`` is a Dask array, DataFrame or Series, decided without importing Dask.

    Examples
    --------
    >>> import numpy as np
    >>> is_dask_collection(np.zeros((2, 2)))
    False
    """
    module = type(obj).__module__ or ""
    return module.partition(".")[0] in ("dask", "dask_expr") and hasattr(obj, "__dask_graph__")


# ---------------------------------------------------------------- the input


def _unknown_chunks_error(name):
    return ValueError(
        f"{name} is a Dask array whose row chunk sizes are unknown (nan in {name}.chunks), "
        "as after boolean indexing or DataFrame.to_dask_array() without lengths. Call "
        f"{name}.compute_chunk_sizes() first (one pass over the data), or convert a Dask "
        "DataFrame with to_dask_array(lengths=True); fit accepts Dask DataFrames and "
        "Series directly."
    )


def _check_rows(data, rows_like):
    if data.ndim == 0 or data.shape[0] != rows_like.shape[0]:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"[{rows_like.shape[0]}, {data.shape[0] if data.ndim else 0}]"
        )


def _as_dask_array(data, name, rows_like=None):
    """``data`` as a Dask array with known row chunks, aligned with ``rows_like``'s rows.

    A Dask DataFrame or Series is converted with its partition lengths (one
    pass); NumPy data given beside a Dask X is chunked like X; data chunked
    differently from X along the rows is rechunked to X's row chunks.
    """
    import dask.array as da

    if hasattr(data, "to_dask_array"):  # a Dask DataFrame or Series
        data = data.to_dask_array(lengths=True)
    elif not is_dask_collection(data):
        data = np.asarray(data)
        if rows_like is None:
            raise TypeError(f"{name} must be a Dask array, DataFrame or Series.")
        _check_rows(data, rows_like)
        return da.from_array(data, chunks=(rows_like.chunks[0],) + data.shape[1:])
    if not hasattr(data, "chunks"):
        raise TypeError(
            f"{name} must be a Dask array, DataFrame or Series, got {type(data).__name__}."
        )
    if data.ndim == 0 or any(math.isnan(c) for c in data.chunks[0]):
        raise _unknown_chunks_error(name)
    if rows_like is None:
        return data
    _check_rows(data, rows_like)
    if data.chunks[0] != rows_like.chunks[0]:
        data = data.rechunk({0: rows_like.chunks[0]})  # lazy; labels and weights are small
    return data


def _meta(X):
    """A zero-row stand-in of X with its columns and dtypes, for scikit-learn's checks."""
    if hasattr(X, "to_dask_array"):
        return X._meta  # an empty pandas DataFrame with X's columns and dtypes
    if sparse.issparse(getattr(X, "_meta", None)):
        return sparse.csr_matrix((0,) + X.shape[1:], dtype=X.dtype)
    return np.empty((0,) + X.shape[1:], dtype=X.dtype)


def row_blocks(X, lengths=True, dense=True):
    """X as a Dask array of whole rows per block, and a zero-row stand-in for the checks.

    Training needs ``dense`` NumPy blocks and known row chunks (``lengths``).
    """
    if not hasattr(X, "to_dask_array") and not hasattr(X, "chunks"):
        raise TypeError(f"X must be a Dask array or DataFrame, got {type(X).__name__}.")
    meta = getattr(X, "_meta", None)
    if dense and hasattr(X, "chunks") and not isinstance(meta, np.ndarray):
        kind = "sparse (scipy.sparse)" if sparse.issparse(meta) else type(meta).__name__
        raise TypeError(
            f"X is a Dask array of {kind} blocks; training on Dask input needs dense NumPy "
            "blocks. If a dense block fits in a worker's memory, convert them with "
            "X.map_blocks(lambda b: b.toarray(), dtype=X.dtype); otherwise fit an "
            "in-memory scipy.sparse matrix."
        )
    stand_in = _meta(X)
    if hasattr(X, "to_dask_array"):
        X = X.to_dask_array(lengths=True if lengths else None)
    elif lengths or not any(math.isnan(c) for c in X.chunks[0]):
        X = _as_dask_array(X, "X")
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})  # each block holds whole rows
    return X, stand_in


def persisted(X, y, sample_weight, dtype):
    """X, y (1-D for one column) and the weights persisted in X's row chunks."""
    import dask

    y = _as_dask_array(y, "y", rows_like=X)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    elif y.ndim == 2 and y.numblocks[1] > 1:
        y = y.rechunk({1: -1})
    if sample_weight is not None:
        sample_weight = _as_dask_array(sample_weight, "sample_weight", rows_like=X)
        if sample_weight.ndim != 1:
            raise ValueError(
                f"sample_weight must be 1-dimensional, got shape {sample_weight.shape}."
            )
        sample_weight = sample_weight.astype(dtype)
    return dask.persist(X, y, sample_weight)  # the blocks stay on the workers


def _blocks(array):
    """The array's row blocks as a list of Delayed objects, in row order (None: Nones)."""
    return None if array is None else list(array.to_delayed().ravel())


def summed(func, *args):
    """Σ over row blocks of ``func(*args)``, each Dask array given block by block.

    Computed where the blocks live; added on the client in block order.
    """
    import dask

    n_blocks = next(a.numblocks[0] for a in args if is_dask_collection(a))
    split = [_blocks(a) if is_dask_collection(a) else [a] * n_blocks for a in args]
    return sum(dask.compute(*(dask.delayed(func)(*part) for part in zip(*split))))


def per_row(func, Y, *args, dtype):
    """``func(Y_block, *args)`` for each row block of Y: a lazy 1-D array of ``dtype``."""
    import dask

    return dask.persist(Y.map_blocks(func, *args, drop_axis=1, dtype=dtype))[0]


def check_finite(X):
    """The in-memory check of X's values, made on per-block counts."""
    if summed(lambda block: np.count_nonzero(~np.isfinite(block)), X):
        raise ValueError("Input X contains NaN or infinity.")


def distinct_rows(y):
    """y's distinct labels (indicator rows' distinct values), found where the blocks live.

    The in-memory label checks then run on these alone: one row per distinct
    label (one column per label for an indicator matrix) is enough for the label
    type, the class count and warm start.
    """
    import dask

    labels = np.unique(np.concatenate(dask.compute(*map(dask.delayed(np.unique), _blocks(y)))))
    return labels if y.ndim == 1 else np.repeat(labels[:, np.newaxis], y.shape[1], axis=1)


def encoded(y, encode, n_outputs, dtype):
    """The persisted target matrix Y: ``encode`` (the estimator's) per block of y."""
    import dask

    Y = y.map_blocks(
        encode,
        dtype=dtype,
        chunks=(y.chunks[0], (n_outputs,)),
        new_axis=1 if y.ndim == 1 else None,
        meta=np.empty((0, n_outputs), dtype=dtype),
    )
    return dask.persist(Y)[0]


def computed(value):
    """A Dask collection computed on the client (a validation set is small); else as is."""
    return value.compute() if is_dask_collection(value) else value


class Blocks:
    """The persisted X, Y and weights (held: released, their blocks would go), block by block."""

    def __init__(self, X, Y, sample_weight, n_train, weight_sum):
        import dask

        sample_weight = dask.persist(sample_weight)[0]  # × class_weight: computed once
        self.arrays, self.n_train, self.weight_sum = (X, Y, sample_weight), n_train, weight_sum
        sw_blocks = _blocks(sample_weight) or [None] * X.numblocks[0]
        self.blocks = list(zip(_blocks(X), _blocks(Y), sw_blocks))


# ------------------------------------------------ full batch: sums per block


def block_sums(theta, X, Y, sample_weight, weight_sum, layer_units, activation, head):
    """One block's share of the full batch: Σ s_i ℓ_i over its rows, and Σ s_i ∂ℓ_i/∂θ / S.

    Runs where the block lives, by the one ``_network.Objective`` (α = 0, given
    the whole data's S, ``weight_sum``), as the in-memory objective computes each
    chunk of a full batch: the blocks' shares add up to the full batch's.
    """
    data = (X, Y, sample_weight)
    network = (layer_units, activation, head, 0.0)
    objective = _network.Objective(theta, *network, data, weight_sum=weight_sum)
    if not objective.n_train:
        return 0.0, np.zeros_like(theta)
    # A diverging loss is reported by the caller; no warnings on the way.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _, grad, loss_sum, _ = objective()
    return loss_sum, grad


class BlockSums:
    """The full-batch loss and gradient of persisted Dask blocks, for flat parameters.

    Called as ``_network.Objective`` is, ``objective()`` runs :func:`block_sums`
    on every block where it lives (pinned to the block's workers, a lost
    worker's tasks following its blocks: :func:`pinned_sums`), adds the
    shares in block order and the L2 penalty, and returns the
    ``_network.Evaluation`` of the full batch. Blocks of the in-memory chunks'
    rows give the in-memory fit, bit for bit.

    ``blocks`` are ``(X, Y, sample_weight or None)`` of each row block, in row
    order (Delayed objects of persisted arrays, or NumPy arrays); ``network``
    the layer sizes, the activation and the output head; ``holders()`` (None:
    no pinning) names each block's workers, read at each evaluation;
    ``n_train``, the rows of positive weight (what an epoch counts).

    Examples
    --------
    >>> import numpy as np, pytest
    >>> _ = pytest.importorskip("dask")
    >>> X, Y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[True], [False]])
    >>> blocks = [(X[:1], Y[:1], None), (X[1:], Y[1:], None)]  # NumPy blocks work too
    >>> objective = BlockSums(np.zeros(3), blocks, ([2, 1], "logistic", "logistic"), 0.0, 2.0)
    >>> loss, grad, loss_sum, weight = objective()
    >>> round(loss, 4), grad
    (0.6931, array([0.5, 0.5, 0. ]))
    """

    def __init__(self, theta, blocks, network, alpha, weight_sum, holders=None, *, n_train=None):
        self.theta, self.grad = theta, np.empty_like(theta)
        self.layout, self.network = _network.Layout(network[0]), network
        self.coefs, self.intercepts = self.layout.views(theta)  # the network, as in memory
        self.activation, self.head = network[1:]
        self.blocks, self.alpha, self.holders = blocks, alpha, holders
        self.n_train, self.weight_sum = n_train, weight_sum
        self.futures = None if holders is None else as_futures(blocks)

    def batches(self, batch_size, random_state=None):
        """The full batch, every epoch (``_network.Objective.batches``'s protocol)."""
        return [None]

    def __call__(self, rows=None):
        """Mean loss plus penalty over every block: the full batch (``rows`` is None)."""
        import dask

        theta, args = self.theta.copy(), (self.weight_sum, *self.network)  # theta will move
        if self.holders is None:  # no distributed client: Dask's local scheduler
            theta = dask.delayed(theta)
            sums = dask.compute(*(dask.delayed(block_sums)(theta, *b, *args) for b in self.blocks))
        else:
            sums = pinned_sums(self.holders, block_sums, theta, self.futures, args)
        # Added in block order, as the in-memory objective adds its chunks: the same
        # sums in the same order on every run, whichever worker holds which block.
        loss_sum = 0.0
        for block, (block_loss_sum, block_grad) in enumerate(sums):
            loss_sum += block_loss_sum
            if block:
                self.grad += block_grad
            else:
                self.grad[...] = block_grad
        S = self.weight_sum
        loss = _network.penalized_loss(loss_sum, S, self.theta, self.grad, self.layout, self.alpha)
        return _network.Evaluation(loss, self.grad, loss_sum, S)


# ------------------------------------------------ mini-batches: the stream


def _fetch(block):
    import dask

    try:
        parts = dask.compute(*block)
    except (KeyError, CancelledError) as error:  # a closed client: Dask's local scheduler
        raise_if_closed(error)  # lacks the blocks, or the blocks were cancelled
        raise
    if any(part is not None and not hasattr(part, "shape") for part in parts):
        raise_if_closed(None)  # distributed < 2025 returns futures once its client is closed
    return parts


def _fetched(blocks, order):
    """The blocks in ``order``, each in client memory; the next one is fetched meanwhile."""
    order = list(order)
    if not order:
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        upcoming = pool.submit(_fetch, blocks[order[0]])
        for position in range(len(order)):
            block = upcoming.result()
            if position + 1 < len(order):
                upcoming = pool.submit(_fetch, blocks[order[position + 1]])
            yield block
            del block


class StreamedBlocks:
    """Mini-batches over blocks streamed to the client, each trained by the in-memory objective.

    ``batches`` visits the blocks (in a new random order each epoch with
    ``random_state``), binding each to ``objective`` (a ``_network.Objective``)
    and yielding its mini-batches, the next block fetched meanwhile;
    ``objective(rows)`` evaluates them. ``n_train`` counts the rows of every block.
    """

    def __init__(self, objective, blocks, n_train):
        self.objective, self.blocks, self.n_train = objective, blocks, n_train
        self.theta, self.coefs, self.intercepts = (
            objective.theta,
            objective.coefs,
            objective.intercepts,
        )
        self.activation, self.head = objective.activation, objective.head

    def batches(self, batch_size, random_state=None):
        n_blocks = len(self.blocks)
        order = range(n_blocks) if random_state is None else random_state.permutation(n_blocks)
        for block in _fetched(self.blocks, order):
            if self.objective.bind(*block):  # a block of zero weight has no rows to train on
                yield from self.objective.batches(batch_size, random_state)
            del block  # released before the block after next is fetched

    def __call__(self, rows=None):
        return self.objective(rows)


def objective(theta, network, extra, blocks, solver, batch_size):
    """The objective over the blocks, for 'lbfgs' or 'sgd'/'adam' with ``batch_size``.

    L-BFGS and full-batch gradient descent sum the blocks on the workers
    (:class:`BlockSums`); mini-batches stream the blocks through the client's
    ``_network.Objective`` (:class:`StreamedBlocks`).
    """
    n_train = blocks.n_train
    if solver == "lbfgs" or batch_size_for(batch_size, n_train) >= n_train:
        if extra["dropout"]:
            raise ValueError(
                f"dropout={extra['dropout']} needs mini-batches on Dask input: L-BFGS and "
                "full-batch gradient descent sum each block's gradient on the workers with "
                "the same objective at every evaluation. Use solver='sgd' or 'adam' with "
                "batch_size below the number of samples, or dropout=0."
            )
        holders = block_holders(blocks.arrays[0])
        if holders is not None:  # on a cluster: a worker must hold a block and its workspace
            check_block_memory(*blocks.arrays, theta)
        network, alpha = network[:3], network[3]
        weight_sum = blocks.weight_sum
        return BlockSums(theta, blocks.blocks, network, alpha, weight_sum, holders, n_train=n_train)
    return StreamedBlocks(_network.Objective(theta, *network, **extra), blocks.blocks, n_train)


# ------------------------------------------------------------- prediction


def _predict_block(X, predict, names_checked):
    """``predict`` (an estimator's in-memory method) on one block."""
    if not names_checked:
        return predict(X)
    with warnings.catch_warnings():
        # The DataFrame's columns were checked once, on the client; its blocks are arrays.
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        return predict(X)


def predict_blockwise(predict, X, names_checked, columns, dtype):
    """``predict(X)`` for Dask X: a lazy Dask array, computed block by block.

    Each block runs the estimator's in-memory method on the worker that holds
    it (as dask-ml's ``ParallelPostFit`` does), so the results equal the
    in-memory ones.

    ``predict`` is a method of a copy of the fitted estimator (a refit before
    compute does not change the result); X has whole rows per block
    (:func:`row_blocks`); ``names_checked``: X's DataFrame columns were
    checked on the client. The result has ``columns`` columns (None: one
    value per row) of ``dtype``.

    Examples
    --------
    >>> import pytest
    >>> da = pytest.importorskip("dask.array")
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_tinymlp import TinyMLPClassifier
    >>> X, y = make_classification(100, 4, random_state=0)
    >>> clf = TinyMLPClassifier((4,), solver="lbfgs", random_state=0).fit(X, y)
    >>> clf.predict_proba(da.from_array(X, chunks=25)).chunks
    ((25, 25, 25, 25), (2,))
    """
    if columns is None:
        out = dict(drop_axis=1, meta=np.empty((0,), dtype=dtype))
    else:
        out = dict(chunks=(X.chunks[0], (columns,)), meta=np.empty((0, columns), dtype=dtype))
    return X.map_blocks(_predict_block, predict, names_checked, dtype=dtype, **out)


def accuracy(predicted, y, sample_weight=None):
    """Mean accuracy of lazy predictions against y, computed on the workers.

    Only the per-block counts of correct predictions (weighted) come back;
    multilabel rows count when every label is right (subset accuracy).
    """
    import dask

    y = _as_dask_array(y, "y", rows_like=predicted)
    if y.ndim == 2 and y.shape[1] == 1 and predicted.ndim == 1:
        y = y[:, 0]
    correct = predicted == y
    if correct.ndim == 2:
        correct = correct.all(axis=1)
    correct = correct.astype(np.float64)
    if sample_weight is None:
        return float(correct.mean().compute())
    sample_weight = _as_dask_array(sample_weight, "sample_weight", rows_like=predicted)
    total, weight = dask.compute((correct * sample_weight).sum(), sample_weight.sum())
    return float(total / weight)
