"""
=====================================================
The derivation's 2-2-1 network learning XOR-like data
=====================================================

The network of the derivation has two inputs, one hidden layer of two
sigmoid units and one sigmoid output: nine parameters in all. Trained with
``solver="sgd"``, ``batch_size=1``, ``momentum=0`` and ``alpha=0``, every
update is exactly the derivation's rule ``w ← w − η ∂L/∂w`` applied to one
sample, for example ``w1 ← w1 − η (ŷ − y) a1``.

We first check one such update against the derivation's formulas written out
by hand, then train on XOR-like data for 120 epochs, with a callback that
records the nine parameters after every epoch, and watch the decision
boundary, the two hidden units' lines and the nine parameters as training
goes. See :doc:`/math` for the equations.
"""

# %%
# The nine parameters and where they live
# ---------------------------------------
# ``coefs_[0][j, k]`` is the weight from input j to hidden unit k and
# ``coefs_[1][k, 0]`` the weight from hidden unit k to the output, so the
# derivation's names map to the fitted attributes like this:
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_tinymlp import TinyMLPClassifier

NAMES = ["w11", "w21", "b1", "w12", "w22", "b2", "w1", "w2", "b"]


def nine_parameters(clf):
    """The derivation's nine parameters, in the order of NAMES."""
    (W1, W2), (b_hidden, b_out) = clf.coefs_, clf.intercepts_
    return np.array(
        [
            W1[0, 0], W1[1, 0], b_hidden[0],  # hidden unit 1 (the red node)
            W1[0, 1], W1[1, 1], b_hidden[1],  # hidden unit 2 (the green node)
            W2[0, 0], W2[1, 0], b_out[0],  # the output unit
        ]
    )  # fmt: skip


def derivation_network(**params):
    return TinyMLPClassifier(
        hidden_layer_sizes=(2,),
        activation="logistic",
        solver="sgd",
        batch_size=1,
        momentum=0.0,
        alpha=0.0,
        shuffle=False,
        early_stopping=False,  # every row is trained on (none held out)
        **params,
    )


# %%
# One update, by hand and by the estimator
# ----------------------------------------
# Take one sample, run the derivation's forward pass and its update rules
# with plain numpy, and compare with one ``partial_fit`` call on that sample.
eta = 0.5
x1, x2, y = 1.0, -1.0, 1
clf = derivation_network(learning_rate_init=eta, random_state=3)
clf.partial_fit([[0.0, 0.0]], [0], classes=[0, 1])  # creates the weights...
clf.coefs_[0][...] = [[0.3, -0.2], [0.4, 0.1]]  # ... which we then set
clf.intercepts_[0][...] = [0.1, -0.1]
clf.coefs_[1][...] = [[0.5], [-0.6]]
clf.intercepts_[1][...] = [0.2]
w11, w21, b1, w12, w22, b2, w1, w2, b = nine_parameters(clf)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


a1 = sigmoid(w11 * x1 + w21 * x2 + b1)  # hidden summation and activation
a2 = sigmoid(w12 * x1 + w22 * x2 + b2)
y_hat = sigmoid(w1 * a1 + w2 * a2 + b)  # final summation and activation
by_hand = [
    w11 - eta * (y_hat - y) * w1 * a1 * (1 - a1) * x1,
    w21 - eta * (y_hat - y) * w1 * a1 * (1 - a1) * x2,
    b1 - eta * (y_hat - y) * w1 * a1 * (1 - a1),
    w12 - eta * (y_hat - y) * w2 * a2 * (1 - a2) * x1,
    w22 - eta * (y_hat - y) * w2 * a2 * (1 - a2) * x2,
    b2 - eta * (y_hat - y) * w2 * a2 * (1 - a2),
    w1 - eta * (y_hat - y) * a1,
    w2 - eta * (y_hat - y) * a2,
    b - eta * (y_hat - y),
]
clf.partial_fit([[x1, x2]], [y])
for name, hand, code in zip(NAMES, by_hand, nine_parameters(clf)):
    print(f"{name:>3}: by hand {hand:+.6f}   partial_fit {code:+.6f}")
print("largest difference:", np.abs(np.array(by_hand) - nine_parameters(clf)).max())

# %%
# XOR-like data
# -------------
# Four clouds: class 1 where exactly one coordinate is positive. No single
# line separates the classes, so the network needs both hidden units.
rng = np.random.RandomState(0)
centers = np.array([[-1, -1], [1, 1], [-1, 1], [1, -1]])
cloud = np.repeat(np.arange(4), 25)
X = centers[cloud] + rng.normal(scale=0.35, size=(100, 2))
y = (cloud >= 2).astype(int)

# %%
# Training: 120 epochs, the parameters recorded after each
# --------------------------------------------------------
# Each epoch makes one pass over the 100 samples in a new shuffled order, one
# derivation update per sample. A callback keeps the nine parameters after
# every epoch; ``tol=0`` with a patience of ``max_iter`` epochs makes the fit
# run all 120. (With only two hidden units XOR has poor local minima, and
# some seeds end in one; ``random_state=4`` starts in a good basin.)
history = []


def record(estimator, info):
    history.append(nine_parameters(estimator))


clf = derivation_network(
    learning_rate_init=0.5,
    random_state=4,
    max_iter=120,
    tol=0.0,
    n_iter_no_change=120,
    callbacks=[record],
).set_params(shuffle=True)
with warnings.catch_warnings():
    # Running exactly max_iter epochs is the point here, not a failure to converge.
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X, y)
history = np.array(history)
print(f"training accuracy after {clf.n_iter_} epochs: {clf.score(X, y):.2f}")

# %%
# The decision boundary, the hidden units' lines and the parameters
# ---------------------------------------------------------------------
# Hidden unit k switches at the line ``w1k x1 + w2k x2 + bk = 0`` (where
# ``a_k = 1/2``); the output combines the two half-planes into the XOR
# pattern.
fig, (ax_boundary, ax_loss, ax_params) = plt.subplots(1, 3, figsize=(15, 4.6))

xx, yy = np.meshgrid(np.linspace(-2.2, 2.2, 200), np.linspace(-2.2, 2.2, 200))
proba = clf.predict_proba(np.c_[xx.ravel(), yy.ravel()])[:, 1].reshape(xx.shape)
ax_boundary.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
ax_boundary.contour(xx, yy, proba, levels=[0.5], colors="k", linewidths=2)
ax_boundary.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolor="k", s=25)
line_x = np.linspace(-2.2, 2.2, 2)
for k, color in enumerate(["tab:red", "tab:green"]):
    w1k, w2k, bk = clf.coefs_[0][0, k], clf.coefs_[0][1, k], clf.intercepts_[0][k]
    ax_boundary.plot(line_x, -(w1k * line_x + bk) / w2k, "--", color=color, lw=2,
                     label=f"hidden unit {k + 1}: z{k + 1} = 0")  # fmt: skip
ax_boundary.set(xlim=(-2.2, 2.2), ylim=(-2.2, 2.2), xlabel="x1", ylabel="x2",
                title="Decision boundary (black) and hidden units")  # fmt: skip
ax_boundary.legend(loc="lower left", fontsize=8)

ax_loss.plot(np.arange(1, clf.n_iter_ + 1), clf.loss_curve_)
ax_loss.set(xlabel="epoch", ylabel="log-loss", title="Training loss")

colors = ["tab:red"] * 3 + ["tab:green"] * 3 + ["tab:purple"] * 3
styles = ["-", "--", ":"] * 3
for name, values, color, style in zip(NAMES, history.T, colors, styles):
    ax_params.plot(np.arange(1, len(values) + 1), values, style, color=color, label=name)
ax_params.set(xlabel="epoch", ylabel="value", title="The nine parameters")
ax_params.legend(ncol=3, fontsize=8)
fig.tight_layout()
plt.show()
