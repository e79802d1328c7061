"""Mini-batch epochs and the bookkeeping that decides when to stop.

Training never copies X: it works on an array of row indices (``rows``) into
the original X, so holding out a validation set, dropping zero-weight rows and
shuffling cost O(n_samples) integers, and each mini-batch is gathered on its
own (O(batch × n_features)).
"""

import numpy as np

from ._network import backward, forward, log_loss, output_error


def train_epoch(
    X,
    Y,
    sample_weight,
    rows,
    n_rows,
    coefs,
    intercepts,
    optimizer,
    batch_size,
    shuffle,
    random_state,
    activation,
    out_activation,
    alpha,
):
    """One pass of mini-batch gradient descent over ``X[rows]``.

    Returns the epoch's loss: each batch's loss weighted by its share of the
    total sample weight (scikit-learn's ``loss_`` convention).
    """
    params = coefs + intercepts
    total_loss = 0.0
    total_weight = 0.0
    if rows is None and not shuffle:
        batches = (slice(s, min(s + batch_size, n_rows)) for s in range(0, n_rows, batch_size))
    else:
        if rows is None:
            rows = np.arange(n_rows)
        order = rows[random_state.permutation(len(rows))] if shuffle else rows
        batches = (order[s : s + batch_size] for s in range(0, len(order), batch_size))
    for batch in batches:
        X_batch, Y_batch = X[batch], Y[batch]
        sw_batch = None if sample_weight is None else sample_weight[batch]
        activations, logits = forward(X_batch, coefs, intercepts, activation, out_activation)
        loss = log_loss(logits, Y_batch, out_activation, coefs, alpha, sw_batch)
        weight_sum = Y_batch.shape[0] if sw_batch is None else float(sw_batch.sum())
        if not np.isfinite(loss):
            return loss
        delta = output_error(activations[-1], Y_batch, sw_batch)
        coef_grads, intercept_grads = backward(
            activations, delta, coefs, activation, alpha, weight_sum
        )
        optimizer.update_params(params, coef_grads + intercept_grads)
        total_loss += loss * weight_sum
        total_weight += weight_sum
    return total_loss / total_weight


class ConvergenceMonitor:
    """Counts epochs without improvement and remembers the best epoch.

    With a validation set, improvement means the validation score rose by more
    than ``tol``; without, that the training loss fell by more than ``tol``
    (scikit-learn's rule).  ``best_params`` holds a copy of the parameters of
    the best validation epoch, restored at the end of training.
    """

    def __init__(self, tol, n_iter_no_change, use_validation):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.use_validation = use_validation
        self.no_improvement_count = 0
        self.best_loss = np.inf
        self.best_score = -np.inf
        self.best_params = None

    def update(self, loss, score, params):
        """Record one epoch; return True when it is time to stop (or adapt η)."""
        if self.use_validation:
            if score < self.best_score + self.tol:
                self.no_improvement_count += 1
            else:
                self.no_improvement_count = 0
            if score >= self.best_score:  # ties: prefer the later, better-trained epoch
                self.best_score = score
                self.best_params = [p.copy() for p in params]
        else:
            if loss > self.best_loss - self.tol:
                self.no_improvement_count += 1
            else:
                self.no_improvement_count = 0
            if loss < self.best_loss:
                self.best_loss = loss
        return self.no_improvement_count > self.n_iter_no_change
