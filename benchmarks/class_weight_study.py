"""Does class_weight='balanced' do what a user expects at the defaults? 5% positives, 10 seeds.

    python benchmarks/class_weight_study.py [parameters as JSON]

Each seed draws a binary problem with 5% positives (``make_classification``,
4,000 rows, 20 features, 3% flipped labels), splits off 30% as a test set
(stratified), scales the features and fits ``TinyMLPClassifier`` at its defaults
(plus the parameters given), with ``class_weight=None`` and with 'balanced'.
It prints the test balanced accuracy of both, per seed and on average.
"""

import json
import sys
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier


def balanced_accuracies(seed, params):
    X, y = make_classification(
        n_samples=4000, n_features=20, n_informative=6, weights=[0.95], flip_y=0.03,
        random_state=seed,
    )  # fmt: skip
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed
    )
    scores = []
    for class_weight in (None, "balanced"):
        clf = TinyMLPClassifier(random_state=seed, class_weight=class_weight, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = make_pipeline(StandardScaler(), clf).fit(X_train, y_train)
        scores.append(balanced_accuracy_score(y_test, model.predict(X_test)))
    return scores


if __name__ == "__main__":
    params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    rows = np.array([balanced_accuracies(seed, params) for seed in range(10)])
    for seed, (none, balanced) in enumerate(rows):
        print(f"seed {seed}: class_weight=None {none:.3f}, 'balanced' {balanced:.3f}")
    none, balanced = rows.mean(axis=0)
    gains = rows[:, 1] - rows[:, 0]
    print(
        f"mean test balanced accuracy: None {none:.3f}, 'balanced' {balanced:.3f} "
        f"(gain {gains.mean():+.3f}, smallest {gains.min():+.3f}, largest {gains.max():+.3f})"
    )
