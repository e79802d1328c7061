"""L-BFGS on a Dask array several times larger than a worker's memory, against the in-memory fit.

On a ``LocalCluster`` of 2 worker processes (1 thread each, ``memory_limit``
per worker), X is generated *on the workers* with ``dask.array.random``
(never on the client) and a ``TinyMLPClassifier(solver='lbfgs')`` is fitted on
it. Reported:

* time per L-BFGS iteration on the large X, and on a smaller X that fits in
  memory, both on Dask and in memory (one BLAS thread, the compute of one
  worker), with the largest relative difference of the two fits' weights;
* the bytes moved per loss evaluation: the parameter vector out and one loss
  and gradient per block back (counted); and per iteration, measured, the data
  the workers sent (``transfer_outgoing_bytes_total``) and all TCP traffic on
  the loopback interface (psutil: task messages and heartbeats too);
* the client's peak memory growth during the fit (``tracemalloc`` and
  resident set size), against X's size;
* what the workers spilled to disk, X being larger than their memory.

The workers' pause and terminate thresholds are switched off (a worker only
spills), because with these imports a worker's own memory already exceeds a
small ``memory_limit`` such as the default 200 MB: every block then lives on
the worker's disk between uses, the hardest case for time per iteration.

Needs the ``dask`` and ``benchmark`` extras. Usage (one to three minutes on 2 busy
cores; writes ``benchmarks/dask_results.md``)::

    nice -n 19 python benchmarks/dask_lbfgs.py
    nice -n 19 python benchmarks/dask_lbfgs.py --rows 400000 --small-rows 100000 --iterations 5
"""

import argparse
import os
import platform
import threading
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

MB = 1e6
HERE = Path(__file__).resolve().parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=4_000_000, help="rows of the large X")
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--chunk-rows", type=int, default=125_000, help="rows per block")
    parser.add_argument("--small-rows", type=int, default=500_000, help="rows of the in-memory X")
    parser.add_argument("--iterations", type=int, default=12, help="L-BFGS iterations")
    parser.add_argument("--memory-limit", default="200MB", help="per worker")
    parser.add_argument("--output", default=str(HERE / "dask_results.md"))
    return parser.parse_args()


class IterationClock:
    """A callback recording when each L-BFGS iteration ends, and the traffic so far.

    With a client, it also reads the bytes the workers have sent (to each other,
    to the scheduler and to the client) at the first iteration, so that the
    traffic of the iterations can be told from that of the setup.
    """

    def __init__(self, client=None):
        self.times, self.loopback, self.client, self.sent_at_first = [], [], client, None

    def __call__(self, estimator, info):
        self.times.append(time.perf_counter())
        self.loopback.append(loopback_bytes())
        if self.client is not None and self.sent_at_first is None:
            self.sent_at_first = worker_bytes_sent(self.client)

    def per_iteration(self):
        return float(np.median(np.diff(self.times))) if len(self.times) > 1 else float("nan")

    def loopback_per_iteration(self):
        if len(self.loopback) < 2 or self.loopback[0] is None:
            return None
        return float(np.median(np.diff(self.loopback)))


def worker_bytes_sent(client):
    """Data the workers have sent so far (to workers, the scheduler and clients), in bytes."""
    sent = client.run(lambda dask_worker: dask_worker.transfer_outgoing_bytes_total)
    return sum(sent.values())


class PeakRSS:
    """The largest resident set size of this process, sampled every 20 ms."""

    def __init__(self):
        import psutil

        self.process = psutil.Process(os.getpid())
        self.start = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def loopback_bytes():
    import psutil

    counters = psutil.net_io_counters(pernic=True)
    lo = counters.get("lo") or counters.get("lo0")
    return None if lo is None else lo.bytes_sent


def spill_metrics(dask_worker):
    """Bytes this worker wrote to and read from its spill directory (cumulative)."""
    totals = {"write": 0.0, "read": 0.0}
    for (label, *_rest), value in dask_worker.data.cumulative_metrics.items():
        if label in ("disk-write", "disk-read") and _rest and _rest[-1] == "bytes":
            totals[label.split("-")[1]] += value
    return totals


def make_data(n_rows, n_features, chunk_rows):
    """X and y, generated block by block on the workers (a fixed linear rule plus noise)."""
    import dask.array as da

    random = da.random.RandomState(0)
    X = random.standard_normal((n_rows, n_features), chunks=(chunk_rows, -1))
    w = np.random.RandomState(1).standard_normal(n_features)
    noise = random.standard_normal(n_rows, chunks=chunk_rows)
    y = (X @ w + 2.0 * noise > 0).astype(np.int8)
    return X, y


def timed_fit(X, y, args, client=None):
    from sklearn_tinymlp import TinyMLPClassifier

    clock = IterationClock(client)
    clf = TinyMLPClassifier(
        (args.hidden,),
        solver="lbfgs",
        max_iter=args.iterations,
        tol=0,
        random_state=0,
        callbacks=[clock],
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the ConvergenceWarning of a capped max_iter
        clf.fit(X, y)
    total = time.perf_counter() - start
    return clf, clock, total


def local_cluster(memory_limit):
    """A LocalCluster of 2 worker processes with 1 thread each, bound to 127.0.0.1."""
    import distributed

    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        memory_limit=memory_limit,
        host="127.0.0.1",
        dashboard_address=":0",
        silence_logs=40,  # the workers' memory warnings are expected here
    )


def main():
    args = parse_args()
    import dask
    import distributed
    import scipy
    import sklearn
    from threadpoolctl import threadpool_limits

    import sklearn_tinymlp

    dask.config.set(
        {"distributed.worker.memory.pause": False, "distributed.worker.memory.terminate": False}
    )
    started = time.perf_counter()
    rows = []  # (setting, X, clock, fit seconds)
    X_small, y_small = make_data(args.small_rows, args.features, args.chunk_rows)
    # --- a smaller X, in memory (one BLAS thread: one worker's compute) and on a cluster
    # whose workers hold it without spilling: the cost of distributing, alone.
    with local_cluster("4GB") as cluster, distributed.Client(cluster) as client:
        client.run(lambda: __import__("sklearn_tinymlp") and None)  # imports off the clock
        X_np, y_np = dask.compute(X_small, y_small)
        with threadpool_limits(1):
            in_memory, clock, total = timed_fit(X_np, y_np, args)
        rows.append(("in memory, 1 thread", X_np, "", clock, total))
        on_dask, clock, total = timed_fit(X_small, y_small, args)
        rows.append(("Dask, 2 workers", X_np, "4 GB", clock, total))
        difference = max(
            float(np.linalg.norm(a - b) / np.linalg.norm(a))
            for a, b in zip(
                in_memory.coefs_ + in_memory.intercepts_, on_dask.coefs_ + on_dask.intercepts_
            )
        )
        del X_np, y_np

    with local_cluster(args.memory_limit) as cluster, distributed.Client(cluster) as client:
        client.run(lambda: __import__("sklearn_tinymlp") and None)
        worker_rss = max(
            client.run(lambda: __import__("psutil").Process().memory_info().rss).values()
        )
        memory_limit = next(iter(client.scheduler_info()["workers"].values()))["memory_limit"]
        limit = f"{memory_limit / MB:.0f} MB"
        _, clock, total = timed_fit(X_small, y_small, args)
        rows.append(("Dask, 2 workers", X_small, limit, clock, total))

        # --- the large X, never on the client
        X, y = make_data(args.rows, args.features, args.chunk_rows)
        n_blocks = X.numblocks[0]
        n_params = args.features * args.hidden + args.hidden + args.hidden + 1
        spilled_before = client.run(spill_metrics)
        tracemalloc.start()
        with distributed.get_task_stream(client) as stream, PeakRSS() as rss:
            traced_start = tracemalloc.get_traced_memory()[0]
            big, clock, total = timed_fit(X, y, args, client)
            traced_peak = tracemalloc.get_traced_memory()[1] - traced_start
        tracemalloc.stop()
        sent_by_workers = (worker_bytes_sent(client) - clock.sent_at_first) / (big.n_iter_ - 1)
        spilled_after = client.run(spill_metrics)
        rows.append(("Dask, 2 workers", X, limit, clock, total))
        block_tasks = [t for t in stream.data if "block_sums" in str(t["key"])]
        evaluations = len(block_tasks) / n_blocks
        spilled = {
            kind: sum(spilled_after[w][kind] - spilled_before[w][kind] for w in spilled_after)
            for kind in ("write", "read")
        }

    elapsed = time.perf_counter() - started
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    X_bytes = X.nbytes
    counted = 8 * n_params + n_blocks * 8 * (n_params + 1)
    loopback = clock.loopback_per_iteration()
    client_growth = max(traced_peak, rss.peak - rss.start)
    assert client_growth < X_bytes / 4, "the client's memory grew by more than a quarter of X"

    lines = [
        "# Benchmark: L-BFGS on a Dask array larger than a worker's memory",
        "",
        f"Run `python benchmarks/dask_lbfgs.py` on {when}; {elapsed:.0f} s in all.",
        "",
        f"- CPU: {platform.processor() or platform.machine()}, **{os.cpu_count()} cores**, shared "
        f"with other work (1-minute load average after the run: {os.getloadavg()[0]:.1f})",
        f"- Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, Dask {dask.__version__}, distributed "
        f"{distributed.__version__}, sklearn-tinymlp {sklearn_tinymlp.__version__}",
        f"- `LocalCluster(n_workers=2, threads_per_worker=1, processes=True, "
        f"memory_limit={args.memory_limit!r})`: {memory_limit / MB:.0f} MB per worker, "
        f"of which a worker's own memory (Python, NumPy, SciPy, scikit-learn, Dask) takes "
        f"{worker_rss / MB:.0f} MB before any data; pause and terminate thresholds off, so a "
        "worker over its limit spills blocks to disk and reads them back when needed.",
        f"- Data: X of {args.features} float64 features, blocks of {args.chunk_rows:,} rows, "
        "and y = [X w + 2 ε > 0], generated on the workers with `dask.array.random`; network "
        f"{args.features}-{args.hidden}-1 (logistic), {n_params} parameters; "
        f"`solver='lbfgs', max_iter={args.iterations}, tol=0`.",
        "",
        "| setting | memory_limit per worker | rows | X (MB) | X / one worker's limit "
        "| s per iteration | µs per row per iteration | fit (s), setup included |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for setting, data, limit, clock, total in rows:
        per_iteration = clock.per_iteration()
        ratio = (
            f"{data.nbytes / memory_limit:.1f}" if limit == f"{memory_limit / MB:.0f} MB" else ""
        )
        lines.append(
            f"| {setting} | {limit} | {data.shape[0]:,} | {data.nbytes / MB:,.0f} | "
            f"{ratio} | {per_iteration:.3f} | "
            f"{1e6 * per_iteration / data.shape[0]:.3f} | {total:.1f} |"
        )
    lines += [
        "",
        f"- Same small data, in memory and on Dask: largest relative difference of the weights "
        f"after {args.iterations} iterations **{difference:.1e}**.",
        f"- Loss evaluations on the large X: {evaluations:.0f} for {big.n_iter_} iterations "
        f"({n_blocks} blocks, so {evaluations / big.n_iter_:.2f} evaluations per iteration).",
        f"- Bytes moved per evaluation, counted: {8 * n_params:,} B of parameters out, "
        f"{n_blocks} × {8 * (n_params + 1):,} B of per-block loss and gradient back = "
        f"**{counted / 1e3:,.1f} kB** (X is {X_bytes / MB:,.0f} MB).",
        f"- Measured per iteration, after the first: data sent by the workers "
        f"**{sent_by_workers / 1e3:,.1f} kB** (`transfer_outgoing_bytes_total`: gradients "
        "to the client, theta between workers"
        + ("; no block moved)" if sent_by_workers < X_bytes / n_blocks else "; blocks moved!)")
        + (
            "."
            if loopback is None
            else f"; all TCP traffic on the loopback interface (median) **{loopback / 1e3:,.0f} "
            "kB** (the same plus task messages, task results' metadata and heartbeats)."
        ),
        f"- Client memory growth during the large fit: tracemalloc peak "
        f"**{traced_peak / MB:.1f} MB**, resident set peak {(rss.peak - rss.start) / MB:.1f} MB; "
        f"X is {X_bytes / MB:,.0f} MB, a quarter of it {X_bytes / 4 / MB:,.0f} MB.",
        f"- Spilled by the workers during the large fit: {spilled['write'] / MB:,.0f} MB written "
        f"to disk, {spilled['read'] / MB:,.0f} MB read back.",
        "",
        "Per iteration, each block's forward and backward pass runs on the worker that holds",
        "it; only the parameters and one gradient per block cross the network, so traffic grows",
        "with parameters × blocks and compute with rows / workers. The setup (persisting X,",
        "finding the classes, checking the data) is one-off passes over X. Where the",
        "memory_limit is below a worker's own memory, every block is spilled and read back from",
        "the worker's disk at each evaluation: the rows at that limit include this disk traffic;",
        "the row at 4 GB is the cost of distributing alone (a task per block per evaluation).",
        "Times are wall-clock on cores shared with other work, so they vary from run to run.",
    ]
    text = "\n".join(lines) + "\n"
    Path(args.output).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
