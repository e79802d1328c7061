"""
===================================
Saving a model safely with skops
===================================

A pickle file can run any code when it is loaded, so loading one from an
untrusted source is unsafe. `skops <https://skops.readthedocs.io>`_ writes a
format that is *read*, not executed: before loading, you can list the types a
file contains, and :func:`skops.io.load` builds only the types you trust.

scikit-learn's and NumPy's types are trusted by default; the types of this
package are listed in :data:`sklearn_tinymlp.SKOPS_TRUSTED_TYPES`. Needs
``pip install "sklearn-tinymlp[skops]"``.
"""

# %%
# Fit and save a pipeline
# -----------------------
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import skops.io as sio
from sklearn.datasets import make_moons
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import SKOPS_TRUSTED_TYPES, TinyMLPClassifier

X, y = make_moons(n_samples=300, noise=0.25, random_state=0)
model = make_pipeline(
    StandardScaler(),
    TinyMLPClassifier(hidden_layer_sizes=(16,), solver="lbfgs", alpha=0.1, random_state=0),
)
model.fit(X, y)

path = Path(tempfile.mkdtemp()) / "moons.skops"
sio.dump(model, path)
print(f"{path.name}: {path.stat().st_size} bytes")

# %%
# Inspect, then load
# ------------------
# ``get_untrusted_types`` lists what the file would build beyond the default
# trusted types: here our classifier alone, because L-BFGS keeps no optimizer
# state ('sgd' and 'adam' models also store their optimizer).
untrusted = sio.get_untrusted_types(file=path)
print("untrusted types in the file:", untrusted)
print("SKOPS_TRUSTED_TYPES:", SKOPS_TRUSTED_TYPES)
assert set(untrusted) <= set(SKOPS_TRUSTED_TYPES)

loaded = sio.load(path, trusted=SKOPS_TRUSTED_TYPES)
same = np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
print(f"predictions identical after loading: {same}")

# %%
# The loaded model draws the same decision boundary
# -------------------------------------------------
xx, yy = np.meshgrid(np.linspace(-2, 3, 200), np.linspace(-1.5, 2, 160))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), sharey=True)
for ax, (title, estimator) in zip(axes, [("fitted", model), ("loaded from .skops", loaded)]):
    proba = estimator.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, proba, levels=20, cmap="RdBu_r", alpha=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=12)
    ax.set_title(title)
fig.tight_layout()
plt.show()
