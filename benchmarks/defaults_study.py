"""Why the defaults are what they are: per-fold convergence warnings, accuracy and fit time
of candidate default settings on small tabular data sets, beside MLPClassifier's defaults.

    python benchmarks/defaults_study.py [n_seeds [candidate-number ...]]

Every data set is standardised inside the cross-validation (a Pipeline), as users
should; 5-fold stratified CV per seed. A candidate meets the bar when it warns in
at most 10% of the folds, its mean accuracy on every data set is at least
MLPClassifier's − 0.005, and its total fit time is below MLPClassifier's.
"""

import sys
import time
import warnings

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_tinymlp import TinyMLPClassifier

DATASETS = {
    "iris": load_iris(return_X_y=True),
    "wine": load_wine(return_X_y=True),
    "breast cancer": load_breast_cancer(return_X_y=True),
    "digits": load_digits(return_X_y=True),
    "classification 3000×30": make_classification(
        3000, 30, n_informative=10, n_classes=3, random_state=0
    ),
}

REFERENCE = "MLPClassifier defaults (relu, adam, lr=0.001)"
CANDIDATES = {  # label: (class, parameters other than random_state)
    REFERENCE: (MLPClassifier, {}),
    "TinyMLP defaults (logistic, adam, lr=0.001)": (TinyMLPClassifier, {}),
    "TinyMLP logistic, lr=0.01": (TinyMLPClassifier, {"learning_rate_init": 0.01}),
    "TinyMLP logistic, lr=0.003": (TinyMLPClassifier, {"learning_rate_init": 0.003}),
    "TinyMLP logistic, lr=0.005": (TinyMLPClassifier, {"learning_rate_init": 0.005}),
    "TinyMLP relu, lr=0.001": (TinyMLPClassifier, {"activation": "relu"}),
    "TinyMLP tanh, lr=0.001": (TinyMLPClassifier, {"activation": "tanh"}),
    "TinyMLP logistic, lr=0.001, tol=1e-3": (TinyMLPClassifier, {"tol": 1e-3}),
    "TinyMLP logistic, lr=0.01, tol=1e-3": (
        TinyMLPClassifier,
        {"learning_rate_init": 0.01, "tol": 1e-3},
    ),
    "TinyMLP logistic, lr=0.01, tol=3e-4": (
        TinyMLPClassifier,
        {"learning_rate_init": 0.01, "tol": 3e-4},
    ),
    "TinyMLP logistic, lr=0.01, alpha=1e-3": (
        TinyMLPClassifier,
        {"learning_rate_init": 0.01, "alpha": 1e-3},
    ),
    "TinyMLP logistic, lr=0.02": (TinyMLPClassifier, {"learning_rate_init": 0.02}),
    "TinyMLP relu, lr=0.01": (
        TinyMLPClassifier,
        {"activation": "relu", "learning_rate_init": 0.01},
    ),
    "TinyMLP tanh, lr=0.01": (
        TinyMLPClassifier,
        {"activation": "tanh", "learning_rate_init": 0.01},
    ),
    "TinyMLP logistic, lr=0.02, tol=1e-3": (
        TinyMLPClassifier,
        {"learning_rate_init": 0.02, "tol": 1e-3},
    ),
}


def evaluate(make, params, seeds):
    """Per data set: (folds that warned, mean accuracy, fit CPU seconds), over the seeds.

    Each seed reshuffles the folds and seeds the estimator. Fit time is the
    process's CPU time with BLAS on one thread (both estimators alike), which
    other work on a shared host disturbs less than wall time.
    """
    out = {}
    for name, (X, y) in DATASETS.items():
        warned, scores, seconds = 0, [], 0.0
        for seed in seeds:
            cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
            for train, test in cv.split(X, y):
                pipe = make_pipeline(StandardScaler(), make(random_state=seed, **params))
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", ConvergenceWarning)
                    start = time.process_time()
                    pipe.fit(X[train], y[train])
                    seconds += time.process_time() - start
                warned += any(issubclass(w.category, ConvergenceWarning) for w in caught)
                scores.append(pipe.score(X[test], y[test]))
        out[name] = (warned, float(np.mean(scores)), seconds)
    return out


def main(n_seeds=1, chosen=()):
    labels = list(CANDIDATES)
    labels = (
        [REFERENCE] + [labels[i] for i in chosen if labels[i] != REFERENCE] if chosen else labels
    )
    names, seeds = list(DATASETS), range(n_seeds)
    n_folds = 25 * n_seeds
    print(f"Mean accuracy over {n_seeds} seed(s) × 5 folds (in brackets: the folds that "
          f"warned); warned: folds (of {n_folds}) with a ConvergenceWarning.\n")  # fmt: skip
    print("| setting | " + " | ".join(names) + " | warned | total fit CPU s | meets the bar |")
    print("|---" * (len(names) + 4) + "|")
    reference = None
    for label in labels:
        result = evaluate(*CANDIDATES[label], seeds)
        reference = reference or result
        warned = sum(r[0] for r in result.values())
        seconds = sum(r[2] for r in result.values())
        short = [n for n in names if result[n][1] < reference[n][1] - 0.005]
        faster = seconds < sum(r[2] for r in reference.values())
        verdict = "yes" if (warned <= 0.1 * n_folds and not short and faster) else "no"
        if short:
            verdict += f" (accuracy: {', '.join(short)})"
        verdict = "—" if result is reference else verdict
        cells = " | ".join(f"{result[n][1]:.4f} ({result[n][0]})" for n in names)
        print(f"| {label} | {cells} | {warned}/{n_folds} | {seconds:.1f} | {verdict} |", flush=True)


if __name__ == "__main__":
    with threadpool_limits(limits=1, user_api="blas"):  # both estimators alike
        main(*[int(a) for a in sys.argv[1:2]], [int(a) for a in sys.argv[2:]])
