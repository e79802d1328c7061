"""The trainer: batches, epochs, early stopping, divergence rollback, callbacks.

Every batch goes through ``_network.Objective`` (the one forward and backward
pass) and one of ``_optimizers``' update rules. Training never copies X: it
works on row indices into the original X, so holding out a validation set,
dropping zero-weight rows and shuffling cost O(n_samples) integers, and each
mini-batch is gathered on its own.

The functions here read the estimator's hyper-parameters and write its fitted
attributes (``loss_curve_``, ``n_iter_``, …); the estimator module prepares
the data and the network.
"""

import time
import warnings
from math import isfinite
from numbers import Integral

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from . import _network
from ._lbfgs import fit_lbfgs
from ._optimizers import AdamOptimizer, SGDOptimizer
from ._targets import validation_split


def shuffled(order, n_rows, random_state):
    """The next epoch's order: the last one (None: 0, 1, …, n_rows − 1) shuffled.

    Each epoch permutes the previous epoch's order, as ``MLPClassifier`` does,
    so that the same seed visits the rows in the same order.
    """
    order = np.arange(n_rows) if order is None else order
    return order[random_state.permutation(len(order))]


def batch_rows(order, n_rows, batch_size):
    """Each mini-batch's rows: slices of X when ``order`` is None, else index arrays."""
    if order is None:
        return (slice(s, min(s + batch_size, n_rows)) for s in range(0, n_rows, batch_size))
    if batch_size == 1:  # a one-row slice is a view: cheaper than gathering the row
        return (slice(i, i + 1) for i in order.tolist())
    return (order[s : s + batch_size] for s in range(0, len(order), batch_size))


def run_epoch(objective, optimizer, X, Y, sample_weight, batches):
    """One pass of mini-batch gradient descent; returns the epoch's loss.

    The epoch's loss is each batch's loss weighted by its share of the total
    sample weight (scikit-learn's ``loss_`` convention); a non-finite batch
    loss ends the epoch and is returned as it is.
    """
    theta, grad = objective.theta, objective.grad
    total_loss = total_weight = 0.0
    # A diverging loss is reported by the caller; no warnings on the way.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for rows in batches:
            loss = objective(X, Y, sample_weight, rows)
            if not isfinite(loss):
                return loss
            optimizer.step(theta, grad)
            total_loss += loss * objective.weight_sum
            total_weight += objective.weight_sum
    return total_loss / total_weight


def batch_size_for(est, n_train):
    """The mini-batch size: 'auto' is min(200, n); larger than n is full-batch (warned)."""
    if est.batch_size == "auto":
        return min(200, n_train)
    if est.batch_size > n_train:
        warnings.warn(
            f"batch_size={est.batch_size} is larger than the {n_train} training "
            "samples; using full-batch gradient descent.",
            stacklevel=6,
        )
    return min(est.batch_size, n_train)


def make_optimizer(est, theta):
    """The estimator's optimizer ('sgd' or 'adam') for the parameters ``theta``."""
    if est.solver == "sgd":
        return SGDOptimizer(
            theta,
            est.learning_rate_init,
            est.learning_rate,
            est.momentum,
            est.nesterovs_momentum,
            est.power_t,
        )
    return AdamOptimizer(theta, est.learning_rate_init, est.beta_1, est.beta_2, est.epsilon)


class ConvergenceMonitor:
    """Counts epochs without improvement and remembers the best epoch.

    With a validation set, improvement means the validation score rose by more
    than ``tol``; without, that the training loss fell by more than ``tol``
    (scikit-learn's rules). ``best_theta`` holds a copy of the parameters of
    the epoch with the best validation score, restored at the end of training.
    The state is the estimator's and carries over to a warm-start fit, as in
    ``MLPClassifier``.
    """

    def __init__(self, est):
        self.tol = est.tol
        self.n_iter_no_change = est.n_iter_no_change
        self.no_improvement_count = est._no_improvement_count
        self.best_loss = np.inf if est.best_loss_ is None else est.best_loss_
        self.best_score = est.best_validation_score_
        self.best_score = -np.inf if self.best_score is None else self.best_score
        self.best_theta = est._best_theta

    def update(self, loss, theta, score=None):
        """Record one epoch; return True when it is time to stop (or adapt η)."""
        if score is None:
            improved = loss < self.best_loss - self.tol
            self.best_loss = min(loss, self.best_loss)
        else:
            improved = score > self.best_score + self.tol
            if score > self.best_score:
                self.best_score = score
                self.best_theta = theta.copy()
        self.no_improvement_count = 0 if improved else self.no_improvement_count + 1
        return self.no_improvement_count > self.n_iter_no_change

    def save(self, est, theta, restore_best):
        """Write the state back to the estimator; restore the best epoch's ``theta``."""
        est._no_improvement_count = self.no_improvement_count
        if not restore_best:
            est.best_loss_ = self.best_loss
            return
        est.best_loss_ = None
        est._best_theta = self.best_theta
        if self.best_theta is not None:
            est.best_validation_score_ = self.best_score
            theta[...] = self.best_theta


def check_divergence(est, loss, first_loss, theta, before):
    """Raise the divergence error, with the parameters put back, if the epoch ran away.

    A log-loss a thousand times this call's first epoch's is runaway growth, not
    a slow start: stop before it overflows, as it would a few epochs later.
    """
    runaway = first_loss is not None and loss > 1e3 * max(first_loss, 1.0)
    if runaway or not isfinite(loss) or not np.isfinite(theta).all():
        theta[...] = before
        raise divergence_error(est, loss, est.n_iter_ + 1)


def divergence_error(est, loss, epoch):
    """The error for a loss that became non-finite or ran away."""
    if est.solver == "lbfgs":  # no step size to blame: only the data's scale
        return ValueError(
            f"Training diverged: the loss became {loss} at iteration {epoch} with "
            "solver='lbfgs'. Scale the features (for example with "
            "sklearn.preprocessing.StandardScaler in a Pipeline); the weights were "
            "left as they were before fitting."
        )
    return ValueError(
        f"Training diverged: the loss became {loss:.6g} at epoch {epoch} with "
        f"solver={est.solver!r} and learning_rate_init={est.learning_rate_init}. "
        "Lower learning_rate_init, or scale the features (for example with "
        "sklearn.preprocessing.StandardScaler in a Pipeline); the weights were left "
        "as they were before that epoch."
    )


def record_epoch(est, loss, n_seen, validation, seconds):
    """Append the epoch to the fitted curves, print it and run the callbacks.

    Returns the validation score (None without a validation set) and whether
    a callback asked to stop.
    """
    est.n_iter_ += 1
    est.t_ += n_seen
    est.loss_ = loss
    est.loss_curve_.append(loss)
    score = val_loss = None
    if validation is not None:
        score, val_loss = validation()
        est.validation_scores_.append(score)
        est.validation_loss_curve_.append(val_loss)
    if est.verbose:
        line = f"Iteration {est.n_iter_}, loss = {loss:.8f}"
        if validation is not None:
            line += f", validation score = {score:.6f}"
        print(f"{line}, {seconds:.3f} s")
    if not est.callbacks:
        return score, False
    info = {
        "epoch": est.n_iter_,
        "loss": loss,
        "validation_score": score,
        "validation_loss": val_loss,
        "learning_rate": None if est.solver == "lbfgs" else float(est._optimizer.learning_rate),
        "seconds": seconds,
    }
    stop = False
    for callback in est.callbacks:
        stop = bool(callback(est, info)) or stop
    return score, stop


def fit_stochastic(
    est, objective, X, Y, sample_weight, rows, incremental, validation=None, hooks=None
):
    """Train with 'sgd' or 'adam': epochs of mini-batches until a stopping rule fires.

    Parameters
    ----------
    est : TinyMLPClassifier
        Its hyper-parameters drive training; its fitted attributes are updated.
    objective : _network.Objective
        Over the flat parameters that the estimator's ``coefs_`` and
        ``intercepts_`` are views of.
    X, Y, sample_weight
        Training data, 0/1 targets and weights (None: all ones).
    rows : ndarray of int or None
        The rows of X to train on (None: all of them).
    incremental : bool
        One epoch (``partial_fit``) rather than up to ``max_iter``.
    validation : callable, optional
        Returns ``(score, loss)`` of the current model on the validation set;
        given, training stops on the score and restores its best epoch.
    hooks : object, optional
        scikit-learn's callback hooks (see :func:`train_epochs`).
    """
    n_rows = X.shape[0]
    n_train = n_rows if rows is None else rows.size
    batch_size = batch_size_for(est, n_train)
    visit = {"order": rows}

    def one_epoch():
        if est.shuffle:
            visit["order"] = shuffled(visit["order"], n_rows, est._random_state)
        # One batch of every row has a gradient that does not depend on the
        # order: visit the rows as stored (slices of X, no gathering).
        order = rows if batch_size >= n_train else visit["order"]
        batches = batch_rows(order, n_rows, batch_size)
        return run_epoch(objective, est._optimizer, X, Y, sample_weight, batches)

    train_epochs(est, objective.theta, n_train, one_epoch, incremental, validation, hooks)


def train_epochs(est, theta, n_train, one_epoch, incremental=False, validation=None, hooks=None):
    """Epochs of ``one_epoch()`` (which returns the epoch's loss) until a stopping rule fires.

    Each epoch is checked for divergence (the parameters ``theta`` put back),
    recorded, shown to the callbacks and the monitor; Ctrl-C ends training
    with a warning and keeps the model. ``hooks``, scikit-learn's callback
    hooks: ``hooks.begin()`` before each epoch and ``hooks.end()`` after it,
    which returns True to stop.
    """
    monitor = ConvergenceMonitor(est)
    est.n_iter_ = 0
    first_loss = None
    try:
        for _ in range(1 if incremental else est.max_iter):
            start = time.perf_counter()
            before = theta.copy()
            if hooks is not None:
                hooks.begin()
            loss = one_epoch()
            check_divergence(est, loss, first_loss, theta, before)
            first_loss = loss if first_loss is None else first_loss
            est._optimizer.iteration_ends(est.t_ + n_train)
            score, stop_requested = record_epoch(
                est, loss, n_train, validation, time.perf_counter() - start
            )
            if hooks is not None:
                stop_requested = hooks.end() or stop_requested
            if is_done(est, monitor, loss, theta, score, stop_requested, validation):
                break
            if incremental:
                break
        else:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and "
                "the optimization hasn't converged yet. Increase max_iter, or raise "
                "learning_rate_init.",
                ConvergenceWarning,
                stacklevel=6,
            )
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=6)
    monitor.save(est, theta, restore_best=validation is not None)


def is_done(est, monitor, loss, theta, score, stop_requested, validation):
    """Record the epoch with the monitor; True when training should stop.

    A callback may have asked to stop. Otherwise, after ``n_iter_no_change``
    epochs without improvement, the optimizer stops, or lowers η and goes on.
    """
    no_progress = monitor.update(loss, theta, score)
    if stop_requested or not no_progress:
        return stop_requested
    what = "Validation score" if validation is not None else "Training loss"
    msg = (
        f"{what} did not improve more than tol={est.tol} for "
        f"{est.n_iter_no_change} consecutive epochs."
    )
    if est._optimizer.trigger_stopping(msg, est.verbose):
        return True
    monitor.no_improvement_count = 0  # η was lowered: count afresh
    return False


def fit_full_batch_lbfgs(est, objective, X, Y, sample_weight, rows, hooks=None):
    """Train with 'lbfgs' on the rows ``rows`` of X (None: all of them).

    ``hooks``, scikit-learn's callback hooks, open and close one subtask per
    iteration when scipy reports the iteration; ``hooks.end()`` returning True
    stops training.
    """
    theta = objective.theta
    before = theta.copy()
    est.n_iter_ = 0
    data = (X, Y, sample_weight, rows)

    def on_iteration(loss):
        # t_ counts samples fed to a stochastic solver: MLPClassifier leaves it at 0 for lbfgs.
        _, stop = record_epoch(est, loss, 0, None, 0.0)
        if hooks is not None:
            hooks.begin()
            stop = hooks.end() or stop
        return stop

    result = fit_lbfgs(objective, *data, est.max_iter, est.max_fun, est.tol, on_iteration)
    if not isfinite(result.fun) or not np.isfinite(theta).all():
        theta[...] = before
        raise divergence_error(est, result.fun, est.n_iter_ + 1)
    est.n_iter_ = int(result.nit)
    est.loss_ = float(result.fun)
    if not est.loss_curve_:
        est.loss_curve_.append(est.loss_)
    est.best_loss_ = min(est.loss_curve_)
    if result.status == 1:
        warnings.warn(
            f"lbfgs stopped after {est.n_iter_} iterations (max_iter={est.max_iter}, "
            f"max_fun={est.max_fun}) without converging; increase max_iter, or scale "
            "the features.",
            ConvergenceWarning,
            stacklevel=5,
        )


def set_network(est, n_features, n_outputs, dtype, initialize):
    """The layer sizes; new weights and empty curves when ``initialize``.

    Otherwise training continues from the current weights; what a network
    set by hand lacks (counters, curves) starts empty, as in a new fit.
    """
    hidden = np.atleast_1d(est.hidden_layer_sizes)
    if (
        hidden.ndim != 1
        or hidden.size == 0
        or not all(
            isinstance(h, Integral) and not isinstance(h, bool) and h > 0 for h in hidden.tolist()
        )
    ):
        raise ValueError(
            "hidden_layer_sizes must be a positive integer or a non-empty sequence of "
            f"positive integers, got {est.hidden_layer_sizes!r}."
        )
    est._layer_units = [n_features, *hidden.tolist(), n_outputs]
    est.n_layers_ = len(est._layer_units)
    est.n_outputs_ = n_outputs
    multiclass = est._label_binarizer.y_type_ == "multiclass"
    est.out_activation_ = "softmax" if multiclass else "logistic"
    if initialize:
        est.coefs_, est.intercepts_ = _network.init_params(
            est._layer_units, est.activation, est._random_state, dtype
        )
    fresh = dict(n_iter_=0, t_=0, loss_curve_=[], best_loss_=np.inf, _optimizer=None)
    fresh.update(_no_improvement_count=0, _best_theta=None, best_validation_score_=None)
    fresh.update(validation_scores_=None, validation_loss_curve_=None)
    for name, value in fresh.items():
        if initialize or not hasattr(est, name):
            setattr(est, name, value)


def objective(est, dtype):
    """The estimator's training objective over its flat parameters (see ``_network``)."""
    return _network.Objective(
        flat_parameters(est, dtype),
        est._layer_units,
        est.activation,
        est.out_activation_,
        est.alpha,
        est.dropout,
        est._random_state,
    )


def flat_parameters(est, dtype):
    """The flat vector that the estimator's ``coefs_`` and ``intercepts_`` are views of.

    When they are not (after unpickling, or when a user assigned arrays),
    their values are packed into a new vector in ``dtype`` and the attributes
    become its views, after checking the shapes.
    """
    layout = _network.Layout(est._layer_units)
    theta = layout.flat_of(est.coefs_, est.intercepts_)
    if theta is not None and theta.dtype == dtype and theta.flags.writeable:
        return theta
    found = [np.shape(a) for a in [*est.coefs_, *est.intercepts_]]
    if found != layout.shapes:
        raise ValueError(
            f"coefs_ + intercepts_ have shapes {found}, but the network "
            f"{est._layer_units} needs {layout.shapes}."
        )
    theta = layout.pack(est.coefs_, est.intercepts_, dtype)
    est.coefs_, est.intercepts_ = layout.views(theta)
    state = getattr(est._optimizer, "m", getattr(est._optimizer, "velocity", None))
    if state is not None and state.dtype != dtype:
        est._optimizer = None  # its state is in the other dtype
    return theta


def validation(est, X, Y, y, sample_weight, rows, given, scorer):
    """The training rows and weights, and the validation scorer, for early stopping.

    ``given`` is the validation set ``(X, Y, y, sample_weight)`` passed to fit,
    or None to hold out ``validation_fraction`` of the training data.
    """
    if given is None:
        rows, sample_weight, given = hold_out(est, X, Y, y, sample_weight, rows)
    return rows, sample_weight, validation_scorer(est, *given, scorer)


def hold_out(est, X, Y, y, sample_weight, rows):
    """Split off the early-stopping validation set from the training data.

    Returns the training rows and weights, and the held-out ``(X, Y, y,
    sample_weight)`` (None weights when every unit weight is 1).
    """
    train_weight, val_weight = validation_split(
        X,
        Y,
        sample_weight,
        rows,
        est.validation_fraction,
        est._random_state,
        stratify=est._label_binarizer.y_type_ != "multilabel-indicator",
    )
    rows, val_rows = np.flatnonzero(train_weight), np.flatnonzero(val_weight)
    unweighted = sample_weight is None and (train_weight[rows] == 1).all()
    sample_weight = None if unweighted else train_weight.astype(X.dtype)
    val_weight = None if unweighted else val_weight[val_rows].astype(X.dtype)
    held_out = (X[val_rows], Y[val_rows], y[val_rows], val_weight)  # gathered once per fit
    return rows, sample_weight, held_out


def validation_scorer(est, X_val, Y_val, y_val, sample_weight_val, scorer=None):
    """A function returning ``(score, loss)`` of the current model on the validation set.

    The loss is the weighted mean log-loss (no penalty); the score is
    ``scorer(est, X_val, y_val)`` (higher is better), or the negative loss
    when ``scorer`` is None.
    """
    if est.validation_scores_ is None:
        est.validation_scores_, est.validation_loss_curve_ = [], []
    weight_sum = len(Y_val) if sample_weight_val is None else float(sample_weight_val.sum())
    kwargs = {} if sample_weight_val is None else {"sample_weight": sample_weight_val}

    def validation():
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            logits = _network.forward(X_val, est.coefs_, est.intercepts_, est.activation)[-1]
            loss = _network.log_loss(logits, Y_val, est.out_activation_, sample_weight_val)
        loss /= weight_sum
        return (-loss if scorer is None else float(scorer(est, X_val, y_val, **kwargs))), loss

    return validation
