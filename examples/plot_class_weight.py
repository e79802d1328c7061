"""
============================================
Class imbalance: ``class_weight='balanced'``
============================================

On imbalanced data a classifier trained on the plain mean log-loss can do
well on average by neglecting the rare classes. ``class_weight='balanced'``
multiplies each sample's weight by ``S / (n_classes · S_c)``, where ``S_c``
is the total weight of its class, so every class carries the same total
weight in the loss. The confusion matrices below show the trade: more of
the rare classes found, at the cost of some mistakes on the common one.
"""

# %%
# Imbalanced data
# ---------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import ConfusionMatrixDisplay, balanced_accuracy_score
from sklearn.model_selection import train_test_split

from sklearn_tinymlp import TinyMLPClassifier

X, y = make_classification(
    n_samples=3000,
    n_features=10,
    n_informative=4,
    n_classes=3,
    n_clusters_per_class=1,
    weights=[0.9, 0.07, 0.03],
    class_sep=1.0,
    flip_y=0.0,
    random_state=1,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
print("training samples per class:", np.bincount(y_train))

# %%
# Without and with class weights
# ------------------------------
models = {
    name: TinyMLPClassifier(
        hidden_layer_sizes=(8,),
        learning_rate_init=0.01,
        alpha=0.01,
        tol=1e-3,
        random_state=0,
        class_weight=class_weight,
    )
    for name, class_weight in [("class_weight=None", None), ("class_weight='balanced'", "balanced")]
}
fig, axes = plt.subplots(1, 2, figsize=(10, 4.3))
for ax, (name, clf) in zip(axes, models.items()):
    clf.fit(X_train, y_train)
    y_pred = clf.predict(X_test)
    accuracy = np.mean(y_pred == y_test)
    balanced = balanced_accuracy_score(y_test, y_pred)
    print(f"{name:<25} accuracy {accuracy:.3f}   balanced accuracy {balanced:.3f}")
    ConfusionMatrixDisplay.from_predictions(y_test, y_pred, ax=ax, colorbar=False, cmap="Blues")
    ax.set_title(f"{name}\naccuracy {accuracy:.2f}, balanced accuracy {balanced:.2f}")
fig.tight_layout()
plt.show()

# %%
# A dict gives any weights you like, e.g. ``class_weight={1: 5.0, 2: 10.0}``
# (unlisted classes weigh 1). In ``partial_fit``, 'balanced' uses the running
# class totals of every sample seen so far; when the class frequencies are
# known in advance, compute the weights once with
# :func:`sklearn.utils.class_weight.compute_class_weight` and pass a dict.
