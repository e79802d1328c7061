"""
============================================
Training one model on data in a Dask cluster
============================================

``TinyMLPClassifier.fit`` accepts Dask arrays and DataFrames. The blocks of X
stay on the workers that hold them; what moves depends on the solver:

* ``solver="lbfgs"`` (and full-batch gradient descent) sends the parameter
  vector to the workers at each evaluation; each block computes its share of
  the loss and gradient, which are sums over rows, with the same forward and
  backward pass as an in-memory fit; the client adds the per-block sums. The
  model equals the in-memory one.
* ``solver="sgd"`` or ``"adam"`` with mini-batches streams the blocks to the
  client, one after the other: sequential training over distributed storage.

Predictions on Dask input are lazy Dask arrays, computed block by block on the
workers. This example runs a small cluster inside this process
(``processes=False``) so that it runs anywhere; on a real cluster only the
line that makes the client changes (see :doc:`/ecosystem`). Needs
``pip install "sklearn-tinymlp[dask]"``.
"""

# %%
# A cluster, and data made on its workers
# ---------------------------------------
# ``dask.array.random`` makes each block of X on the worker that will hold
# it: the client only builds the recipe. 40,000 rows in 8 blocks of 5,000.
import warnings

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.exceptions import ConvergenceWarning

from sklearn_tinymlp import TinyMLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)  # max_iter is kept small

cluster = LocalCluster(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=":0")
client = Client(cluster)

random = da.random.RandomState(0)
X = random.standard_normal((40_000, 10), chunks=(5_000, -1))
y = X[:, 0] * X[:, 1] + 0.5 * X[:, 2] + 0.3 * random.standard_normal(40_000, chunks=5_000) > 0
y = y.astype(int)
print(X)

# %%
# L-BFGS on the cluster equals L-BFGS in memory
# ---------------------------------------------
# The same data gathered into NumPy (small enough here) gives the reference.
# Each block computes its share of the loss and gradient as the in-memory
# objective computes a chunk of rows; the in-memory fit cuts its rows into
# chunks of another size, so the sums are rounded differently, and L-BFGS
# carries that rounding along its iterations.
params = dict(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=30, tol=0, random_state=0)
on_dask = TinyMLPClassifier(**params).fit(X, y)

X_np, y_np = X.compute(), y.compute()
in_memory = TinyMLPClassifier(**params).fit(X_np, y_np)

difference = max(
    np.linalg.norm(a - b) / np.linalg.norm(a)
    for a, b in zip(in_memory.coefs_ + in_memory.intercepts_, on_dask.coefs_ + on_dask.intercepts_)
)
print(f"{on_dask.n_iter_} iterations; largest relative difference of the weights: {difference:.1e}")

# %%
# Lazy predictions, computed where the blocks are
# -----------------------------------------------
proba = on_dask.predict_proba(X)
print(proba)  # a Dask array: nothing has been computed yet
same = np.allclose(proba.compute(), in_memory.predict_proba(X_np), rtol=1e-6, atol=1e-12)
print(f"equal to the in-memory probabilities: {same}")
print(f"accuracy, computed on the workers: {on_dask.score(X, y):.4f}")

# %%
# Adam over a stream of blocks
# ----------------------------
# Each epoch visits the 8 blocks in a new random order and shuffles the rows
# within each; the client holds about two blocks at a time. The path differs
# from the in-memory fit (whose shuffle mixes all rows), the result is as good.
adam = dict(hidden_layer_sizes=(16,), solver="adam", max_iter=15, random_state=0)
streamed = TinyMLPClassifier(**adam).fit(X, y)
adam_in_memory = TinyMLPClassifier(**adam).fit(X_np, y_np)
print(
    f"adam accuracy: streamed from Dask {streamed.score(X, y):.4f}, "
    f"in memory {adam_in_memory.score(X_np, y_np):.4f}"
)

# %%
# Loss curves
# -----------
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
left.plot(in_memory.loss_curve_, lw=4, alpha=0.4, label="in memory")
left.plot(on_dask.loss_curve_, "k--", lw=1, label="Dask, 2 workers")
left.set(title="L-BFGS: the same iterates", xlabel="iteration", ylabel="training loss")
right.plot(adam_in_memory.loss_curve_, marker="o", label="in memory")
right.plot(streamed.loss_curve_, marker="s", label="Dask, streamed blocks")
right.set(title="Adam: a different order, the same end", xlabel="epoch")
for ax in (left, right):
    ax.legend()
fig.tight_layout()
plt.show()

# %%
# How the cost grows
# ------------------
# With L-BFGS or full-batch gradient descent, each evaluation of the loss
# sends the parameter vector to every worker and brings back one loss and one
# gradient per block: the traffic per iteration is O(parameters × blocks),
# that is O(parameters × workers) for a few blocks per worker, whatever the
# number of rows. The compute per iteration is O(rows / workers), plus a fixed
# cost of scheduling one task per block (a few milliseconds each), so blocks
# of tens of megabytes keep that overhead small. The mini-batch solvers compute
# on the client only: their time does not fall with more workers, but their
# memory stays at about two blocks however large X is.
# ``benchmarks/dask_lbfgs.py`` measures this on data larger than the workers'
# memory.
client.close()
cluster.close()
