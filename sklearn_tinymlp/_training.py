"""Mini-batch epochs and the bookkeeping that decides when to stop.

Training never copies X: it works on an array of row indices (``rows``) into
the original X, so holding out a validation set, dropping zero-weight rows and
shuffling cost O(n_samples) integers, and each mini-batch is gathered on its
own (O(batch × n_features)).
"""

import numpy as np

from ._fast import flat_optimizer_supported, minibatch_epoch
from ._fast_scalar import per_sample_epoch
from ._fast_scalar import supported as per_sample_supported
from ._network import backward, forward, log_loss, output_error


def epoch_order(rows, n_rows, shuffle, random_state):
    """The rows of X one epoch visits, in order; None stands for 0, 1, …, n_rows − 1."""
    if rows is None and not shuffle:
        return None
    if rows is None:
        rows = np.arange(n_rows)
    return rows[random_state.permutation(len(rows))] if shuffle else rows


def batch_indices(order, n_rows, batch_size):
    """Each mini-batch's rows: slices of X when ``order`` is None, else index arrays."""
    if order is None:
        return (slice(s, min(s + batch_size, n_rows)) for s in range(0, n_rows, batch_size))
    return (order[s : s + batch_size] for s in range(0, len(order), batch_size))


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

    Dense X is trained by the specialised kernels of ``_fast`` (and, for tiny
    networks with ``batch_size=1``, ``_fast_scalar``), which give the same
    updates as :func:`reference_epoch` up to rounding; sparse X by
    :func:`reference_epoch` itself.
    """
    order = epoch_order(rows, n_rows, shuffle, random_state)
    n_train = n_rows if order is None else len(order)
    if (
        not isinstance(X, np.ndarray)
        or X.dtype != coefs[0].dtype
        or not flat_optimizer_supported(optimizer)
    ):
        return reference_epoch(
            X,
            Y,
            sample_weight,
            batch_indices(order, n_rows, batch_size),
            coefs,
            intercepts,
            optimizer,
            activation,
            out_activation,
            alpha,
        )
    if per_sample_supported(X, batch_size, coefs, intercepts, optimizer):
        return per_sample_epoch(
            X,
            Y,
            sample_weight,
            order,
            n_rows,
            coefs,
            intercepts,
            optimizer,
            activation,
            out_activation,
            alpha,
        )
    if batch_size >= n_train and order is not None:
        # One batch of every row: its gradient does not depend on the order, so
        # visit the rows as stored (the permutation was still drawn, keeping
        # the random stream the same).
        order = None if rows is None else rows
    return minibatch_epoch(
        X,
        Y,
        sample_weight,
        batch_indices(order, n_rows, batch_size),
        coefs,
        intercepts,
        optimizer,
        min(batch_size, n_train),
        activation,
        out_activation,
        alpha,
    )


def reference_epoch(
    X, Y, sample_weight, batches, coefs, intercepts, optimizer, activation, out_activation, alpha
):
    """The epoch as the derivation states it, with ``_network``'s functions, one batch at a time.

    ``batches`` yields each mini-batch's rows (slices or index arrays of X).
    The fast kernels are tested equal to this loop.
    """
    params = coefs + intercepts
    total_loss = 0.0
    total_weight = 0.0
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

    With a validation set, improvement means the validation log-loss fell by
    more than ``tol``; without, that the training loss did (scikit-learn's
    rule). The validation loss moves smoothly even while the validation
    accuracy sits on a plateau, so training is not cut short by a flat
    accuracy. ``best_params`` holds a copy of the parameters of the epoch with
    the lowest validation loss, restored at the end of training.
    """

    def __init__(self, tol, n_iter_no_change, use_validation):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.use_validation = use_validation
        self.no_improvement_count = 0
        self.best_loss = np.inf
        self.best_validation_loss = np.inf
        self.best_validation_score = None
        self.best_params = None

    def update(self, loss, params, validation_loss=None, validation_score=None):
        """Record one epoch; return True when it is time to stop (or adapt η)."""
        if self.use_validation:
            reference, loss = self.best_validation_loss, validation_loss
        else:
            reference = self.best_loss
        if loss > reference - self.tol:
            self.no_improvement_count += 1
        else:
            self.no_improvement_count = 0
        if loss < reference:
            if self.use_validation:
                self.best_validation_loss = loss
                self.best_validation_score = validation_score
                self.best_params = [p.copy() for p in params]
            else:
                self.best_loss = loss
        return self.no_improvement_count > self.n_iter_no_change
