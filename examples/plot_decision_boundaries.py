"""
======================================================
Decision boundaries across activations and layer sizes
======================================================

How the hidden activation and the number of hidden units shape what the
network can draw, on two classic two-dimensional data sets: interleaved half
moons and concentric circles. Each panel shows the predicted probability of
the orange class and the test accuracy.

An ``identity`` network stays linear however wide it is (a product of linear
maps is linear); ``relu`` draws piecewise-linear boundaries; ``logistic`` and
``tanh`` draw smooth ones. With few units a curved boundary has to be
assembled from few pieces.
"""

# %%
# Data and models
# ---------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_circles, make_moons
from sklearn.model_selection import train_test_split

from sklearn_tinymlp import TinyMLPClassifier

datasets = {
    "moons": make_moons(n_samples=300, noise=0.25, random_state=0),
    "circles": make_circles(n_samples=300, noise=0.1, factor=0.4, random_state=0),
}
activations = ["identity", "logistic", "tanh", "relu"]
hidden_sizes = [3, 16]

# %%
# Fit every combination and draw it
# ---------------------------------
# L-BFGS fits these small problems in a few milliseconds each.
fig, axes = plt.subplots(
    len(datasets) * len(hidden_sizes), len(activations), figsize=(12, 12), sharex="row"
)
for d, (data_name, (X, y)) in enumerate(datasets.items()):
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    xx, yy = np.meshgrid(np.linspace(-2.6, 2.6, 150), np.linspace(-2.6, 2.6, 150))
    grid = np.c_[xx.ravel(), yy.ravel()]
    for h, n_hidden in enumerate(hidden_sizes):
        row = d * len(hidden_sizes) + h
        for col, activation in enumerate(activations):
            clf = TinyMLPClassifier(
                hidden_layer_sizes=(n_hidden,),
                activation=activation,
                solver="lbfgs",
                alpha=1e-3,
                max_iter=1000,
                random_state=0,
            ).fit(X_train, y_train)
            ax = axes[row, col]
            proba = clf.predict_proba(grid)[:, 1].reshape(xx.shape)
            ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="PuOr_r", alpha=0.7)
            ax.scatter(*X_train.T, c=y_train, cmap="PuOr_r", s=8, edgecolor="k", linewidth=0.3)
            ax.text(2.4, -2.4, f"{clf.score(X_test, y_test):.2f}", ha="right", va="bottom",
                    fontsize=11, bbox={"facecolor": "white", "alpha": 0.8})  # fmt: skip
            ax.set(xticks=[], yticks=[], xlim=(-2.6, 2.6), ylim=(-2.6, 2.6))
            if row == 0:
                ax.set_title(activation)
            if col == 0:
                ax.set_ylabel(f"{data_name}\n{n_hidden} hidden units")
fig.suptitle("Test accuracy (bottom right) by activation (columns) and hidden units (rows)")
fig.tight_layout()
plt.show()
