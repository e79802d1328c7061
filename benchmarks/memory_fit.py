"""Peak memory of a mini-batch fit, compared with the size of the training data.

Fits a TinyMLPClassifier (solver='sgd', one small hidden layer, mini-batches)
on an n_samples × n_features float32 matrix and reports

* the size of X;
* the process's peak resident set size (RSS) before and after the fit
  (``resource.getrusage``), so the growth is what the fit itself needed;
* the peak of memory allocated during the fit as seen by ``tracemalloc``
  (numpy reports its array buffers to it), which excludes X and the
  interpreter itself.

Training never copies X: it validates float32 data in place, gathers one
mini-batch at a time and keeps O(n_samples) bookkeeping (the 0/1 target
matrix and a shuffled index array), so the fit's extra memory is a small
fraction of X.

Usage::

    python benchmarks/memory_fit.py                      # 1,000,000 × 20, 2 epochs
    python benchmarks/memory_fit.py --n-samples 200000 --epochs 1 --json
"""

import argparse
import json
import platform
import resource
import sys
import time
import tracemalloc
import warnings

import numpy as np

MiB = 2**20


def peak_rss_bytes():
    """Peak resident set size of this process so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def current_rss_bytes():
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()
    except OSError:  # not Linux
        return None


def make_data(n_samples, n_features, n_classes, seed=0):
    """float32 X generated in place (no float64 temporary) and integer labels."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features), dtype=np.float32)
    score = X[:, 0] + 0.5 * X[:, 1] - X[:, 2]
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1]))
    return X, y.astype(np.int64)


def measure(n_samples, n_features, n_classes, epochs, hidden, batch_size, early_stopping=False):
    from sklearn.exceptions import ConvergenceWarning

    from sklearn_tinymlp import TinyMLPClassifier

    X, y = make_data(n_samples, n_features, n_classes)
    clf = TinyMLPClassifier(
        hidden_layer_sizes=(hidden,),
        solver="sgd",
        learning_rate_init=0.01,
        batch_size=batch_size,
        max_iter=epochs,
        early_stopping=early_stopping,
        random_state=0,
    )
    rss_before = current_rss_bytes()
    peak_rss_before = peak_rss_bytes()
    tracemalloc.start()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    seconds = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_rss_after = peak_rss_bytes()

    return {
        "n_samples": n_samples,
        "n_features": n_features,
        "n_classes": n_classes,
        "epochs": epochs,
        "hidden_layer_sizes": [hidden],
        "batch_size": batch_size,
        "early_stopping": early_stopping,
        "X_bytes": X.nbytes,
        "rss_before_fit_bytes": rss_before,
        "peak_rss_before_fit_bytes": peak_rss_before,
        "peak_rss_after_fit_bytes": peak_rss_after,
        "peak_rss_growth_during_fit_bytes": peak_rss_after - peak_rss_before,
        "tracemalloc_peak_during_fit_bytes": traced_peak,
        "fit_seconds": seconds,
        "train_accuracy_first_100k": float(clf.score(X[:100_000], y[:100_000])),
        "coefs_dtype": str(clf.coefs_[0].dtype),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def report(result):
    x = result["X_bytes"]
    lines = [
        f"X: {result['n_samples']:,} × {result['n_features']} float32 = {x / MiB:.1f} MiB; "
        f"{result['n_classes']} classes; solver='sgd', "
        f"hidden={tuple(result['hidden_layer_sizes'])}, "
        f"batch_size={result['batch_size']}, early_stopping={result['early_stopping']}, "
        f"{result['epochs']} epoch(s) in "
        f"{result['fit_seconds']:.1f} s; weights {result['coefs_dtype']}",
        f"peak RSS before fit: {result['peak_rss_before_fit_bytes'] / MiB:.1f} MiB "
        f"(current {result['rss_before_fit_bytes'] / MiB:.1f} MiB)"
        if result["rss_before_fit_bytes"] is not None
        else f"peak RSS before fit: {result['peak_rss_before_fit_bytes'] / MiB:.1f} MiB",
        f"peak RSS after fit:  {result['peak_rss_after_fit_bytes'] / MiB:.1f} MiB "
        f"(+{result['peak_rss_growth_during_fit_bytes'] / MiB:.1f} MiB = "
        f"{result['peak_rss_growth_during_fit_bytes'] / x:.2f} × X)",
        f"tracemalloc peak during fit: {result['tracemalloc_peak_during_fit_bytes'] / MiB:.1f} MiB "
        f"= {result['tracemalloc_peak_during_fit_bytes'] / x:.2f} × X",
        f"training accuracy (first 100k rows): {result['train_accuracy_first_100k']:.3f}",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-samples", type=int, default=1_000_000)
    parser.add_argument("--n-features", type=int, default=20)
    parser.add_argument("--n-classes", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument(
        "--early-stopping", action="store_true", help="hold out 10%% of the rows for validation"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = measure(
        args.n_samples,
        args.n_features,
        args.n_classes,
        args.epochs,
        args.hidden,
        args.batch_size,
        args.early_stopping,
    )
    print(json.dumps(result, indent=2) if args.json else report(result))


if __name__ == "__main__":
    main()
