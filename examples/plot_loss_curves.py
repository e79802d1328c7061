"""
====================================================
Loss curves: sgd, adam and lbfgs, and early stopping
====================================================

``loss_curve_`` records the training loss (mean log-loss plus the L2 penalty)
after every epoch for the stochastic solvers and after every iteration for
``lbfgs``; ``data_loss_curve_`` the same loss without the penalty. With
``early_stopping=True`` the estimator also records, for the held-out
validation set, the log-loss (``validation_loss_curve_``) and the validation
score (``validation_scores_``), which is the negative validation
log-loss: higher is better, and it is what early stopping monitors. At the
end the weights of the epoch with the best score, the lowest validation
loss, are restored.
"""

# %%
# Three solvers on the digits
# ---------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier, TrainingCurveDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

solvers = {
    "sgd (momentum 0.9, η = 0.01)": {"solver": "sgd", "learning_rate_init": 0.01},
    "sgd (no momentum, η = 0.01)": {"solver": "sgd", "learning_rate_init": 0.01, "momentum": 0},
    "adam (η = 0.001)": {"solver": "adam", "learning_rate_init": 0.001},
    "lbfgs": {"solver": "lbfgs"},
}
fitted = {}
with warnings.catch_warnings():
    # 60 epochs/iterations is on purpose too few to converge: we look at the curves.
    warnings.simplefilter("ignore", ConvergenceWarning)
    for label, params in solvers.items():
        clf = TinyMLPClassifier(hidden_layer_sizes=(64,), max_iter=60, random_state=0, **params)
        fitted[label] = clf.fit(X_train, y_train)
        print(f"{label:<30} test accuracy {clf.score(X_test, y_test):.3f}")

fig, ax = plt.subplots(figsize=(7, 4.5))
for label, clf in fitted.items():
    ax.plot(np.arange(1, len(clf.loss_curve_) + 1), clf.loss_curve_, label=label)
ax.set(yscale="log", xlabel="epoch (iteration for lbfgs)", ylabel="training loss",
       title="Training loss per epoch, digits, 64 logistic hidden units")  # fmt: skip
ax.legend()
fig.tight_layout()

# %%
# Early stopping: the validation curves
# -------------------------------------
# Here 10% of the training data is held out (stratified). Training stops once
# the validation score (the negative validation log-loss) has not risen by
# ``tol`` for ``n_iter_no_change`` epochs, and the weights of the epoch with
# the best score are put back, so the model you get is the one of the best
# epoch, not the last one. The test accuracy below is that of the restored
# weights.
clf = TinyMLPClassifier(
    hidden_layer_sizes=(64,),
    learning_rate_init=0.01,
    early_stopping=True,
    validation_fraction=0.1,
    n_iter_no_change=8,
    max_iter=200,
    random_state=0,
).fit(X_train, y_train)
best_epoch = int(np.argmax(clf.validation_scores_)) + 1  # the restored epoch
assert clf.best_validation_score_ == clf.validation_scores_[best_epoch - 1]
print(f"stopped after {clf.n_iter_} epochs; best validation score at epoch {best_epoch} "
      f"(validation log-loss {-clf.best_validation_score_:.4f}); "
      f"test accuracy of the restored weights {clf.score(X_test, y_test):.3f}")  # fmt: skip

# %%
# :class:`~sklearn_tinymlp.TrainingCurveDisplay` draws all three curves in one
# call: the training and validation log-loss on the left axis, both without
# the L2 penalty (``data_loss_curve_`` and ``validation_loss_curve_``), the
# validation score on the right axis, and the restored epoch as a dotted line.
display = TrainingCurveDisplay.from_estimator(clf)
display.ax_.set_yscale("log")

# %%
# Why the display leaves the penalty out
# --------------------------------------
# ``loss_curve_`` is the objective the solver minimises: the mean log-loss
# plus ``alpha / (2 S) Σ ‖W‖²``. The validation loss has no penalty term, so
# the two are not comparable: with a strong penalty (``alpha=1`` here) the
# training curve drawn from ``loss_curve_`` (dashed) lies *above* the
# validation curve, as if the model fitted its training rows worse than new
# ones, while the training data loss (``data_loss_curve_``) is in fact lower.
strong = TinyMLPClassifier(
    hidden_layer_sizes=(64,),
    alpha=1.0,
    learning_rate_init=0.01,
    early_stopping=True,
    n_iter_no_change=8,
    random_state=0,
).fit(X_train, y_train)
display = TrainingCurveDisplay.from_estimator(strong, name="alpha=1")
epochs = np.arange(1, strong.n_iter_ + 1)
(dashed,) = display.ax_.plot(
    epochs, strong.loss_curve_, "C0--", label="loss_curve_ (with L2 penalty)"
)
display.ax_.legend(handles=[*display.lines_, dashed, display.best_epoch_line_])
for name in ("loss_curve_", "data_loss_curve_", "validation_loss_curve_"):
    print(f"alpha=1, last epoch's {name}: {getattr(strong, name)[-1]:.3f}")
plt.show()
