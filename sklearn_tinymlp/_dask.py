"""Dask: training on data spread over a cluster, and predicting where it lives.

The estimator reaches this module through three names: :func:`is_dask_collection`,
the training entry :func:`training_data` and the prediction entry :func:`predict`.
Training checks the data with the estimator's own checks (``_base._BlockChecks``:
on a zero-row stand-in of X's columns, and block by block through
:class:`BlockRows`), persists the blocks on the workers and returns
:class:`Blocks`, whose objective the trainer runs as it runs an in-memory one.
Full batch ('lbfgs', full-batch gradient descent): each persisted block computes
its share of the loss and gradient where it lives (:func:`block_sums`), pinned
to the workers that hold it and added in block order on the client
(:class:`BlockSums`). Mini-batches: each epoch streams the blocks to the
client, the next fetched while one trains (:class:`StreamedBlocks`). A client
that closes mid-fit leaves the estimator as it was before fit. Prediction maps
the in-memory methods over the blocks, lazily. Dask and ``distributed`` are
imported only when given Dask input.
"""

import math
import time
import warnings
from concurrent.futures import CancelledError, ThreadPoolExecutor
from contextlib import suppress

import numpy as np
from scipy import sparse

from . import _network
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


# ---------------------------------------------------------------- the cluster


def check_workers():
    """Refuse Dask work when a worker of the default client cannot import this package.

    Such a worker cannot read the tasks that fit and predict send it, and Dask
    then waits on them with no end; this asks each worker once instead (one
    round trip) and names the workers and what to install. No client: nothing
    to check.
    """
    try:
        from distributed import default_client

        client = default_client()
    except (ImportError, ValueError):  # no distributed, or no client: Dask's local scheduler
        return

    def package_version():  # nested: sent by value, so a worker without the package reads it
        try:
            return __import__("sklearn_tinymlp").__version__
        except ImportError:
            return None

    missing = sorted(a for a, version in client.run(package_version).items() if version is None)
    if missing:
        from . import __version__

        raise RuntimeError(
            f"These Dask workers cannot import sklearn_tinymlp: {missing}. Install "
            f"sklearn-tinymlp {__version__} (the client's version) in the workers' Python "
            "environment, then restart them; a worker without it cannot run the tasks of "
            "fit or predict."
        )


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


# ---------------------------------------------------------- the training entry


def training_data(X, y, sample_weight, validation, checks, incremental=False, stops_early=False):
    """fit's data on Dask: checked block by block, persisted where the blocks live.

    ``validation`` is fit's ``(X_val, y_val, sample_weight_val)`` (computed on
    the client: a validation set is small); ``checks`` are the estimator's
    (``_base._BlockChecks``); ``incremental`` and ``stops_early``: whether this
    is ``partial_fit``, and whether it stops early. Returns :class:`Blocks`.
    """
    check_fit(incremental, stops_early, validation)
    check_workers()
    X, meta = row_blocks(X)
    dtype = checks.columns(meta)
    X, y, sample_weight = persisted(X.astype(dtype), y, sample_weight, dtype)
    check_finite(X)
    encode, n_outputs, Y_dtype = checks.targets(y, BlockRows)
    Y = encoded(y, encode, n_outputs, Y_dtype)
    sample_weight, n_train, weight_sum = checks.weights(Y, sample_weight, dtype, BlockRows)
    validation = tuple(map(computed, validation))
    return Blocks(X, Y, sample_weight, n_train, weight_sum, validation, checks.roll_back)


def check_fit(incremental, stops_early, validation):
    """Refuse partial_fit, and early stopping without a validation set, on Dask input."""
    if incremental:
        raise TypeError(
            "partial_fit takes in-memory batches, not Dask collections. Call fit on the "
            "Dask array (with solver='sgd' or 'adam' it streams the blocks), or wrap the "
            "estimator in dask_ml.wrappers.Incremental, which calls partial_fit on each "
            "block."
        )
    if stops_early and validation[0] is None:
        raise ValueError(
            "early_stopping=True with Dask input needs a validation set: pass fit's X_val "
            "and y_val (rows are not held out of a Dask array), or set early_stopping=False."
        )


class BlockRows:
    """How the estimator's checks reach the rows of Dask arrays: block by block.

    The in-memory twin is ``_base._InMemory`` (``per_row``, ``summed``).
    """

    per_row = staticmethod(per_row)
    summed = staticmethod(summed)
    distinct = staticmethod(distinct_rows)

    @staticmethod
    def first(y):
        """y's first row, computed: the width of the targets."""
        return np.asarray(y[:1].compute())


class Blocks:
    """fit's data persisted on the workers, block by block: the twin of ``_base._InMemory``.

    ``objective`` makes the objective the trainer runs; ``roll_back`` (the
    estimator's) is called by it when the client closes mid-fit.
    """

    def __init__(self, X, Y, sample_weight, n_train, weight_sum, validation, roll_back):
        import dask

        sample_weight = dask.persist(sample_weight)[0]  # × class_weight: computed once
        self.arrays, self.n_train, self.weight_sum = (X, Y, sample_weight), n_train, weight_sum
        self.Y, self.y, self.validation, self.roll_back = Y, None, validation, roll_back
        self.n_features, self.n_outputs, self.dtype = X.shape[1], Y.shape[1], X.dtype
        sw_blocks = _blocks(sample_weight) or [None] * X.numblocks[0]
        self.blocks = list(zip(_blocks(X), _blocks(Y), sw_blocks))  # held: the blocks stay

    def objective(self, theta, network, dropout, random_state, batch_size):
        """The objective over the blocks, for 'lbfgs' (``batch_size`` None) or mini-batches.

        L-BFGS and full-batch gradient descent sum the blocks on the workers
        (:class:`BlockSums`); mini-batches stream the blocks through the client's
        ``_network.Objective`` (:class:`StreamedBlocks`).
        """
        n_train = self.n_train
        if batch_size is not None and batch_size_for(batch_size, n_train) < n_train:
            objective = _network.Objective(
                theta, *network, dropout=dropout, random_state=random_state
            )
            return StreamedBlocks(objective, self.blocks, n_train, self.roll_back)
        if dropout:
            raise ValueError(
                f"dropout={dropout} needs mini-batches on Dask input: L-BFGS and "
                "full-batch gradient descent sum each block's gradient on the workers with "
                "the same objective at every evaluation. Use solver='sgd' or 'adam' with "
                "batch_size below the number of samples, or dropout=0."
            )
        holders = block_holders(self.arrays[0])
        if holders is not None:  # on a cluster: a worker must hold a block and its workspace
            check_block_memory(*self.arrays, theta)
        args = (self.blocks, network[:3], network[3], self.weight_sum, holders)
        return BlockSums(theta, *args, n_train=n_train, roll_back=self.roll_back)


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
    ``n_train``, the rows of positive weight (what an epoch counts);
    ``roll_back()``, called before the error of a client closed mid-fit.

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

    def __init__(
        self,
        theta,
        blocks,
        network,
        alpha,
        weight_sum,
        holders=None,
        *,
        n_train=None,
        roll_back=None,
    ):
        self.theta, self.grad = theta, np.empty_like(theta)
        self.layout, self.network = _network.Layout(network[0]), network
        self.coefs, self.intercepts = self.layout.views(theta)  # the network, as in memory
        self.activation, self.head = network[1:]
        self.blocks, self.alpha, self.holders = blocks, alpha, holders
        self.n_train, self.weight_sum, self.roll_back = n_train, weight_sum, roll_back
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
            try:
                sums = pinned_sums(self.holders, block_sums, theta, self.futures, args)
            except ClientClosedError:
                self.roll_back()
                raise
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

    def __init__(self, objective, blocks, n_train, roll_back=None):
        self.objective, self.blocks, self.n_train = objective, blocks, n_train
        self.theta = objective.theta
        self.coefs, self.intercepts = objective.coefs, objective.intercepts
        self.activation, self.head = objective.activation, objective.head
        self.roll_back = roll_back  # called before the error of a client closed mid-fit

    def batches(self, batch_size, random_state=None):
        n_blocks = len(self.blocks)
        order = range(n_blocks) if random_state is None else random_state.permutation(n_blocks)
        try:
            for block in _fetched(self.blocks, order):
                if self.objective.bind(*block):  # a block of zero weight has no rows to train on
                    yield from self.objective.batches(batch_size, random_state)
                del block  # released before the block after next is fetched
        except ClientClosedError:
            self.roll_back()
            raise

    def __call__(self, rows=None):
        return self.objective(rows)


# ------------------------------------------ the cluster: where blocks live, what fails


def check_worker_memory(client, block_nbytes, workspace_nbytes):
    """Refuse, before training, a block and its workspace above a worker's pause threshold.

    ``block_nbytes``: the largest block of X, Y and the weights together;
    ``workspace_nbytes``: what computing its share of the loss adds. A worker
    runs no task above ``distributed.worker.memory.pause`` (0.8) of its
    ``memory_limit``, its own memory (all but its data) included.
    """
    import dask

    pause = dask.config.get("distributed.worker.memory.pause", 0.8)
    workers = [] if client is None or not pause else client.scheduler_info()["workers"].values()
    need = block_nbytes + workspace_nbytes
    for info in workers:
        metrics, limit = info.get("metrics", {}), info["memory_limit"] or math.inf
        own = max(metrics.get("memory", 0) - metrics.get("managed_bytes", 0), 0)
        if need > pause * limit - own:
            raise ValueError(
                f"A block of X with its workspace needs {need / 1e6:.0f} MB; a worker of "
                f"memory_limit={limit / 1e6:.0f} MB pauses at {pause:g} of it and uses "
                f"{own / 1e6:.0f} MB itself. Give each worker more memory (memory_limit), or "
                "split X into smaller row chunks (X.rechunk({0: rows}))."
            )


def check_block_memory(X, Y, sample_weight, theta):
    """:func:`check_worker_memory` for the largest block and its workspace (measured bound)."""
    from distributed import default_client

    sw = sample_weight
    row_bytes = X.shape[1] * X.dtype.itemsize + Y.shape[1] * Y.dtype.itemsize
    row_bytes += 0 if sw is None else sw.dtype.itemsize
    workspace = (5 * _network.CHUNK_ELEMENTS + 4 * theta.size) * theta.dtype.itemsize
    check_worker_memory(default_client(), max(X.chunks[0]) * row_bytes, workspace)


def block_holders(X):
    """For persisted X on a ``distributed`` cluster: a function naming each block's workers.

    ``holders()`` returns, for each row block of X in order, the workers that
    hold it now (None for a block held nowhere, being recomputed after a
    worker died, which any worker may then run). None without a client.

    Examples
    --------
    >>> import pytest
    >>> da = pytest.importorskip("dask.array")
    >>> block_holders(da.ones((4, 2), chunks=2)) is None  # no distributed.Client here
    True
    """
    try:
        from distributed import default_client

        client = default_client()
    except (ImportError, ValueError):  # no distributed, or no client
        return None
    keys = [row[0] for row in X.__dask_keys__()]

    def holders():
        who_has = client.who_has(X)
        return [list(who_has.get(key, ())) or None for key in keys]

    return holders


def as_futures(blocks):
    """The blocks' parts as the client's futures: a persisted one by its key, others computed."""
    from distributed import Future, default_client

    client = default_client()

    def future(part):
        if part is None:
            return None
        return client.compute(part) if part.dask else Future(part.key, client)  # held for fit

    return [tuple(map(future, block)) for block in blocks]


def pinned_sums(holders, block_sums, theta, blocks, args):
    """``block_sums(theta, *block, *args)`` of every block where it lives, in block order.

    It survives lost workers: ``theta`` goes out as its own unpinned task; a
    block's task whose holders have all left goes to where the block is now
    (anywhere while Dask recomputes it). No block done for
    ``sklearn_tinymlp.block-timeout`` seconds: an error.
    """
    import dask
    from distributed import default_client, wait

    client, limit = default_client(), float(dask.config.get("sklearn_tinymlp.block-timeout", 300))

    def submit(block, workers):
        pin = {} if workers is None else dict(workers=workers, allow_other_workers=False)
        future = client.submit(block_sums, theta, *blocks[block], *args, pure=False, **pin)
        return future, set(workers or ())

    try:
        theta = client.submit(np.array, theta, pure=False)
        pending, sums = dict(enumerate(map(submit, range(len(blocks)), holders()))), {}
        quiet_since = time.monotonic()
        while pending:
            with suppress(TimeoutError):
                wait([future for future, _ in pending.values()], 1.0, "FIRST_COMPLETED")
            done = [block for block, (future, _) in pending.items() if future.done()]
            sums.update((block, pending.pop(block)[0].result()) for block in done)
            if done:
                quiet_since = time.monotonic()
                continue
            workers = client.scheduler_info()["workers"]  # none finished in a second: why?
            lost = [block for block, (_, pin) in pending.items() if pin and not pin & set(workers)]
            where = holders() if lost else None
            for block in lost:  # its workers have left: to where the block lives now
                client.cancel(pending[block][0])
                pending[block] = submit(block, where[block])
                quiet_since = time.monotonic()
            if time.monotonic() - quiet_since > limit:
                raise _stalled_error(workers, limit)
    except Exception as error:
        raise_if_closed(error, client)
        raise
    return [sums[block] for block in range(len(blocks))]


def _stalled_error(workers, limit):
    idle = sorted(address for address, info in workers.items() if info["status"] != "running")
    return TimeoutError(
        f"No block of X finished its share of the loss for {limit:g} s; of {len(workers)} "
        f"workers, these are paused or closing: {idle} (a worker pauses when its memory passes "
        "its pause threshold). Give each worker more memory (memory_limit), add workers, or "
        "split X into smaller chunks; the wait is dask.config's 'sklearn_tinymlp.block-timeout'"
        " (seconds, default 300)."
    )


class ClientClosedError(RuntimeError):
    """The Dask client went away while fit was running (the estimator restores itself)."""


def raise_if_closed(error, client=None):
    """Raise a clear error from ``error`` if fit's client (None: the default) is closed."""
    try:
        from distributed import default_client

        closed = (client or default_client()).status in ("closing", "closed")
    except ImportError:
        return
    except ValueError:  # no client left
        closed = True
    if closed:
        raise ClientClosedError(
            "The Dask client was closed while fit was running; the estimator is left as it "
            "was before fit. Keep the client open until fit returns."
        ) from error


# ---------------------------------------------------------------- prediction


def predict(method, X, check_columns, columns=None, dtype=None, y=None, sample_weight=None):
    """The prediction entry: ``method(X)`` for Dask X, a lazy Dask array; or its accuracy.

    ``method`` is an in-memory method of a copy of the fitted estimator (a
    refit before compute does not change the result); ``check_columns``, the
    estimator's check of X's columns, run once on a zero-row stand-in. The
    result has ``columns`` columns (None: one value per row) of ``dtype``
    (None: X's). With ``y`` (and ``sample_weight``): the accuracy of the
    predictions against it, computed on the workers (:func:`accuracy`).
    """
    check_workers()
    X, meta = row_blocks(X, lengths=y is not None, dense=False)
    X_dtype = check_columns(meta).dtype
    names_checked = hasattr(meta, "columns") and hasattr(method.__self__, "feature_names_in_")
    predicted = predict_blockwise(method, X, names_checked, columns, dtype or X_dtype)
    return predicted if y is None else accuracy(predicted, y, sample_weight)


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
