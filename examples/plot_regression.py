"""
=================================================
Regression: quantile intervals and Poisson counts
=================================================

:class:`~sklearn_tinymlp.TinyMLPRegressor` trains the same network as the
classifier with a regression output head. This example shows two of its
losses:

* a **prediction interval** from two quantile models (``loss='quantile'``
  with ``quantile=0.1`` and ``0.9``) on data whose noise grows with
  :math:`x`, drawn around the conditional median (``loss='absolute_error'``);
  scikit-learn's ``MLPRegressor`` has neither loss;
* a **count target** fitted with ``loss='poisson'`` (an exponential output,
  so every prediction is positive), side by side with
  :class:`~sklearn.neural_network.MLPRegressor` given the same parameters:
  the two learn the same weights, so their predictions agree to rounding.

The losses and their output errors are derived in :doc:`/math`
(:ref:`regression_heads`).
"""

# %%
# Heteroscedastic data
# --------------------
# One feature, a wavy mean, and noise whose spread grows from 0.1 to 2.6
# across the range. Half the rows train the models, the other half check how
# many targets each quantile model leaves below it.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_poisson_deviance, r2_score
from sklearn.neural_network import MLPRegressor

from sklearn_tinymlp import TinyMLPRegressor

rng = np.random.RandomState(0)
x = rng.uniform(0, 10, 2000)
y = 3 * np.sin(x) + 0.3 * x + rng.normal(scale=0.1 + 0.25 * x)
X = ((x - 5) / 3)[:, np.newaxis]  # the feature, centred and scaled
train, test = slice(0, 1000), slice(1000, None)

# %%
# Three models: the 0.1-quantile, the median and the 0.9-quantile
# ------------------------------------------------------------------
# The pinball loss of ``quantile=q`` costs ``q`` per unit of under-prediction
# and ``1 - q`` per unit of over-prediction, so its minimiser leaves a share
# ``q`` of the targets below it; the absolute error is its ``q = 0.5`` case
# (up to a factor 2), the median. Adam steps along their subgradients.
params = dict(hidden_layer_sizes=(32, 32), learning_rate_init=0.01, max_iter=300, random_state=0)
models = {
    "quantile 0.1": TinyMLPRegressor(loss="quantile", quantile=0.1, **params),
    "median": TinyMLPRegressor(loss="absolute_error", **params),
    "quantile 0.9": TinyMLPRegressor(loss="quantile", quantile=0.9, **params),
}
for model in models.values():
    model.fit(X[train], y[train])

for name, model in models.items():
    below = np.mean(y[test] < model.predict(X[test]))
    print(f"{name:<13} held-out targets below it: {below:.1%}")
low, high = models["quantile 0.1"].predict(X[test]), models["quantile 0.9"].predict(X[test])
inside = np.mean((low <= y[test]) & (y[test] <= high))
print(f"held-out targets inside the 0.1-0.9 interval: {inside:.1%} (aim: 80%)")

# %%
# The interval widens where the noise does.
grid = np.linspace(0, 10, 300)
G = ((grid - 5) / 3)[:, np.newaxis]
fig, ax = plt.subplots(figsize=(7, 4))
ax.scatter(x[test], y[test], s=4, color="0.6", label="held-out data")
ax.fill_between(
    grid,
    models["quantile 0.1"].predict(G),
    models["quantile 0.9"].predict(G),
    alpha=0.3,
    label="0.1-0.9 quantile interval",
)
ax.plot(grid, models["median"].predict(G), color="C3", label="median (absolute error)")
ax.set(xlabel="x", ylabel="y", title="A prediction interval from two quantile models")
ax.legend(loc="upper left")
fig.tight_layout()

# %%
# A count target: Poisson loss, beside MLPRegressor
# ---------------------------------------------------
# Counts drawn from a Poisson distribution whose rate varies with :math:`x`.
# ``loss='poisson'`` puts an exponential on the output, the canonical link of
# the Poisson deviance, so the output error is again :math:`\hat{y} - y`.
# Both estimators get the same parameters and seed, draw the same initial
# weights and visit the same mini-batches, and so learn the same network.
rng = np.random.RandomState(1)
x = rng.uniform(0, 10, 2000)
rate = np.exp(1 + np.sin(x) - 0.1 * x)
counts = rng.poisson(rate)
X = ((x - 5) / 3)[:, np.newaxis]

params = dict(
    loss="poisson", hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=300, random_state=0
)
tiny = TinyMLPRegressor(**params).fit(X[train], counts[train])
sklearn_mlp = MLPRegressor(**params).fit(X[train], counts[train])
for name, model in {"TinyMLPRegressor": tiny, "MLPRegressor": sklearn_mlp}.items():
    predicted = model.predict(X[test])
    print(
        f"{name:<17} epochs {model.n_iter_:>3}   R² {r2_score(counts[test], predicted):.4f}   "
        f"mean Poisson deviance {mean_poisson_deviance(counts[test], predicted):.4f}"
    )
difference = np.abs(tiny.predict(X[test]) - sklearn_mlp.predict(X[test])).max()
print(f"largest difference between their predictions: {difference:.1e}")

# %%
# The two fitted rates lie on top of each other (left); their difference is
# rounding (right).
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.scatter(x[test], counts[test], s=4, color="0.6", label="held-out counts")
left.plot(grid, np.exp(1 + np.sin(grid) - 0.1 * grid), color="k", lw=1, label="true rate")
left.plot(grid, tiny.predict(G), color="C0", lw=3, alpha=0.6, label="TinyMLPRegressor")
left.plot(grid, sklearn_mlp.predict(G), color="C1", ls="--", label="MLPRegressor")
left.set(xlabel="x", ylabel="count", title="loss='poisson'")
left.legend(loc="upper right")
right.plot(grid, tiny.predict(G) - sklearn_mlp.predict(G))
right.set(xlabel="x", ylabel="difference", title="TinyMLPRegressor − MLPRegressor predictions")
fig.tight_layout()
plt.show()
