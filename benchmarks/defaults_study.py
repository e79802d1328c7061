"""Why the defaults are what they are: cross-validated accuracy and fit time of a few
candidate default settings on small bundled data sets, beside MLPClassifier's defaults.

    python benchmarks/defaults_study.py

Every data set is standardised inside the cross-validation (a Pipeline), as users should.
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier

DATASETS = {
    "iris": load_iris(return_X_y=True),
    "wine": load_wine(return_X_y=True),
    "breast cancer": load_breast_cancer(return_X_y=True),
    "digits": load_digits(return_X_y=True),
    "moons (noise 0.25)": make_moons(n_samples=1000, noise=0.25, random_state=0),
}

CANDIDATES = {
    "TinyMLP defaults (logistic, adam, lr=0.001)": lambda: TinyMLPClassifier(random_state=0),
    "TinyMLP logistic, adam, lr=0.01": lambda: TinyMLPClassifier(
        learning_rate_init=0.01, random_state=0
    ),
    "TinyMLP relu, adam, lr=0.001": lambda: TinyMLPClassifier(activation="relu", random_state=0),
    "TinyMLP logistic, lbfgs": lambda: TinyMLPClassifier(solver="lbfgs", random_state=0),
    "MLPClassifier defaults (relu, adam, lr=0.001)": lambda: MLPClassifier(random_state=0),
}


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    names = list(DATASETS)
    print("| setting | " + " | ".join(names) + " | mean | total fit s |")
    print("|---" * (len(names) + 3) + "|")
    for label, make in CANDIDATES.items():
        scores, start = [], time.perf_counter()
        for X, y in DATASETS.values():
            pipe = make_pipeline(StandardScaler(), make())
            scores.append(cross_val_score(pipe, X, y, cv=cv).mean())
        seconds = time.perf_counter() - start
        cells = " | ".join(f"{s:.3f}" for s in scores)
        print(f"| {label} | {cells} | {np.mean(scores):.3f} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
