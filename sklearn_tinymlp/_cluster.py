"""A distributed cluster's side of training on Dask: where blocks live, and what fails.

``distributed`` is imported only when a function here runs.
"""

import math
import time
from contextlib import suppress

import numpy as np

from ._network import CHUNK_ELEMENTS


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


def check_block_memory(X, Y, sample_weight, theta):
    """:func:`check_worker_memory` for the largest block and its workspace (measured bound)."""
    from distributed import default_client

    sw = sample_weight
    row_bytes = X.shape[1] * X.dtype.itemsize + Y.shape[1] * Y.dtype.itemsize
    row_bytes += 0 if sw is None else sw.dtype.itemsize
    workspace = (5 * CHUNK_ELEMENTS + 4 * theta.size) * theta.dtype.itemsize
    check_worker_memory(default_client(), max(X.chunks[0]) * row_bytes, workspace)
