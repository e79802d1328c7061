"""
===========================================
Learning from a stream with ``partial_fit``
===========================================

When data arrive in chunks (from a database cursor, a message queue, files
too large for memory), :meth:`~sklearn_tinymlp.TinyMLPClassifier.partial_fit`
trains on each chunk as it comes: one epoch over the chunk per call, with the
optimizer's state (Adam's moments, SGD's velocities) carried from call to
call. The first call must name every class the stream can contain.

We simulate a stream of mini-batches and track two running scores: the
accuracy on each *incoming* batch before training on it ("test, then
train", an honest online estimate), and the accuracy on a fixed held-out
set. A :class:`~sklearn.preprocessing.StandardScaler` learns its means and
variances from the stream too, with its own ``partial_fit``.
"""

# %%
# A stream of mini-batches
# ------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier

X, y = make_classification(
    n_samples=22_000,
    n_features=20,
    n_informative=10,
    n_classes=4,
    n_clusters_per_class=2,
    class_sep=1.5,
    random_state=0,
)
X = X * 10 + 5  # features off the unit scale, as raw data often are
X_holdout, y_holdout = X[:2000], y[:2000]
classes = np.unique(y)  # every label the stream can contain, known up front


def stream(X, y, batch_size=250):
    """Yield (X_batch, y_batch) chunks, as a data source would."""
    for start in range(0, len(X), batch_size):
        yield X[start : start + batch_size], y[start : start + batch_size]


# %%
# Test, then train, chunk by chunk
# --------------------------------
scaler = StandardScaler()
clf = TinyMLPClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0)
seen, incoming_scores, holdout_scores = [], [], []
n_seen = 0
for X_batch, y_batch in stream(X[2000:], y[2000:]):
    scaler.partial_fit(X_batch)
    X_batch = scaler.transform(X_batch)
    if n_seen:  # score the new batch before learning from it
        incoming_scores.append(clf.score(X_batch, y_batch))
        holdout_scores.append(clf.score(scaler.transform(X_holdout), y_holdout))
        seen.append(n_seen)
    clf.partial_fit(X_batch, y_batch, classes=classes)
    n_seen += len(y_batch)

print(f"{len(clf.loss_curve_)} partial_fit calls, {clf.t_} samples seen")
print(
    f"held-out accuracy after the stream: {clf.score(scaler.transform(X_holdout), y_holdout):.3f}"
)

# %%
# The running scores
# ------------------
# The incoming-batch score is noisy (each point is 250 samples) but needs no
# held-out data; a moving average smooths it.
window = 8
smoothed = np.convolve(incoming_scores, np.ones(window) / window, mode="valid")
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.plot(
    seen,
    incoming_scores,
    ".",
    color="tab:blue",
    alpha=0.4,
    label="incoming batch (test, then train)",
)
ax.plot(
    seen[window - 1 :], smoothed, color="tab:blue", label=f"incoming batch, mean of last {window}"
)
ax.plot(seen, holdout_scores, color="tab:orange", lw=2, label="fixed held-out set")
ax.set(xlabel="training samples seen", ylabel="accuracy", ylim=(0, 1),
       title="partial_fit over a stream of mini-batches (4 classes)")  # fmt: skip
ax.axhline(1 / len(classes), color="gray", linestyle=":", label="chance")
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
