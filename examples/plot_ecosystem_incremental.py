"""
==============================================
Out-of-core training on a chunked Dask array
==============================================

When the training set does not fit in memory, keep it as a chunked
:class:`dask.array.Array` and let :class:`dask_ml.wrappers.Incremental` feed
it to :meth:`~sklearn_tinymlp.TinyMLPClassifier.partial_fit` one block at a
time: only one block is in memory at once. With ``shuffle_blocks=False`` the
blocks go in order, so the result equals calling ``partial_fit`` block by
block by hand, which we check.

Here each block is *generated* by its own task, standing in for a block read
from a file or a database. Needs ``pip install "sklearn-tinymlp[dask]"``.
"""

# %%
# A data set that exists only as blocks
# -------------------------------------
import dask
import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from dask_ml.wrappers import Incremental
from sklearn.datasets import make_classification

from sklearn_tinymlp import TinyMLPClassifier

N_BLOCKS, BLOCK_ROWS, N_FEATURES = 20, 500, 10
X_all, y_all = make_classification(
    n_samples=N_BLOCKS * BLOCK_ROWS + 2000,
    n_features=N_FEATURES,
    n_informative=6,
    n_classes=3,
    class_sep=1.5,
    random_state=0,
)
X_test, y_test = X_all[-2000:], y_all[-2000:]


def load_block(i):
    """Return block i; in practice this would read one file or one query's rows."""
    rows = slice(i * BLOCK_ROWS, (i + 1) * BLOCK_ROWS)
    return X_all[rows], y_all[rows]


blocks = [dask.delayed(load_block)(i) for i in range(N_BLOCKS)]
X = da.concatenate(
    [da.from_delayed(b[0], shape=(BLOCK_ROWS, N_FEATURES), dtype=float) for b in blocks]
)
y = da.concatenate([da.from_delayed(b[1], shape=(BLOCK_ROWS,), dtype=int) for b in blocks])
print(X)

# %%
# Several passes over the blocks
# ------------------------------
# ``Incremental.partial_fit`` makes one pass: one ``partial_fit`` call per
# block, in order. We make a few passes and score a held-out set after each.
params = dict(hidden_layer_sizes=(32,), solver="sgd", learning_rate_init=0.02, random_state=0)
incremental = Incremental(TinyMLPClassifier(**params), shuffle_blocks=False)
scores = []
for _ in range(5):
    incremental.partial_fit(X, y, classes=[0, 1, 2])
    scores.append(incremental.estimator_.score(X_test, y_test))
print(f"held-out accuracy after each pass: {np.round(scores, 3)}")

# %%
# The same as ``partial_fit`` by hand
# -----------------------------------
by_hand = TinyMLPClassifier(**params)
for _ in range(5):
    for i in range(N_BLOCKS):
        X_block, y_block = load_block(i)
        by_hand.partial_fit(X_block, y_block, classes=[0, 1, 2])
same = all(np.array_equal(a, b) for a, b in zip(incremental.estimator_.coefs_, by_hand.coefs_))
print(f"weights identical to partial_fit block by block: {same}")

# %%
# Predictions stay lazy, too: ``incremental.predict(X)`` returns a dask
# array computed block by block.
predicted = incremental.predict(X)
print(type(predicted).__name__, predicted.numblocks)

fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(range(1, len(scores) + 1), scores, marker="o")
ax.set_xlabel("passes over the 20 blocks")
ax.set_ylabel("held-out accuracy")
ax.set_title("Incremental(TinyMLPClassifier(solver='sgd'))")
ax.set_xticks(range(1, len(scores) + 1))
fig.tight_layout()
plt.show()

# %%
# .. note::
#    dask-ml's ``IncrementalSearchCV`` and ``HyperbandSearchCV`` fail on current
#    Dask releases (an upstream incompatibility, see :doc:`/ecosystem`); tune
#    hyperparameters with ``GridSearchCV`` on a sample, or by looping over
#    ``Incremental`` models as above.
