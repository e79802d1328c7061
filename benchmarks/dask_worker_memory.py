"""What a Dask worker holds during a fit: its own baseline, X's blocks, and the per-block workspace.

On a ``LocalCluster`` of 2 worker processes (1 thread each), X (float64) is
generated on the workers and persisted, then ``TinyMLPClassifier(solver='lbfgs')``
is fitted. Reported per worker: resident memory idle (after importing the
package), after persisting X, and after the fit; and, measured in this process
with ``tracemalloc``, the peak extra memory of one block's share of the loss
and gradient (``_dask.block_sums``), the per-block workspace.

Needs the ``dask`` extra. Usage (about a minute on 2 busy cores)::

    nice -n 19 python benchmarks/dask_worker_memory.py --rows 400000 --hidden 32
"""

import argparse
import os
import tracemalloc
import warnings

import numpy as np


def _rss_mb(client):
    import psutil

    def rss():
        return psutil.Process(os.getpid()).memory_info().rss

    return sorted(round(v / 1e6) for v in client.run(rss).values())


def workspace_mb(rows, n_features, hidden):
    """Peak extra memory of ``block_sums`` on one block of ``rows`` rows, in MB."""
    from sklearn_tinymlp import _dask

    X = np.random.RandomState(0).standard_normal((rows, n_features))
    units = [n_features, *hidden, 1]
    theta = np.random.RandomState(1).standard_normal(
        sum((a + 1) * b for a, b in zip(units[:-1], units[1:]))
    )
    tracemalloc.start()
    _dask.block_sums(theta, X, X[:, :1] > 0, None, rows, units, "relu", "logistic")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6, theta.size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--blocks", type=int, default=8)
    parser.add_argument("--hidden", type=int, nargs="+", default=[32])
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import dask
    import dask.array as da
    import distributed

    from sklearn_tinymlp import TinyMLPClassifier

    chunk = args.rows // args.blocks
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.run(lambda: __import__("sklearn_tinymlp"))
        idle = _rss_mb(client)
        X = da.random.RandomState(0).standard_normal((args.rows, args.features), chunks=(chunk, -1))
        y = (X[:, 0] - X[:, 1] > 0).astype(int)
        X, y = dask.persist(X, y)
        distributed.wait([X, y])
        persisted = _rss_mb(client)
        clf = TinyMLPClassifier(tuple(args.hidden), solver="lbfgs", max_iter=10, random_state=0)
        clf.fit(X, y)
        fitted = _rss_mb(client)
    workspace, n_params = workspace_mb(chunk, args.features, args.hidden)
    print(
        f"X: {X.nbytes / 1e6:.0f} MB in {args.blocks} blocks of "
        f"{X.nbytes / 1e6 / args.blocks:.0f} MB; "
        f"hidden {args.hidden}, {n_params} parameters"
    )
    print(
        f"worker resident MB: idle {idle}, after persisting X {persisted}, after the fit {fitted}"
    )
    print(f"per-block workspace of block_sums (tracemalloc peak): {workspace:.1f} MB")


if __name__ == "__main__":
    main()
