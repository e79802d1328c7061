"""
==========================================
Distributed grid search on a Dask cluster
==========================================

A grid search is many independent fits. scikit-learn hands them to
:mod:`joblib`, and joblib's ``"dask"`` backend sends them to the workers of a
:mod:`dask.distributed` cluster, so the same ``GridSearchCV(..., n_jobs=-1)``
code runs on a laptop or on a hundred machines. Each fit is seeded by
``random_state``, so the scores do not depend on where a fit ran: we check
that the cluster's ``cv_results_`` equal a sequential run's.

This example starts a small cluster inside this process
(``processes=False``) so that it runs anywhere. Against a real cluster, only
the line that makes the client changes (see the last cell and
:doc:`/ecosystem`). Needs ``pip install "sklearn-tinymlp[dask]"``.
"""

# %%
# A grid to search
# ----------------
import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier

X, y = make_classification(
    n_samples=300, n_features=8, n_informative=5, n_classes=3, random_state=0
)
model = make_pipeline(
    StandardScaler(), TinyMLPClassifier(solver="lbfgs", max_iter=300, random_state=0)
)
grid = {
    "tinymlpclassifier__hidden_layer_sizes": [(4,), (16,)],
    "tinymlpclassifier__alpha": [0.1, 1.0, 10.0],
}

# %%
# Sequential run, as the reference
# --------------------------------
sequential = GridSearchCV(model, grid, cv=3).fit(X, y)

# %%
# The same search on a Dask cluster
# ---------------------------------
# ``LocalCluster(processes=False)`` keeps the workers in this process (as
# threads); ``processes=True`` would start worker processes, which a script
# must do under ``if __name__ == "__main__":``.
with (
    LocalCluster(
        processes=False, n_workers=2, threads_per_worker=1, dashboard_address=":0"
    ) as cluster,
    Client(cluster) as client,
):
    with joblib.parallel_backend("dask"):
        on_dask = GridSearchCV(model, grid, cv=3, n_jobs=-1).fit(X, y)

same = all(
    np.array_equal(on_dask.cv_results_[key], sequential.cv_results_[key])
    for key in sequential.cv_results_
    if "test_score" in key
)
print(f"cv_results_ test scores identical to the sequential run: {same}")
print(f"best parameters: {on_dask.best_params_}")

# %%
# Scores, candidate by candidate
# ------------------------------
labels = [
    f"{p['tinymlpclassifier__hidden_layer_sizes']}, α={p['tinymlpclassifier__alpha']:g}"
    for p in sequential.cv_results_["params"]
]
positions = np.arange(len(labels))
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.bar(positions - 0.2, sequential.cv_results_["mean_test_score"], 0.4, label="sequential")
ax.bar(positions + 0.2, on_dask.cv_results_["mean_test_score"], 0.4, label="Dask cluster")
ax.set_xticks(positions, labels, rotation=30, ha="right")
ax.set_ylim(0.5, 1)
ax.set_ylabel("mean CV accuracy")
ax.set_title("GridSearchCV: the same scores wherever the fits run")
ax.legend(loc="upper right", ncol=2)
fig.tight_layout()
plt.show()

# %%
# On a real cluster
# -----------------
# Connect a client to the scheduler's address instead of starting a local
# cluster; everything else stays the same. Every worker needs
# sklearn-tinymlp installed::
#
#     client = Client("tcp://scheduler.example.org:8786")
#     with joblib.parallel_backend("dask"):
#         search = GridSearchCV(model, grid, cv=3, n_jobs=-1).fit(X, y)
