"""
============================================================
Early stopping on your own validation set, and with dropout
============================================================

Early stopping is only as good as its validation set. ``TinyMLPClassifier``
holds out a random ``validation_fraction`` of the rows by default; when rows
are not exchangeable, such as several rows per patient, customer or site, or
rows ordered in time, a random hold-out puts near-copies of the training rows
into the validation set. The validation score then measures how well the
network recognises what it has seen, not how it does on new groups, and
early stopping trusts it.

This example gives ``fit`` a validation set split by group (``X_val``,
``y_val``), stops on the validation ROC AUC (``scoring="roc_auc"``), and
then trains a large network on a small data set with and without
``dropout``, to show what dropout does to the training and validation
curves.
"""

# %%
# Grouped data: a random split leaks
# ----------------------------------
# 300 groups of 4 rows each. The label belongs to the group, and every row of
# a group shares the group's "fingerprint", a random offset in all 20
# features; only a weak direction in the first three features tells the
# classes apart. A network can learn the fingerprints of the groups it has
# seen, which helps on their other rows and not at all on new groups.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupShuffleSplit, train_test_split

from sklearn_tinymlp import TinyMLPClassifier, TrainingCurveDisplay

rng = np.random.RandomState(0)
n_groups, rows_per_group, n_features = 300, 4, 20
groups = np.repeat(np.arange(n_groups), rows_per_group)
group_label = rng.randint(0, 2, n_groups)
fingerprint = rng.normal(size=(n_groups, n_features))
direction = np.zeros(n_features)
direction[:3] = 1 / np.sqrt(3)
y = group_label[groups]
X = (
    fingerprint[groups]
    + 0.8 * np.outer(2 * y - 1, direction)
    + 0.5 * rng.normal(size=(len(y), n_features))
)

# New groups for the final test; the rest is split again, by group, into
# training and validation groups.
dev, test = next(GroupShuffleSplit(n_splits=1, test_size=1 / 3, random_state=0).split(X, y, groups))
X_dev, y_dev, groups_dev, X_test, y_test = X[dev], y[dev], groups[dev], X[test], y[test]
train, val = next(
    GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=0).split(X_dev, y_dev, groups_dev)
)
print(f"{len(train)} training rows, {len(val)} validation rows, {len(test)} test rows, "
      "no group in two of them")  # fmt: skip


# %%
# Both models stop on the validation ROC AUC. The first holds out 30% of the
# rows at random (``validation_fraction=0.3``), so the same groups are in its
# training and validation rows; the second gets the validation groups as
# ``X_val`` and ``y_val`` and trains on the rows of the other groups; both
# train on about 560 rows. A ``callbacks`` function records each epoch's ROC
# AUC on the test groups, which the estimators never see, to show what the
# validation score should have said.
def record_test_auc(curve):
    def callback(estimator, info):
        curve.append(roc_auc_score(y_test, estimator.predict_proba(X_test)[:, 1]))

    return callback


params = dict(
    hidden_layer_sizes=(128,),
    activation="relu",
    learning_rate_init=0.001,
    early_stopping=True,
    scoring="roc_auc",
    n_iter_no_change=20,
    max_iter=300,
    random_state=0,
)
test_curves = {"random split": [], "group split": []}
models = {
    "random split": TinyMLPClassifier(
        **params, validation_fraction=0.3, callbacks=[record_test_auc(test_curves["random split"])]
    ).fit(X_dev, y_dev),
    "group split": TinyMLPClassifier(
        **params, callbacks=[record_test_auc(test_curves["group split"])]
    ).fit(X_dev[train], y_dev[train], X_val=X_dev[val], y_val=y_dev[val]),
}
for name, clf in models.items():
    restored = roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1])
    print(f"{name}: stopped after {clf.n_iter_} epochs; validation ROC AUC of the restored "
          f"epoch {clf.best_validation_score_:.3f}, test ROC AUC {restored:.3f}")  # fmt: skip

# %%
# The random split's validation score keeps rising while the network learns
# the fingerprints, far above what the model achieves on new groups, whose
# score peaks early and then falls; early stopping follows the validation
# score to a late epoch, and restores an overfitted model. The group split's
# validation groups are new to the network, like the test groups: its score is
# lower and has the shape of the test curve, levelling off after about twenty
# epochs, and training stops soon after, with a better model for new groups.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
for ax, (name, clf) in zip(axes, models.items()):
    epochs = np.arange(1, clf.n_iter_ + 1)
    best_epoch = int(np.argmax(clf.validation_scores_)) + 1
    ax.plot(epochs, clf.validation_scores_, label="validation ROC AUC (validation_scores_)")
    ax.plot(epochs, test_curves[name], label="ROC AUC on new groups (test)")
    ax.axvline(best_epoch, color="k", linestyle=":", label=f"restored epoch ({best_epoch})")
    ax.set(xlabel="epoch", ylim=(0.6, 1.0), title=f"Early stopping on a {name}")
    ax.legend(loc="lower right", fontsize="small")
axes[0].set_ylabel("ROC AUC")
fig.tight_layout()

# %%
# Dropout: a large network on a small data set
# --------------------------------------------
# 100 noisy two-moons points, a network of two hidden layers of 256 ReLU
# units, 200 epochs. ``n_iter_no_change=200`` keeps early stopping from
# cutting the curves short; it still records the validation curves on the
# given validation set and restores the epoch of the best validation ROC AUC.
# With ``dropout=0.5`` each hidden unit is dropped with probability 0.5 in
# every mini-batch, and the kept units are scaled by 2; prediction uses every
# unit.
X, y = make_moons(n_samples=900, noise=0.35, random_state=0)
X_train, X_rest, y_train, y_rest = train_test_split(
    X, y, train_size=100, stratify=y, random_state=0
)
X_val, X_test, y_val, y_test = train_test_split(
    X_rest, y_rest, train_size=300, stratify=y_rest, random_state=0
)

fits = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # all 200 epochs, on purpose
    for dropout in (0.0, 0.5):
        fits[dropout] = TinyMLPClassifier(
            hidden_layer_sizes=(256, 256),
            activation="relu",
            learning_rate_init=0.003,
            dropout=dropout,
            early_stopping=True,
            scoring="roc_auc",
            n_iter_no_change=200,
            max_iter=200,
            random_state=0,
        ).fit(X_train, y_train, X_val=X_val, y_val=y_val)

for dropout, clf in fits.items():
    test_auc = roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1])
    print(f"dropout={dropout}: validation log-loss {min(clf.validation_loss_curve_):.3f} at best, "
          f"{clf.validation_loss_curve_[-1]:.3f} after 200 epochs; validation ROC AUC "
          f"{clf.best_validation_score_:.3f} at best, {clf.validation_scores_[-1]:.3f} after 200 "
          f"epochs; test ROC AUC of the restored epoch {test_auc:.3f}")  # fmt: skip

# %%
# Without dropout the network drives its training loss towards 0 by fitting
# the noise: after a few dozen epochs the validation log-loss turns up and
# keeps climbing (ever more confident mistakes), and the validation ROC AUC
# slowly falls. With dropout the training loss (that of the thinned networks,
# so higher; both drawn without the L2 penalty, as the validation loss is)
# falls more slowly, the validation loss rises far less and the
# ROC AUC stays near its peak. Early stopping restores the best epoch in both
# cases, so dropout matters most when training runs long: with a patient
# ``n_iter_no_change``, a fixed number of epochs, or ``partial_fit``.
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True)
for ax, (dropout, clf) in zip(axes, fits.items()):
    display = TrainingCurveDisplay.from_estimator(clf, ax=ax, name=f"dropout={dropout}")
    ax.set_yscale("log")
    display.score_ax_.set_ylim(0.8, 1.0)
fig.tight_layout()
plt.show()
