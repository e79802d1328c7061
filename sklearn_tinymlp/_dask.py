"""Dask: one model trained on data spread over a cluster, and predictions made where the data live.

``TinyMLPClassifier`` hands Dask input here (``is_dask_collection``); nothing in
this module imports Dask until it is given a Dask collection, so the package
works without the ``dask`` extra.

Training takes one of two routes:

* **Full batch** (``solver='lbfgs'``, and ``'sgd'``/``'adam'`` with a batch of
  every row, i.e. full-batch gradient descent). The loss and its gradient are
  sums over rows (see ``_network``), so each block of X, persisted on the
  worker that holds it, computes its own Σ s_i ℓ_i and Σ s_i ∂ℓ_i/∂θ / S with
  the one :class:`~sklearn_tinymlp._network.Objective` (:func:`block_sums`),
  as the in-memory objective computes each chunk of a batch. Per iteration
  only the flat parameter vector goes out and one loss and one gradient per
  block come back; the client adds them in block order (so a fit is
  reproducible whatever worker holds which block) and adds the L2 penalty
  (:class:`BlockSums`). L-BFGS and the epoch loop are the in-memory ones,
  given this objective instead of ``_network.Objective``.
* **Mini-batches** (``'sgd'``/``'adam'``): sequential training over distributed
  storage. Each epoch visits the blocks (in a new random order when
  ``shuffle=True``), fetches one at a time to the client, and runs the
  in-memory mini-batch epoch (:func:`_training.run_epoch`) on its rows; the
  next block is fetched while one trains, so the client holds about two
  blocks. This is what ``dask_ml.wrappers.Incremental`` does with
  ``partial_fit``, with the estimator's own epochs, shuffling, stopping rules
  and curves.

Prediction maps the in-memory methods over the blocks (``map_blocks``): the
result is a lazy Dask array, computed on the workers.
"""

import copy
import math
import warnings
from concurrent.futures import ThreadPoolExecutor
from math import isfinite

import numpy as np
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _arguments, _callbacks, _network, _targets, _training


def is_dask_collection(obj):
    """Whether ``obj`` is a Dask collection, decided without importing Dask.

    Parameters
    ----------
    obj : object
        Anything passed as X.

    Returns
    -------
    bool
        True for Dask arrays, DataFrames and Series (their classes live in
        ``dask`` or, for older Dask, ``dask_expr``).

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
        if data.ndim == 0 or data.shape[0] != rows_like.shape[0]:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{rows_like.shape[0]}, {data.shape[0] if data.ndim else 0}]"
            )
        return da.from_array(data, chunks=(rows_like.chunks[0],) + data.shape[1:])
    if not hasattr(data, "chunks"):
        raise TypeError(
            f"{name} must be a Dask array, DataFrame or Series, got {type(data).__name__}."
        )
    if data.ndim == 0 or any(math.isnan(c) for c in data.chunks[0]):
        raise _unknown_chunks_error(name)
    if rows_like is None:
        return data
    if data.shape[0] != rows_like.shape[0]:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"[{rows_like.shape[0]}, {data.shape[0]}]"
        )
    if data.chunks[0] != rows_like.chunks[0]:
        data = data.rechunk({0: rows_like.chunks[0]})  # lazy; labels and weights are small
    return data


def _checked_columns(est, X, reset):
    """scikit-learn's checks of X's columns, run on a zero-row stand-in; returns its dtype.

    Sets (``reset``) or checks ``n_features_in_`` and ``feature_names_in_`` as
    ``validate_data`` does for in-memory X, without touching the blocks.
    """
    if hasattr(X, "to_dask_array"):
        meta = X._meta  # an empty pandas DataFrame with X's columns and dtypes
    elif sparse.issparse(getattr(X, "_meta", None)):
        meta = sparse.csr_matrix((0,) + X.shape[1:], dtype=X.dtype)
    else:
        meta = np.empty((0,) + X.shape[1:], dtype=X.dtype)
    checked = validate_data(
        est,
        meta,
        reset=reset,
        accept_sparse="csr",
        dtype=(np.float64, np.float32),
        ensure_min_samples=0,
    )
    return checked.dtype


def _training_X(est, X, reset):
    """X as a Dask array of dense float blocks, all columns in one chunk; its dtype."""
    if not hasattr(X, "to_dask_array") and not hasattr(X, "chunks"):
        raise TypeError(f"X must be a Dask array or DataFrame, got {type(X).__name__}.")
    meta = getattr(X, "_meta", None)
    if hasattr(X, "chunks") and not isinstance(meta, np.ndarray):
        kind = "sparse (scipy.sparse)" if sparse.issparse(meta) else type(meta).__name__
        raise TypeError(
            f"X is a Dask array of {kind} blocks; training on Dask input needs dense NumPy "
            "blocks. If a dense block fits in a worker's memory, convert them with "
            "X.map_blocks(lambda b: b.toarray(), dtype=X.dtype); otherwise fit an "
            "in-memory scipy.sparse matrix."
        )
    dtype = _checked_columns(est, X, reset)
    X = _as_dask_array(X, "X")
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})  # each block holds whole rows
    return X.astype(dtype), dtype


def _blocks(array):
    """The array's row blocks as a list of Delayed objects, in row order."""
    return list(array.to_delayed().ravel())


# -------------------------------------------------------- targets, weights


def _find_classes(est, y, continuing):
    """Set the classes from y's distinct labels, found with one Dask reduction.

    Each block's ``np.unique`` runs where the block lives; the client merges
    them and runs the in-memory label checks on the distinct labels alone.
    Returns the width of the 0/1 target matrix.
    """
    import dask

    labels = np.unique(np.concatenate(dask.compute(*map(dask.delayed(np.unique), _blocks(y)))))
    # The checks see one row per distinct label (one column per label for an
    # indicator matrix): enough for the label type, the class count and warm start.
    stand_in = labels if y.ndim == 1 else np.repeat(labels[:, np.newaxis], y.shape[1], axis=1)
    return _targets.fit_targets(est, stand_in, None, continuing, incremental=False).shape[1]


def _class_totals(Y, sample_weight, multilabel):
    """Σ over blocks of ``_targets.class_totals``: each class's total sample weight."""
    import dask

    sw_blocks = [None] * Y.numblocks[0] if sample_weight is None else _blocks(sample_weight)
    parts = [
        dask.delayed(_targets.class_totals)(Y_b, sw_b, multilabel)
        for Y_b, sw_b in zip(_blocks(Y), sw_blocks)
    ]
    return sum(dask.compute(*parts))


def _dict_weights(Y, class_weight, classes, dtype):
    return _targets.dict_weight_per_sample(class_weight, classes, Y, dtype)


def _balanced_weights(Y, totals, multilabel, dtype):
    return _targets.balanced_weight_per_sample(Y, totals, multilabel, dtype)


def _class_weighted(est, Y, sample_weight, dtype, multilabel):
    """sample_weight × class_weight, lazily per block (None when both are None)."""
    class_weight = est.class_weight
    if class_weight is None:
        return sample_weight
    if class_weight == "balanced":
        totals = _class_totals(Y, sample_weight, multilabel)
        per_sample = Y.map_blocks(
            _balanced_weights, totals, multilabel, dtype, drop_axis=1, dtype=dtype
        )
    elif multilabel:
        raise ValueError(
            "class_weight for multilabel targets must be 'balanced' (each label "
            "balanced on its own) or None; for other weightings pass sample_weight."
        )
    else:
        # Checked here, on no rows, so that a bad dict fails on the client.
        _targets.dict_weight_per_sample(class_weight, est.classes_, np.zeros((0, 1)), dtype)
        per_sample = Y.map_blocks(
            _dict_weights, class_weight, est.classes_, dtype, drop_axis=1, dtype=dtype
        )
    return per_sample if sample_weight is None else sample_weight * per_sample


def _block_summary(X, Y, sample_weight, multilabel):
    """One block's counts for the checks and the normalisation (see :func:`_summary`)."""
    finite_X = bool(np.isfinite(X).all())
    if sample_weight is None:
        n = X.shape[0]
        return finite_X, True, n, float(n), _targets.class_totals(Y, None, multilabel)
    valid = bool(np.isfinite(sample_weight).all() and (sample_weight >= 0).all())
    return (
        finite_X,
        valid,
        int(np.count_nonzero(sample_weight)),
        float(sample_weight.sum()),
        _targets.class_totals(Y, sample_weight, multilabel),
    )


def _summary(X, Y, sample_weight, multilabel):
    """Check the data in one pass; return (rows with positive weight, S).

    The in-memory checks of X and the weights, made on per-block counts: X
    finite, weights finite and non-negative, some weight positive, and (with
    weights, single-label y) at least two classes with positive weight.
    """
    import dask

    sw_blocks = [None] * X.numblocks[0] if sample_weight is None else _blocks(sample_weight)
    parts = [
        dask.delayed(_block_summary)(X_b, Y_b, sw_b, multilabel)
        for X_b, Y_b, sw_b in zip(_blocks(X), _blocks(Y), sw_blocks)
    ]
    results = dask.compute(*parts)
    if not all(r[0] for r in results):
        raise ValueError("Input X contains NaN or infinity.")
    if not all(r[1] for r in results):
        raise ValueError(
            "sample_weight (times class_weight) must be finite and non-negative; some "
            "values are negative, NaN, infinite, or overflow X's dtype."
        )
    n_train = sum(r[2] for r in results)
    weight_sum = sum(r[3] for r in results)  # block order: the same S on every run
    if n_train == 0 or weight_sum <= 0:
        raise ValueError(
            "sample_weight is zero for every sample, so there is nothing to learn "
            "from; give at least one sample a positive weight."
        )
    if sample_weight is not None and not multilabel:
        totals = sum(r[4] for r in results)
        if np.count_nonzero(totals) < 2:
            raise ValueError(
                "Only one class has a positive sample_weight, so there is no second "
                "class to separate it from; give samples of at least 2 classes a "
                "positive weight."
            )
    return n_train, weight_sum


# ------------------------------------------------ full batch: sums per block


def block_sums(theta, X, Y, sample_weight, weight_sum, layer_units, activation, out_activation):
    """One block's share of the full batch's loss and gradient, by the one ``_network.Objective``.

    Runs on the worker that holds the block: ``Objective`` with α = 0, given
    the whole data's S (``weight_sum``), computes Σ s_i ℓ_i over the block's
    rows and its gradient Σ s_i ∂ℓ_i/∂θ / S, exactly as the in-memory
    objective computes each chunk of a full batch. The blocks' shares add up
    to the full batch's loss and gradient. Zero-weight rows are skipped, as
    in the in-memory fit.

    Parameters
    ----------
    theta : ndarray of shape (n_params,)
        The flat parameters (see ``_network.Layout``).
    X : ndarray of shape (n_rows, n_features)
        One block of X.
    Y : ndarray of shape (n_rows, n_outputs)
        Its 0/1 targets.
    sample_weight : ndarray of shape (n_rows,) or None
        Its weights (None: all ones).
    weight_sum : float
        S, the total weight of every block.
    layer_units : list of int
        Units per layer, input first.
    activation, out_activation : str
        Hidden and output activations.

    Returns
    -------
    loss_sum : float
        Σ s_i ℓ_i over the block.
    grad_share : ndarray of shape (n_params,)
        Σ s_i ∂ℓ_i/∂θ / S over the block (no penalty).

    Examples
    --------
    Two blocks of one row each add up to the ``Objective`` example's batch of
    both rows (mean loss 0.6931, gradient [0.5, 0.5, 0]):

    >>> import numpy as np
    >>> X, Y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[True], [False]])
    >>> network = ([2, 1], "logistic", "logistic")
    >>> first = block_sums(np.zeros(3), X[:1], Y[:1], None, 2, *network)
    >>> second = block_sums(np.zeros(3), X[1:], Y[1:], None, 2, *network)
    >>> round((first[0] + second[0]) / 2, 4), first[1] + second[1]
    (0.6931, array([0.5, 0.5, 0. ]))
    """
    rows = None if sample_weight is None else np.flatnonzero(sample_weight)
    if rows is not None and rows.size == 0:
        return 0.0, np.zeros_like(theta)
    rows = None if rows is not None and rows.size == X.shape[0] else rows
    objective = _network.Objective(theta, layer_units, activation, out_activation, 0.0)
    # A diverging loss is reported by the caller; no warnings on the way.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        objective(X, Y, sample_weight, rows, weight_sum)
    return objective.data_loss, objective.grad


class BlockSums:
    """The full-batch loss and gradient of persisted Dask blocks, for flat parameters.

    It stands where ``_network.Objective`` stands for ``fit_lbfgs`` and
    ``run_epoch``: ``objective()`` (its arguments are ignored: the data are the
    blocks) sends ``theta`` to the workers, runs :func:`block_sums` on every
    block where it lives, adds the blocks' losses and gradients in block order
    and adds the L2 penalty as ``Objective`` does; the mean loss is returned
    and its gradient written to ``grad``. With blocks of the rows the
    in-memory objective puts in one chunk, the fit is the in-memory one, bit
    for bit.

    Each block's task is pinned to the workers that hold the block (see
    :func:`block_holders`), so that the scheduler's work stealing, which may
    move a task and its data to an idle worker, never moves a block: per
    evaluation only ``theta`` and the per-block sums cross the network.

    Parameters
    ----------
    theta : ndarray of shape (n_params,)
        The flat parameters, updated in place by the optimizer.
    blocks : list of tuple
        ``(X_block, Y_block, sample_weight_block or None)`` Delayed objects of
        persisted arrays, in row order.
    layer_units : list of int
        Units per layer, input first.
    activation, out_activation : str
        Hidden and output activations.
    alpha : float
        L2 penalty strength.
    weight_sum : float
        S, the total sample weight of every block.
    holders : callable, optional
        Returns, for each block, the workers that hold it (None: any worker);
        called once per evaluation. None: no pinning.

    Examples
    --------
    >>> import numpy as np, pytest
    >>> _ = pytest.importorskip("dask")
    >>> X, Y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[True], [False]])
    >>> blocks = [(X[:1], Y[:1], None), (X[1:], Y[1:], None)]  # NumPy blocks work too
    >>> objective = BlockSums(np.zeros(3), blocks, [2, 1], "logistic", "logistic", 0.0, 2.0)
    >>> round(objective(), 4), objective.grad
    (0.6931, array([0.5, 0.5, 0. ]))
    """

    def __init__(
        self,
        theta,
        blocks,
        layer_units,
        activation,
        out_activation,
        alpha,
        weight_sum,
        holders=None,
    ):
        self.theta = theta
        self.grad = np.empty_like(theta)
        self.layout = _network.Layout(layer_units)
        self.blocks = blocks
        self.network = (list(layer_units), activation, out_activation)
        self.alpha = alpha
        self.weight_sum = weight_sum
        self.holders = holders

    def __call__(self, X=None, Y=None, sample_weight=None, rows=None):
        """Mean log-loss plus penalty over every block; its gradient goes to ``self.grad``."""
        import dask

        theta = dask.delayed(self.theta.copy())  # one copy sent; the optimizer moves theta
        holders = [None] * len(self.blocks) if self.holders is None else self.holders()
        weight_sum = self.weight_sum
        parts = []
        for (X_b, Y_b, sw_b), workers in zip(self.blocks, holders):
            pin = {} if workers is None else dict(workers=workers, allow_other_workers=False)
            with dask.annotate(**pin):
                parts.append(
                    dask.delayed(block_sums, pure=True)(
                        theta, X_b, Y_b, sw_b, weight_sum, *self.network
                    )
                )
        # Added in block order, as the in-memory objective adds its chunks: the same
        # sums in the same order on every run, whichever worker holds which block.
        data_loss = 0.0
        for block, (loss_b, grad_b) in enumerate(dask.compute(*parts)):
            data_loss += loss_b
            if block:
                self.grad += grad_b
            else:
                self.grad[...] = grad_b
        return _network.penalized_loss(
            data_loss, weight_sum, self.theta, self.grad, self.layout, self.alpha
        )


def block_holders(X):
    """For persisted X on a ``distributed`` cluster: a function naming each block's workers.

    Parameters
    ----------
    X : dask.array.Array
        Persisted, with all columns in one chunk.

    Returns
    -------
    callable or None
        ``holders()`` returns, for each row block of X in order, the list of
        workers that hold it now (None for a block held nowhere, e.g. being
        recomputed after a worker died, which any worker may then run). None
        when no ``distributed`` client is in use.

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


# ------------------------------------------------ mini-batches: the stream


def _fetch(block):
    import dask

    return dask.compute(*block)


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


def _streamed_epoch(est, objective, blocks, batch_size):
    """One epoch of mini-batches, block after block; returns the epoch's loss.

    The epoch's loss weighs each block's (itself each batch's loss weighted by
    its weight, as ``run_epoch`` returns) by the block's weight: the same mean
    as the in-memory epoch.
    """
    random_state = est._random_state
    n_blocks = len(blocks)
    order = random_state.permutation(n_blocks) if est.shuffle else range(n_blocks)
    total_loss = total_weight = 0.0
    for X_b, Y_b, sw_b in _fetched(blocks, order):
        n_rows = X_b.shape[0]
        rows = None if sw_b is None else np.flatnonzero(sw_b)
        rows = None if rows is not None and rows.size == n_rows else rows
        if rows is not None and rows.size == 0:
            continue
        rows_order = _training.shuffled(rows, n_rows, random_state) if est.shuffle else rows
        batches = _training.batch_rows(rows_order, n_rows, batch_size)
        loss = _training.run_epoch(objective, est._optimizer, X_b, Y_b, sw_b, batches)
        if not isfinite(loss):
            return loss
        weight = n_rows if sw_b is None else float(sw_b.sum())
        total_loss += loss * weight
        total_weight += weight
        del X_b, Y_b, sw_b  # released before the block after next is fetched
    return total_loss / total_weight


def _train_epochs(est, theta, n_train, one_epoch, hooks, validation=None):
    """Epochs of ``one_epoch()`` under the in-memory stopping rules."""
    _training.train_epochs(est, theta, n_train, one_epoch, False, validation, hooks)


def _validation_scorer(est, validation, dtype):
    """The early-stopping scorer of fit's X_val, y_val, sample_weight_val.

    A validation set is small: given as Dask collections, it is computed on the
    client once per fit and scored there each epoch, as in memory.
    """
    X_val, y_val, sw_val = (
        value.compute() if is_dask_collection(value) else value for value in validation
    )
    given = est._validation_set(np.empty((0, 0), dtype), X_val, y_val, sw_val)
    return _training.validation_scorer(est, *given, _arguments.scorer(est))


# ------------------------------------------------------------------- fit


def _training_data(est, X, y, sample_weight, continuing):
    """X, the 0/1 targets Y and the weights persisted, and their blocks side by side.

    Also finds the classes (one reduction) and returns the network's dtype, the
    number of outputs, of training rows and the total weight.
    """
    import dask

    X, dtype = _training_X(est, X, reset=not continuing)
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
    X, y, sample_weight = dask.persist(X, y, sample_weight)  # the blocks stay on the workers

    n_outputs = _find_classes(est, y, continuing)
    multilabel = est._label_binarizer.y_type_ == "multilabel-indicator"
    Y = y.map_blocks(
        _targets.encode_targets,
        est._label_binarizer,
        dtype=bool,
        chunks=(y.chunks[0], (n_outputs,)),
        new_axis=1 if y.ndim == 1 else None,
        meta=np.empty((0, n_outputs), dtype=bool),
    )
    Y = dask.persist(Y)[0]
    del y
    sample_weight = _class_weighted(est, Y, sample_weight, dtype, multilabel)
    if sample_weight is not None:
        sample_weight = dask.persist(sample_weight)[0]
    n_train, weight_sum = _summary(X, Y, sample_weight, multilabel)
    est._class_totals_seen = None
    sw_blocks = [None] * X.numblocks[0] if sample_weight is None else _blocks(sample_weight)
    blocks = list(zip(_blocks(X), _blocks(Y), sw_blocks))
    return (X, Y, sample_weight), blocks, dtype, n_outputs, n_train, weight_sum


def fit(est, X, y, sample_weight, continuing, incremental, validation=(None, None, None)):
    """Train ``est`` on Dask X, y (and sample_weight), where the blocks live.

    Called by ``TinyMLPClassifier.fit`` for Dask input. X's blocks stay on
    the workers (persisted); the client holds the parameters, per-block sums
    and, for mini-batch training, about two blocks at a time.

    Parameters
    ----------
    est : TinyMLPClassifier
        The estimator; its fitted attributes are set.
    X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
        Training data, chunked along the rows (any column chunks are merged).
    y : dask.array.Array, dask.dataframe.Series or array-like of shape (n_samples,)
        Labels (or an indicator matrix for multilabel targets); rechunked to
        X's row chunks when they differ.
    sample_weight : dask.array.Array, dask.dataframe.Series, array-like or None
        Non-negative per-sample weights.
    continuing : bool
        Warm start from the current weights.
    incremental : bool
        True for ``partial_fit``, which refuses Dask input.
    validation : tuple, default=(None, None, None)
        fit's X_val, y_val, sample_weight_val, for early stopping.

    Returns
    -------
    est : TinyMLPClassifier
        The fitted estimator (``tests/test_dask_training.py`` shows it at work).
    """
    _check_fit(est, incremental, validation)
    given = (X, y, sample_weight)  # what scikit-learn's callbacks are shown
    # The persisted X, Y and weights stay referenced here: released, their blocks would go.
    persisted, blocks, dtype, n_outputs, n_train, weight_sum = _training_data(
        est, X, y, sample_weight, continuing
    )
    X = persisted[0]
    est._random_state = check_random_state(est.random_state)  # anew each call
    _training.set_network(est, X.shape[1], n_outputs, dtype, initialize=not continuing)
    theta = _training.flat_parameters(est, dtype)
    objective, batch_size = _objective(est, theta, X, blocks, n_train, weight_sum)
    hooks = _callbacks.epoch_hooks(est, *given, False)
    if est.solver == "lbfgs":
        _training.fit_full_batch_lbfgs(est, objective, None, None, None, None, hooks)
    else:
        est._optimizer = _training.make_optimizer(est, theta)

        def one_epoch():
            if batch_size is None:  # full batch: the blocks are summed on the workers
                return _training.run_epoch(objective, est._optimizer, None, None, None, [None])
            return _streamed_epoch(est, objective, blocks, batch_size)

        score = _validation_scorer(est, validation, dtype) if est.early_stopping else None
        _train_epochs(est, theta, n_train, one_epoch, hooks, score)
    if hooks is not None:
        hooks.close()
    return est


def _check_fit(est, incremental, validation):
    """Refuse partial_fit and early stopping without a validation set on Dask input."""
    if incremental:
        raise TypeError(
            "partial_fit takes in-memory batches, not Dask collections. Call fit on the "
            "Dask array (with solver='sgd' or 'adam' it streams the blocks), or wrap the "
            "classifier in dask_ml.wrappers.Incremental, which calls partial_fit on each "
            "block."
        )
    if est.early_stopping and validation[0] is None:
        raise ValueError(
            "early_stopping=True with Dask input needs a validation set: pass fit's X_val "
            "and y_val (rows are not held out of a Dask array), or set early_stopping=False."
        )


def _objective(est, theta, X, blocks, n_train, weight_sum):
    """The objective, and the mini-batch size (None for a full batch).

    L-BFGS and full-batch gradient descent sum the blocks on the workers
    (:class:`BlockSums`); mini-batches stream the blocks through the client's
    ``_network.Objective``.
    """
    network = (est._layer_units, est.activation, est.out_activation_)
    dropout = getattr(est, "dropout", 0.0)
    batch_size = None if est.solver == "lbfgs" else _training.batch_size_for(est, n_train)
    if batch_size is not None and batch_size < n_train:
        extra = {"dropout": dropout, "random_state": est._random_state} if dropout else {}
        return _network.Objective(theta, *network, est.alpha, **extra), batch_size
    if dropout:
        raise ValueError(
            f"dropout={dropout} needs mini-batches on Dask input: L-BFGS and full-batch "
            "gradient descent sum each block's gradient on the workers with the same "
            "objective at every evaluation. Use solver='sgd' or 'adam' with batch_size "
            "below the number of samples, or dropout=0."
        )
    holders = block_holders(X)
    return BlockSums(theta, blocks, *network, est.alpha, weight_sum, holders), None


# ------------------------------------------------------------- prediction


def _predict_block(X, est, method, names_checked):
    """``est.<method>`` on one block, by the in-memory code."""
    if not names_checked:
        return getattr(est, method)(X)
    with warnings.catch_warnings():
        # The DataFrame's columns were checked once, on the client; its blocks are arrays.
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        return getattr(est, method)(X)


def _prediction_input(est, X, lengths):
    """X as a Dask array with whole rows per block; its float dtype; whether it had names."""
    check_is_fitted(est)
    is_frame = hasattr(X, "to_dask_array")
    if not is_frame and not hasattr(X, "chunks"):
        raise TypeError(f"X must be a Dask array or DataFrame, got {type(X).__name__}.")
    dtype = _checked_columns(est, X, reset=False)
    if is_frame:
        X = X.to_dask_array(lengths=True if lengths else None)
    elif lengths and any(math.isnan(c) for c in X.chunks[0]):
        raise _unknown_chunks_error("X")
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    return X, dtype, is_frame and hasattr(est, "feature_names_in_")


def predict_blockwise(est, X, method, lengths=False):
    """``est.<method>(X)`` for Dask X: a lazy Dask array, computed block by block.

    Each block runs the estimator's in-memory ``predict``, ``predict_proba``
    or ``predict_log_proba`` on the worker that holds it (as dask-ml's
    ``ParallelPostFit`` does), so the results equal the in-memory ones.

    Parameters
    ----------
    est : TinyMLPClassifier
        A fitted estimator.
    X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
        Input data; a DataFrame's columns are checked against
        ``feature_names_in_``.
    method : {'predict', 'predict_proba', 'predict_log_proba'}
        The method to run on each block.
    lengths : bool, default=False
        For a DataFrame: compute its partition lengths first (one pass), so
        that the result has known chunk sizes; otherwise they are unknown
        (nan) and nothing is computed.

    Returns
    -------
    dask.array.Array
        Of shape (n_samples,) for ``predict`` (labels; (n_samples, n_outputs)
        for multilabel targets), else (n_samples, n_classes).

    Examples
    --------
    >>> import pytest
    >>> da = pytest.importorskip("dask.array")
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_tinymlp import TinyMLPClassifier
    >>> X, y = make_classification(100, 4, random_state=0)
    >>> clf = TinyMLPClassifier((4,), solver="lbfgs", random_state=0).fit(X, y)
    >>> proba = predict_blockwise(clf, da.from_array(X, chunks=25), "predict_proba")
    >>> proba.chunks
    ((25, 25, 25, 25), (2,))
    """
    X, dtype, names_checked = _prediction_input(est, X, lengths)
    est = copy.deepcopy(est)  # the model as it is now, should it be refitted before compute
    n_classes = len(est.classes_)
    if method == "predict" and est._label_binarizer.y_type_ != "multilabel-indicator":
        out = dict(dtype=est.classes_.dtype, drop_axis=1)  # one label per row
        out["meta"] = np.empty((0,), dtype=out["dtype"])
    else:  # a column per class: probabilities, or a multilabel indicator matrix
        out = dict(dtype=dtype if method != "predict" else int, chunks=(X.chunks[0], (n_classes,)))
        out["meta"] = np.empty((0, n_classes), dtype=out["dtype"])
    return X.map_blocks(_predict_block, est, method, names_checked, **out)


def score(est, X, y, sample_weight=None):
    """Mean accuracy on Dask input, computed on the workers.

    The predictions are made and compared with y block by block; only the
    per-block counts of correct predictions (weighted) come back.

    Parameters
    ----------
    est : TinyMLPClassifier
        A fitted estimator.
    X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
        Input data.
    y : dask.array.Array, dask.dataframe.Series or array-like of shape (n_samples,)
        True labels (an indicator matrix for multilabel targets: subset accuracy).
    sample_weight : dask.array.Array, dask.dataframe.Series, array-like or None
        Per-sample weights.

    Returns
    -------
    float
        The (weighted) fraction of correctly predicted samples, as
        ``accuracy_score`` computes it.

    Examples
    --------
    >>> import pytest
    >>> da = pytest.importorskip("dask.array")
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_tinymlp import TinyMLPClassifier
    >>> X, y = make_classification(100, 4, random_state=0)
    >>> clf = TinyMLPClassifier((4,), solver="lbfgs", random_state=0).fit(X, y)
    >>> score(clf, da.from_array(X, chunks=25), y) == clf.score(X, y)
    True
    """
    predicted = predict_blockwise(est, X, "predict", lengths=True)
    y = _as_dask_array(y, "y", rows_like=predicted)
    if y.ndim == 2 and y.shape[1] == 1 and predicted.ndim == 1:
        y = y[:, 0]
    correct = predicted == y
    if correct.ndim == 2:  # multilabel: a row counts when every label is right
        correct = correct.all(axis=1)
    correct = correct.astype(np.float64)
    if sample_weight is None:
        return float(correct.mean().compute())
    sample_weight = _as_dask_array(sample_weight, "sample_weight", rows_like=predicted)
    total, weight = (correct * sample_weight).sum(), sample_weight.sum()
    import dask

    total, weight = dask.compute(total, weight)
    return float(total / weight)
