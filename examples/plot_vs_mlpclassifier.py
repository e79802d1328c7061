"""
================================================
TinyMLPClassifier and MLPClassifier side by side
================================================

The same network, trained with the same solver and settings, by
:class:`~sklearn_tinymlp.TinyMLPClassifier` and by scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier`: fit time and test accuracy
on a few data sets. The two implement the same loss and the same update
rules, draw the same initial weights from ``random_state`` (Glorot-uniform)
and visit the mini-batches in the same order, so they learn the same weights
up to rounding and their accuracies agree; what differs is how the
arithmetic is organised, and so the time.

Timings here come from whatever machine built this page, fitting once each,
so take them as indicative; :doc:`/performance` has the careful benchmark.
Note that the two estimators have different default activations ('logistic'
here, 'relu' in scikit-learn), so we set it explicitly.
"""

# %%
# Data sets and settings
# ----------------------
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier

datasets = {
    "breast cancer\n(569 × 30, 2 classes)": load_breast_cancer(return_X_y=True),
    "digits\n(1797 × 64, 10 classes)": load_digits(return_X_y=True),
    "synthetic\n(3000 × 20, 3 classes)": make_classification(
        n_samples=3000, n_features=20, n_informative=10, n_classes=3, random_state=0
    ),
}
settings = {
    "adam": dict(solver="adam", hidden_layer_sizes=(64,), activation="relu", max_iter=30),
    "sgd": dict(
        solver="sgd",
        hidden_layer_sizes=(64,),
        activation="relu",
        max_iter=30,
        learning_rate_init=0.01,
    ),  # fmt: skip
    "lbfgs": dict(solver="lbfgs", hidden_layer_sizes=(64,), activation="relu", max_iter=60),
}
estimators = {"TinyMLPClassifier": TinyMLPClassifier, "MLPClassifier": MLPClassifier}

# %%
# Fit and score
# -------------
# A fixed number of epochs (``max_iter``) and ``tol=0`` make both run the
# same amount of work; the ConvergenceWarning that says so is silenced.
fit_seconds = {}
accuracy = {}
for data_name, (X, y) in datasets.items():
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    for solver, params in settings.items():
        for est_name, Estimator in estimators.items():
            clf = Estimator(tol=0.0, random_state=0, **params)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                clf.fit(X_train, y_train)
                fit_seconds[data_name, solver, est_name] = time.perf_counter() - start
            accuracy[data_name, solver, est_name] = clf.score(X_test, y_test)

for (data_name, solver, est_name), seconds in fit_seconds.items():
    print(f"{data_name.splitlines()[0]:<14} {solver:<6} {est_name:<18} "
          f"{seconds:6.3f} s   accuracy {accuracy[data_name, solver, est_name]:.3f}")  # fmt: skip

# %%
# Side by side
# ------------
fig, axes = plt.subplots(2, len(datasets), figsize=(13, 7), sharey="row")
width = 0.38
x = np.arange(len(settings))
colors = {"TinyMLPClassifier": "tab:blue", "MLPClassifier": "tab:gray"}
for col, data_name in enumerate(datasets):
    for i, est_name in enumerate(estimators):
        offset = (i - 0.5) * width
        seconds = [fit_seconds[data_name, s, est_name] for s in settings]
        scores = [accuracy[data_name, s, est_name] for s in settings]
        axes[0, col].bar(x + offset, seconds, width, color=colors[est_name], label=est_name)
        axes[1, col].bar(x + offset, scores, width, color=colors[est_name], label=est_name)
    axes[0, col].set_title(data_name)
    for ax in axes[:, col]:
        ax.set_xticks(x, list(settings))
axes[0, 0].set_ylabel("fit time (s)")
axes[1, 0].set_ylabel("test accuracy")
axes[1, 0].set_ylim(0.5, 1.0)
axes[0, 0].legend()
fig.suptitle("Same network, same solver: 64 relu hidden units, fixed number of epochs")
fig.tight_layout()
plt.show()
