"""
==========================================
Tuning a scaled pipeline with GridSearchCV
==========================================

:class:`~sklearn_tinymlp.TinyMLPClassifier` is an ordinary scikit-learn
estimator, so it goes into a :class:`~sklearn.pipeline.Pipeline` behind a
:class:`~sklearn.preprocessing.StandardScaler` (neural networks want
features on comparable scales), and :class:`~sklearn.model_selection.GridSearchCV`
tunes it through the ``step__parameter`` names. Here we tune the L2 penalty
``alpha`` and the hidden layer's width on the breast cancer data, plot the
cross-validated scores, then check the chosen model on held-out data.
"""

# %%
# The pipeline and the grid
# -------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

pipe = make_pipeline(
    StandardScaler(),
    TinyMLPClassifier(solver="lbfgs", max_iter=200, random_state=0),
)
param_grid = {
    "tinymlpclassifier__alpha": np.logspace(-4, 2, 7),
    "tinymlpclassifier__hidden_layer_sizes": [(2,), (8,), (32,)],
}
search = GridSearchCV(pipe, param_grid, cv=4, scoring="accuracy").fit(X_train, y_train)
best = search.best_params_
print(
    f"best parameters: alpha={best['tinymlpclassifier__alpha']:g}, "
    f"hidden_layer_sizes={best['tinymlpclassifier__hidden_layer_sizes']}"
)
print(f"best cross-validated accuracy: {search.best_score_:.3f}")
print(f"held-out accuracy of the refitted best pipeline: {search.score(X_test, y_test):.3f}")

# %%
# The scores
# ----------
# Mean accuracy over the four folds, with one standard deviation shaded. Too
# little penalty lets the wider networks overfit; too much flattens every
# network into a nearly constant, less accurate model.
results = search.cv_results_
alphas = param_grid["tinymlpclassifier__alpha"]
fig, ax = plt.subplots(figsize=(7, 4.5))
for sizes in param_grid["tinymlpclassifier__hidden_layer_sizes"]:
    mask = np.array([p == sizes for p in results["param_tinymlpclassifier__hidden_layer_sizes"]])
    mean, std = results["mean_test_score"][mask], results["std_test_score"][mask]
    ax.plot(alphas, mean, marker="o", label=f"hidden_layer_sizes={sizes}")
    ax.fill_between(alphas, mean - std, mean + std, alpha=0.15)
ax.scatter([best["tinymlpclassifier__alpha"]], [search.best_score_], s=200, facecolor="none",
           edgecolor="k", linewidth=2, zorder=3, label="best")  # fmt: skip
ax.set(xscale="log", xlabel="alpha (L2 penalty)", ylabel="cross-validated accuracy",
       title="GridSearchCV over a scaled pipeline, breast cancer data")  # fmt: skip
ax.legend()
fig.tight_layout()

# %%
# Cross-validating the whole search
# ---------------------------------
# To estimate how well *the tuning procedure* generalises, cross-validate the
# search itself (nested cross-validation). A smaller grid keeps this quick.
small_search = GridSearchCV(pipe, {"tinymlpclassifier__alpha": [0.01, 1.0, 10.0]}, cv=3)
scores = cross_val_score(small_search, X, y, cv=3)
print(f"nested cross-validated accuracy: {scores.mean():.3f} ± {scores.std():.3f}")
plt.show()
