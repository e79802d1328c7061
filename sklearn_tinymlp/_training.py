"""The trainer: batches, epochs, early stopping, divergence rollback, callbacks.

A :class:`Trainer` holds what lives while a network trains (the optimizer, the
random state, the convergence monitor, the best parameters, the counters and
the curves) and is the only code that changes it. The estimator builds it
from its hyper-parameters and the :class:`TrainingState` of earlier calls,
and records its fitted attributes from that state when training returns.

Every batch goes through an objective (``_network.Objective``, or
``_dask.BlockSums`` on a cluster) called one way, ``loss = objective(batch)``,
and one of ``_optimizers``' update rules. Training never copies X: it works on
row indices into the original X, so holding out a validation set, dropping
zero-weight rows and shuffling cost O(n_samples) integers.
"""

import time
import warnings
from dataclasses import dataclass, field
from math import isfinite
from types import SimpleNamespace

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from . import _network
from ._lbfgs import fit_lbfgs
from ._optimizers import AdamOptimizer, SGDOptimizer
from ._targets import class_indices


@dataclass
class TrainingState:
    """What training carries from one ``fit``/``partial_fit`` call to the next.

    The estimator keeps it in one private attribute; its fitted attributes
    (``n_iter_``, ``loss_curve_``, …) are copies of these fields.
    """

    optimizer: object = None
    no_improvement_count: int = 0
    best_theta: object = None
    best_loss: float = np.inf
    best_validation_score: float = None
    n_iter: int = 0
    t: int = 0
    loss: float = None
    loss_curve: list = field(default_factory=list)
    data_loss_curve: list = field(default_factory=list)
    validation_scores: list = None
    validation_loss_curve: list = None
    class_totals_seen: object = None


#: The constant each output head's loss is compared with (see ``_network.constant_loss``).
CONSTANTS = {
    "logistic": "the class frequencies",
    "softmax": "the class frequencies",
    "absolute_error": "the median target",
    "quantile": "the targets' quantile",
}


def validation_split(Y, rows, fraction, random_state, stratify=True):
    """The training and validation rows of early stopping: a stratified split of rows.

    As ``MLPClassifier`` and ``HistGradientBoostingClassifier`` do, rows are
    split (``train_test_split``) and each row's weight travels with it. The
    split is stratified by class unless ``stratify`` is False (multilabel and
    regression targets) or a class has too few rows for it, when it is a plain
    random split. ``rows`` are the rows to split (None: all of them).
    """
    from sklearn.model_selection import train_test_split

    rows = np.arange(Y.shape[0]) if rows is None else np.asarray(rows)
    labels = class_indices(Y)[rows] if stratify else None
    if labels is not None:
        counts = np.bincount(labels)
        counts = counts[counts > 0]
        if counts.min() < 2 or np.ceil(fraction * rows.size) < counts.size:
            labels = None  # too few rows of a class to stratify
    try:
        train, val = train_test_split(
            rows, test_size=fraction, random_state=random_state, stratify=labels
        )
    except ValueError as error:
        raise ValueError(
            f"early_stopping=True with validation_fraction={fraction} cannot hold out a "
            f"validation set from {rows.size} usable samples and keep samples to train on; "
            f"use more data, a larger validation_fraction, or early_stopping=False. ({error})"
        ) from error
    return np.sort(train), np.sort(val)  # rows in storage order: gathered faster


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


def run_epoch(objective, optimizer, batches):
    """One pass of mini-batch gradient descent over ``batches`` (None: the full batch).

    Returns the sums an epoch's loss is made of: Σ_batches loss × S_batch,
    Σ_batches Σ s_i ℓ_i and Σ S_batch (scikit-learn's ``loss_`` weighs each
    batch's loss by its share of the weight); a non-finite batch loss ends
    the pass and is returned in the first sum.
    """
    theta, grad = objective.theta, objective.grad
    sums = [0.0, 0.0, 0.0]  # floats: an array += tuple costs 1 µs a batch
    # A diverging loss is reported by the caller; no warnings on the way.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for rows in batches:
            loss = objective(rows)
            if not isfinite(loss):
                return np.array([loss, loss, 1.0])
            optimizer.step(theta, grad)
            weight = objective.weight_sum
            sums = [sums[0] + loss * weight, sums[1] + objective.data_loss, sums[2] + weight]
    return np.array(sums)


def batch_size_for(batch_size, n_train):
    """The mini-batch size: 'auto' is min(200, n); larger than n is full-batch (warned)."""
    if batch_size == "auto":
        return min(200, n_train)
    if batch_size > n_train:
        warnings.warn(
            f"batch_size={batch_size} is larger than the {n_train} training "
            "samples; using full-batch gradient descent.",
            stacklevel=5,
        )
    return min(batch_size, n_train)


def make_optimizer(p, theta):
    """The optimizer of the hyper-parameters ``p`` ('sgd' or 'adam') for ``theta``."""
    if p.solver == "sgd":
        return SGDOptimizer(
            theta,
            p.learning_rate_init,
            p.learning_rate,
            p.momentum,
            p.nesterovs_momentum,
            p.power_t,
        )
    return AdamOptimizer(theta, p.learning_rate_init, p.beta_1, p.beta_2, p.epsilon)


def divergence_error(p, loss, epoch):
    """The error for a loss that became non-finite or ran away."""
    if p.solver == "lbfgs":  # no step size to blame: only the data's scale
        return ValueError(
            f"Training diverged: the loss became {loss} at iteration {epoch} with "
            "solver='lbfgs'. Scale the features (for example with "
            "sklearn.preprocessing.StandardScaler in a Pipeline); the weights were "
            "left as they were before fitting."
        )
    return ValueError(
        f"Training diverged: the loss became {loss:.6g} at epoch {epoch} with "
        f"solver={p.solver!r} and learning_rate_init={p.learning_rate_init}. "
        "Lower learning_rate_init, or scale the features (for example with "
        "sklearn.preprocessing.StandardScaler in a Pipeline); the weights were left "
        "as they were before that epoch."
    )


class Trainer:
    """Trains one network: epochs or L-BFGS iterations, stopping rules, curves, callbacks.

    ``params`` are the estimator's ``get_params()``; ``theta``, the flat
    parameters, is trained in place; ``random_state`` shuffles the rows and
    splits off the validation set; ``state`` is the :class:`TrainingState` of
    earlier calls (None: a fresh one); ``estimator`` is handed to the callbacks
    and the validation scorer (``callback(estimator, info)``), never changed;
    ``runaway``: whether a loss a thousand times the first epoch's counts as
    diverging (a log-loss's scale is fixed; a regression loss's is the targets',
    and sgd's momentum can climb that far on unscaled targets and come back);
    ``target_advice``: what to do about the targets' scale, told instead of
    raising ``max_iter`` or the learning rate when training ends unconverged or
    worse than a constant (None: nothing to say about the targets).
    """

    def __init__(
        self, params, theta, random_state, state=None, estimator=None, runaway=True, advice=None
    ):
        self.p, self.runaway, self.target_advice = SimpleNamespace(**params), runaway, advice
        self.theta, self.random_state, self.estimator = theta, random_state, estimator
        self.state = TrainingState() if state is None else state

    # ---------------------------------------------------------------- epochs

    def fit_stochastic(self, objective, incremental=False, validation=None, hooks=None):
        """'sgd' or 'adam' on the objective's bound rows: epochs until a stopping rule fires."""
        visit = {"order": None}  # the last epoch's order: None starts from the bound rows

        def one_epoch():
            sums, visit["order"] = self.one_pass(objective, batch_size, visit["order"])
            return sums

        batch_size = batch_size_for(self.p.batch_size, objective.n_train)
        self.train_epochs(one_epoch, objective.n_train, incremental, validation, hooks)
        if not incremental:  # one partial_fit epoch is a step, not a result
            self.check_beats_constant(objective)

    def one_pass(self, objective, batch_size, order=None):
        """One pass of mini-batches over the objective's rows; :func:`run_epoch`'s sums.

        ``order`` is the last pass's order of the rows (None: the bound rows),
        shuffled anew when ``shuffle``; returned beside the sums.
        """
        optimizer = self.optimizer_for(objective.theta)
        if batch_size >= objective.n_train:  # one batch: its gradient does not depend on the order
            return run_epoch(objective, optimizer, [None]), order
        if order is None and not isinstance(objective.rows, slice):
            order = objective.rows
        n_rows = objective.X.shape[0]
        if self.p.shuffle:
            order = shuffled(order, n_rows, self.random_state)
        return run_epoch(objective, optimizer, batch_rows(order, n_rows, batch_size)), order

    def optimizer_for(self, theta):
        """The optimizer of earlier calls (``partial_fit``), or a new one."""
        if self.state.optimizer is None:
            self.state.optimizer = make_optimizer(self.p, theta)
        return self.state.optimizer

    def train_epochs(self, one_epoch, n_train, incremental=False, validation=None, hooks=None):
        """Epochs of ``one_epoch()`` (which returns :func:`run_epoch`'s sums) until one stops.

        Each epoch is checked for divergence (the parameters put back),
        recorded, shown to the callbacks and the monitor; Ctrl-C ends training
        with a warning and keeps the model. ``hooks``, scikit-learn's callback
        hooks: ``hooks.begin()`` before each epoch and ``hooks.end()`` after it,
        which returns True to stop.
        """
        state, theta = self.state, self.theta
        monitor = ConvergenceMonitor(self.p.tol, self.p.n_iter_no_change, state)
        state.n_iter, first_loss = 0, None
        try:
            for _ in range(1 if incremental else self.p.max_iter):
                start, before = time.perf_counter(), theta.copy()
                if hooks is not None:
                    hooks.begin()
                loss, data_loss, weight = one_epoch()
                loss, data_loss = loss / weight, data_loss / weight
                runaway = self.runaway and first_loss is not None
                runaway = runaway and loss > 1e3 * max(first_loss, 1.0)
                if runaway or not isfinite(loss) or not np.isfinite(theta).all():
                    theta[...] = before  # a thousand times the first loss: runaway growth
                    raise divergence_error(self.p, loss, state.n_iter + 1)
                first_loss = loss if first_loss is None else first_loss
                self.state.optimizer.iteration_ends(state.t + n_train)
                score, stop = self.record(loss, data_loss, n_train, validation, start)
                if hooks is not None:
                    stop = hooks.end() or stop
                if self.is_done(monitor, loss, score, stop, validation) or incremental:
                    break
            else:
                advice = "Increase max_iter, or raise learning_rate_init."
                if self.target_advice:  # measured: both make unscaled targets' fits worse
                    advice = f"{self.target_advice} A larger max_iter or learning_rate_init "
                    advice += "does not fix this."
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.p.max_iter}) reached and "
                    f"the optimization hasn't converged yet. {advice}",
                    ConvergenceWarning,
                    stacklevel=5,
                )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=5)
        monitor.save(state, theta, restore_best=validation is not None)

    def is_done(self, monitor, loss, score, stop_requested, validation):
        """Record the epoch with the monitor; True when training should stop.

        A callback may have asked to stop. Otherwise, after ``n_iter_no_change``
        epochs without improvement, the optimizer stops, or lowers η and goes on.
        """
        epoch = None if validation is None else len(self.state.validation_scores)
        no_progress = monitor.update(loss, self.theta, score, epoch)
        if stop_requested or not no_progress:
            return stop_requested
        what = "Validation score" if validation is not None else "Training loss"
        msg = (
            f"{what} did not improve more than tol={self.p.tol} for "
            f"{self.p.n_iter_no_change} consecutive epochs."
        )
        if self.state.optimizer.trigger_stopping(msg, self.p.verbose):
            return True
        monitor.no_improvement_count = 0  # η was lowered: count afresh
        return False

    def record(self, loss, data_loss, n_seen, validation, start):
        """Append the epoch to the curves, print it and run the callbacks.

        Returns the validation score (None without a validation set) and whether
        a callback asked to stop.
        """
        state = self.state
        state.n_iter += 1
        state.t += n_seen
        state.loss = loss
        state.loss_curve.append(loss)
        state.data_loss_curve.append(data_loss)
        score = val_loss = None
        if validation is not None:
            score, val_loss = validation()
            state.validation_scores.append(score)
            state.validation_loss_curve.append(val_loss)
        seconds = time.perf_counter() - start
        if self.p.verbose:
            line = f"Iteration {state.n_iter}, loss = {loss:.8f}"
            if validation is not None:
                line += f", validation score = {score:.6f}"
            print(f"{line}, {seconds:.3f} s")
        if not self.p.callbacks:
            return score, False
        optimizer = None if self.p.solver == "lbfgs" else state.optimizer
        info = {
            "epoch": state.n_iter,
            "loss": loss,
            "validation_score": score,
            "validation_loss": val_loss,
            "learning_rate": None if optimizer is None else float(optimizer.learning_rate),
            "seconds": seconds,
        }
        stop = False
        for callback in self.p.callbacks:
            stop = bool(callback(self.estimator, info)) or stop
        return score, stop

    # ---------------------------------------------------------------- L-BFGS

    def fit_lbfgs(self, objective, hooks=None):
        """'lbfgs' on the objective's full batch; ``hooks`` open a subtask per iteration."""
        state, theta, p = self.state, self.theta, self.p
        before = theta.copy()
        state.n_iter = 0

        def on_iteration(loss):
            # t_ counts samples fed to a stochastic solver: MLPClassifier leaves it at 0 for lbfgs.
            data_loss = objective.data_loss / objective.weight_sum
            _, stop = self.record(loss, data_loss, 0, None, time.perf_counter())
            if hooks is not None:
                hooks.begin()
                stop = hooks.end() or stop
            return stop

        result = fit_lbfgs(objective, p.max_iter, p.max_fun, p.tol, on_iteration)
        if not isfinite(result.fun) or not np.isfinite(theta).all():
            theta[...] = before
            raise divergence_error(p, result.fun, state.n_iter + 1)
        state.n_iter, state.loss = int(result.nit), float(result.fun)
        if not state.loss_curve:
            state.loss_curve.append(state.loss)
            state.data_loss_curve.append(objective.data_loss / objective.weight_sum)
        state.best_loss = min(state.loss_curve)
        if result.status == 1:
            advice = self.target_advice or "Increase max_iter, or scale the features."
            warnings.warn(
                f"lbfgs stopped after {state.n_iter} iterations (max_iter={p.max_iter}, "
                f"max_fun={p.max_fun}) without converging. {advice}",
                ConvergenceWarning,
                stacklevel=4,
            )
        if isinstance(objective, _network.Objective):  # in memory: the rows are at hand
            self.check_beats_constant(objective)

    def check_beats_constant(self, objective):
        """Warn when training ended above the loss of predicting a constant: worse than no model.

        The last epoch's (iteration's) mean data loss on the training rows is
        compared with that of the best constant (``_network.constant_loss``),
        give or take 1%: a learning rate too large for the data ends there
        without diverging. A constant y (its constant's loss about 0 against
        that of predicting 0) is not compared: there is nothing to learn.
        """
        rows, weights = objective.rows, objective.sample_weight
        weights = None if weights is None else weights[rows]
        Y, head = objective.Y[rows], objective.out_activation
        baseline = _network.constant_loss(Y, head, weights)
        final = self.state.data_loss_curve[-1]
        weight_sum = len(Y) if weights is None else weights.sum()
        zero = _network.data_loss(np.zeros(Y.shape), Y, head, weights) / weight_sum
        if final <= 1.01 * baseline or baseline <= 1e-6 * zero:  # a constant y: no comparison
            return
        if self.p.solver == "lbfgs":
            advice = "Scale the features (for example with StandardScaler in a Pipeline)."
        else:
            advice = (
                f"learning_rate_init={self.p.learning_rate_init} is likely too large for "
                f"solver={self.p.solver!r} on these data: lower it (for example ten times), "
                "or scale the features (for example with StandardScaler in a Pipeline)."
            )
        head = objective.out_activation
        head = head if isinstance(head, str) else head[0]
        constant = CONSTANTS.get(head, "the mean target")
        warnings.warn(
            f"Training ended with a mean training loss of {final:.6g}, above the "
            f"{baseline:.6g} of predicting a constant ({constant}): the model is worse than "
            f"none. {self.target_advice or advice}",
            ConvergenceWarning,
            stacklevel=5,
        )

    # ------------------------------------------------------- early stopping

    def validation(self, objective, given, scorer, y=None, stratify=True):
        """The early-stopping validation function, on ``given`` or a held-out split.

        ``given`` is the validation set ``(X, Y, y, sample_weight)`` passed to
        fit; None holds out ``validation_fraction`` of the objective's rows (a
        stratified split unless ``stratify`` is False; ``y``, the labels, go to
        the scorer) and rebinds the objective to the training rows.
        """
        if given is None:
            X, Y, sample_weight = objective.X, objective.Y, objective.sample_weight
            rows = None if isinstance(objective.rows, slice) else objective.rows
            fraction = self.p.validation_fraction
            train, val = validation_split(Y, rows, fraction, self.random_state, stratify)
            objective.bind(X, Y, sample_weight, train)
            weights = None if sample_weight is None else sample_weight[val]
            given = (X[val], Y[val], None if y is None else y[val], weights)  # gathered once
        if self.state.validation_scores is None:
            self.state.validation_scores, self.state.validation_loss_curve = [], []
        return validation_scorer(objective, *given, scorer, self.estimator)


def validation_scorer(objective, X_val, Y_val, y_val, sample_weight_val, scorer, estimator):
    """A function returning ``(score, loss)`` of the current model on the validation set.

    The loss is the weighted mean data loss (no penalty); the score is
    ``scorer(estimator, X_val, y_val)`` (higher is better), or the negative
    loss when ``scorer`` is None.
    """
    weight_sum = len(Y_val) if sample_weight_val is None else float(sample_weight_val.sum())
    kwargs = {} if sample_weight_val is None else {"sample_weight": sample_weight_val}
    o = objective

    def validation():
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            logits = _network.forward(X_val, o.coefs, o.intercepts, o.activation)[-1]
            loss = _network.data_loss(logits, Y_val, o.out_activation, sample_weight_val)
        loss /= weight_sum
        if scorer is None:
            return -loss, loss
        return float(scorer(estimator, X_val, y_val, **kwargs)), loss

    return validation


class ConvergenceMonitor:
    """Counts epochs without improvement and remembers the best epoch.

    With a validation set, improvement means the validation score rose by more
    than ``tol``; without, that the training loss fell by more than ``tol``
    (scikit-learn's rules). ``best_theta`` holds a copy of the parameters of
    the epoch with the best validation score, restored at the end of training.
    It starts from, and saves to, a :class:`TrainingState`, so that a
    warm-start fit carries it over, as in ``MLPClassifier``.
    """

    def __init__(self, tol, n_iter_no_change, state):
        self.tol, self.n_iter_no_change = tol, n_iter_no_change
        self.no_improvement_count = state.no_improvement_count
        self.best_loss = state.best_loss
        self.best_score = state.best_validation_score
        self.best_score = -np.inf if self.best_score is None else self.best_score
        self.best_theta = state.best_theta
        # Epochs before a validation score may stop training: 2 × patience, at most 20
        # (a small validation set's first scores are noise: the user guide's rare positives).
        self.warm_up = min(2 * n_iter_no_change, 20)

    def update(self, loss, theta, score=None, epoch=None):
        """Record one epoch; return True when it is time to stop (or adapt η).

        With a validation score, the best epoch is the one of the highest score
        (``MLPClassifier``'s rule: every epoch can be the best); the first
        ``warm_up`` epochs (counted over every call, ``epoch``) only delay the
        stop, so that a noisy early peak cannot end training before later
        epochs can pass it.
        """
        if score is None:
            improved = loss < self.best_loss - self.tol
            self.best_loss = min(loss, self.best_loss)
        else:
            improved = score > self.best_score + self.tol
            if score > self.best_score:
                self.best_score = score
                self.best_theta = theta.copy()
        self.no_improvement_count = 0 if improved else self.no_improvement_count + 1
        warming_up = score is not None and epoch <= self.warm_up
        return self.no_improvement_count > self.n_iter_no_change and not warming_up

    def save(self, state, theta, restore_best):
        """Write the monitor's part of ``state``; restore the best epoch's ``theta``."""
        state.no_improvement_count = self.no_improvement_count
        if not restore_best:
            state.best_loss = self.best_loss
            return
        state.best_loss, state.best_theta = None, self.best_theta
        if self.best_theta is not None:
            state.best_validation_score = self.best_score
            theta[...] = self.best_theta
