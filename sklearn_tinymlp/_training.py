"""The trainer: the epoch loop, L-BFGS, early stopping, and the live training state.

A :class:`Trainer` runs one solver on an objective (``_network.Objective``, or
one of ``_dask``'s on a cluster), called one way, ``loss, grad, *_ =
objective(rows)``, and one of ``_optimizers``' update rules. It writes each
epoch into the estimator's :class:`TrainingState` as it goes: the estimator's
fitted attributes (``n_iter_``, ``loss_curve_``, …) read that state, so
callbacks and scorers see the current epoch. Training never copies X: it works
on row indices into the original X, so holding out a validation set, dropping
zero-weight rows and shuffling cost O(n_samples) integers.
"""

import time
import warnings
from dataclasses import dataclass, field
from math import isfinite
from types import SimpleNamespace

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from . import _network
from ._optimizers import AdamOptimizer, SGDOptimizer
from ._targets import class_indices

#: ``warnings.warn``'s stacklevel in a solver, to point at the user's call: the
#: solver ← ``_fit`` ← ``fit`` ← scikit-learn's ``_fit_context`` wrapper ← the user.
USER_CALL = 5


@dataclass
class TrainingState:
    """What training writes as it goes and carries from one ``fit``/``partial_fit`` to the next.

    The estimator keeps it in one private attribute, and its fitted attributes
    read these fields (``n_iter_`` is ``n_iter``, …; see :data:`FITTED`): the
    one copy, written by the :class:`Trainer` during training.
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


#: The fields that are the estimator's fitted attributes (``n_iter`` is ``n_iter_``).
FITTED = (
    "n_iter",
    "t",
    "loss",
    "best_loss",
    "best_validation_score",
    "loss_curve",
    "data_loss_curve",
    "validation_scores",
    "validation_loss_curve",
)

#: The constant each output head's loss is compared with (see ``_network.constant_loss``).
CONSTANTS = {
    "logistic": "the class frequencies",
    "softmax": "the class frequencies",
    "absolute_error": "the median target",
    "quantile": "the targets' quantile",
}


def batch_size_for(batch_size, n_train, warn=False):
    """The mini-batch size: 'auto' is min(200, n); larger than n is the full batch (``warn``)."""
    if warn and batch_size != "auto" and batch_size > n_train:
        warnings.warn(
            f"batch_size={batch_size} is larger than the {n_train} training "
            "samples; using full-batch gradient descent.",
            stacklevel=USER_CALL + 1,
        )
    return min(200 if batch_size == "auto" else batch_size, n_train)


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


def progress(state, loss, theta, score, tol, n_iter_no_change):
    """Record one epoch's improvement in ``state``; True when it is time to stop (or adapt η).

    With a validation score, improvement means the score rose by more than
    ``tol`` and the best epoch is the one of the highest score, whose
    parameters are kept in ``state.best_theta`` (``MLPClassifier``'s rule:
    every epoch can be the best); the first min(2 × ``n_iter_no_change``, 20)
    epochs (counted over every call) only delay the stop, so that a noisy early
    peak of a small validation set cannot end training before later epochs can
    pass it. Without, improvement means the training loss fell by more than
    ``tol``.
    """
    if score is None:
        best = np.inf if state.best_loss is None else state.best_loss
        improved = loss < best - tol
        state.best_loss = min(loss, best)
    else:
        best = -np.inf if state.best_validation_score is None else state.best_validation_score
        improved = score > best + tol
        if score > best:
            state.best_validation_score, state.best_theta = score, theta.copy()
    state.no_improvement_count = 0 if improved else state.no_improvement_count + 1
    warming_up = score is not None and len(state.validation_scores) <= min(2 * n_iter_no_change, 20)
    return state.no_improvement_count > n_iter_no_change and not warming_up


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

    ``params`` are the estimator's ``get_params()``; ``random_state`` shuffles
    the rows and splits off the validation set; ``state`` is the estimator's
    :class:`TrainingState` (None: a fresh one), written as training goes;
    ``estimator`` is handed to the callbacks and the validation scorer
    (``callback(estimator, info)``), never changed; ``runaway``: whether a loss
    a thousand times the first epoch's counts as diverging (a log-loss's scale
    is fixed; a regression loss's is the targets', and sgd's momentum can climb
    that far on unscaled targets and come back); ``advice``: what to do about
    the targets' scale, told instead of raising ``max_iter`` or the learning
    rate when training ends unconverged or worse than a constant (None:
    nothing to say about the targets). The objective's ``theta`` is trained in
    place.
    """

    def __init__(self, params, random_state, state=None, estimator=None, runaway=True, advice=None):
        self.p, self.random_state = SimpleNamespace(**params), random_state
        self.state = TrainingState() if state is None else state
        self.estimator, self.runaway, self.target_advice = estimator, runaway, advice

    def fit_stochastic(self, objective, incremental=False, validation=None, hooks=None):
        """'sgd' or 'adam': epochs of mini-batch steps until a stopping rule fires.

        ``validation`` is the early-stopping scorer (:meth:`validation`) or
        None; ``hooks``, scikit-learn's callback hooks (``_callbacks.EpochHooks``)
        or None; ``incremental``: one epoch (``partial_fit``). Each epoch is
        checked for divergence (its parameters put back), recorded and shown to
        the callbacks (:meth:`end_epoch`); Ctrl-C ends training with a warning
        and keeps the model.
        """
        p, state, theta, n_train = self.p, self.state, objective.theta, objective.n_train
        batch_size = batch_size_for(p.batch_size, n_train, warn=True)
        shuffle = self.random_state if p.shuffle else None
        if state.optimizer is None:
            state.optimizer = make_optimizer(p, theta)
        state.n_iter, optimizer, first_loss = 0, state.optimizer, None
        if validation is not None:
            state.best_loss = None  # early stopping keeps the best validation score instead
        try:
            for _ in range(1 if incremental else p.max_iter):
                start, before = time.perf_counter(), theta.copy()
                if hooks is not None:
                    hooks.begin()
                # Σ_b L_b S_b, Σ_b Σ_i s_i ℓ_i and Σ_b S_b: each batch's loss weighs its S_b
                epoch_weighted_loss = epoch_loss_sum = epoch_weight = 0.0
                # A diverging loss is reported below; no warnings on the way.
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    for rows in objective.batches(batch_size, shuffle):
                        loss, grad, loss_sum, weight = objective(rows)
                        if not isfinite(loss):
                            epoch_weighted_loss, epoch_weight = loss, 1.0
                            break
                        optimizer.step(theta, grad)
                        epoch_weighted_loss += loss * weight
                        epoch_loss_sum += loss_sum
                        epoch_weight += weight
                loss = epoch_weighted_loss / epoch_weight
                runaway = self.runaway and first_loss is not None
                runaway = runaway and loss > 1e3 * max(first_loss, 1.0)
                if runaway or not isfinite(loss) or not np.isfinite(theta).all():
                    theta[...] = before  # a thousand times the first loss: runaway growth
                    raise divergence_error(p, loss, state.n_iter + 1)
                first_loss = loss if first_loss is None else first_loss
                optimizer.iteration_ends(state.t + n_train)
                mean_data_loss = epoch_loss_sum / epoch_weight
                stop = self.end_epoch(
                    loss, mean_data_loss, n_train, validation, theta, start, hooks
                )
                if stop or incremental:
                    break
            else:
                self.warn_unconverged(
                    f"Stochastic Optimizer: Maximum iterations ({p.max_iter}) reached and the "
                    "optimization hasn't converged yet."
                )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=USER_CALL)
        restored = validation is not None and state.best_theta is not None
        if restored:
            theta[...] = state.best_theta  # early stopping keeps the best epoch
        if not incremental:  # one partial_fit epoch is a step, not a result
            self.check_beats_constant(objective, restored)

    def fit_lbfgs(self, objective, hooks=None):
        """'lbfgs': scipy's L-BFGS-B on the objective's full-batch loss.

        ``max_iter``, ``max_fun`` and ``tol`` are L-BFGS-B's ``maxiter``,
        ``maxfun`` and ``gtol``. Each accepted iterate is recorded and shown to
        the callbacks, which can stop it; ``hooks`` open a subtask per iteration.
        """
        p, state, theta = self.p, self.state, objective.theta
        before, last = theta.copy(), {}
        state.n_iter = 0

        def loss_and_gradient(flat):
            theta[...] = flat  # float64 from scipy, cast to the network's dtype
            # A diverging loss is reported below; no warnings on the way.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                loss, grad, loss_sum, weight = objective()
            last.update(loss=loss, mean_data_loss=loss_sum / weight)
            return loss, grad.astype(np.float64)  # a copy scipy may keep

        def on_iteration(flat):
            # L-BFGS-B's line search ends on the accepted point: the last loss is its loss.
            start, loss = time.perf_counter(), last["loss"]
            if hooks is not None:
                hooks.begin()
            self.record(loss, last["mean_data_loss"], 0)  # t_ counts samples fed to sgd/adam
            state.best_loss = min(loss, np.inf if state.best_loss is None else state.best_loss)
            if self.report(loss, None, None, start, hooks):
                last["x"] = flat.copy()
                raise StopIteration

        try:
            result = scipy.optimize.minimize(
                loss_and_gradient,
                theta.astype(np.float64, copy=False),  # minimize copies x0 itself
                method="L-BFGS-B",
                jac=True,
                callback=on_iteration,
                options={"maxfun": p.max_fun, "maxiter": p.max_iter, "gtol": p.tol},
            )
        except StopIteration:  # scipy < 1.11 lets a callback's StopIteration through
            result = scipy.optimize.OptimizeResult(
                x=last["x"], fun=last["loss"], nit=state.n_iter, status=99, success=False
            )
        theta[...] = result.x
        if not isfinite(result.fun) or not np.isfinite(theta).all():
            theta[...] = before
            raise divergence_error(p, result.fun, state.n_iter + 1)
        state.n_iter, state.loss = int(result.nit), float(result.fun)
        if not state.loss_curve:
            state.loss_curve.append(state.loss)
            state.data_loss_curve.append(last["mean_data_loss"])
        state.best_loss = min(state.loss_curve)
        if result.status == 1:
            self.warn_unconverged(
                f"lbfgs stopped after {state.n_iter} iterations (max_iter={p.max_iter}, "
                f"max_fun={p.max_fun}) without converging."
            )
        self.check_beats_constant(objective)

    # ---------------------------------------------------------------- each epoch

    def end_epoch(self, loss, mean_data_loss, n_seen, validation, theta, start, hooks):
        """Record the epoch, then show it to the callbacks; True when training should stop.

        A callback may ask to stop. Otherwise, once :func:`progress` finds
        ``n_iter_no_change`` epochs without improvement, the optimizer stops,
        or lowers η and goes on.
        """
        p, state = self.p, self.state
        score, validation_loss = self.record(loss, mean_data_loss, n_seen, validation)
        no_progress = progress(state, loss, theta, score, p.tol, p.n_iter_no_change)
        stop = self.report(loss, score, validation_loss, start, hooks)
        if stop or not no_progress:
            return stop
        what = "Training loss" if validation is None else "Validation score"
        message = (
            f"{what} did not improve more than tol={p.tol} for "
            f"{p.n_iter_no_change} consecutive epochs."
        )
        if state.optimizer.trigger_stopping(message, p.verbose):
            return True
        state.no_improvement_count = 0  # η was lowered: count afresh
        return False

    def record(self, loss, mean_data_loss, n_seen, validation=None):
        """Append the epoch to the state's curves; its validation score and loss (or Nones).

        ``loss`` is the epoch's mean loss with the L2 penalty, ``mean_data_loss``
        without it; ``n_seen``, the samples fed to the optimizer.
        """
        state = self.state
        state.n_iter += 1
        state.t += n_seen
        state.loss = loss
        state.loss_curve.append(loss)
        state.data_loss_curve.append(mean_data_loss)
        if validation is None:
            return None, None
        score, validation_loss = validation()
        state.validation_scores.append(score)
        state.validation_loss_curve.append(validation_loss)
        return score, validation_loss

    def report(self, loss, score, validation_loss, start, hooks):
        """Print the epoch (``verbose``), run the callbacks; True when one asks to stop."""
        p, state = self.p, self.state
        seconds = time.perf_counter() - start
        if p.verbose:
            line = f"Iteration {state.n_iter}, loss = {loss:.8f}"
            if score is not None:
                line += f", validation score = {score:.6f}"
            print(f"{line}, {seconds:.3f} s")
        stop = False
        if p.callbacks:
            optimizer = None if p.solver == "lbfgs" else state.optimizer
            info = {
                "epoch": state.n_iter,
                "loss": loss,
                "validation_score": score,
                "validation_loss": validation_loss,
                "learning_rate": None if optimizer is None else float(optimizer.learning_rate),
                "seconds": seconds,
            }
            for callback in p.callbacks:
                stop = bool(callback(self.estimator, info)) or stop
        if hooks is not None:
            stop = hooks.end() or stop
        return stop

    # ---------------------------------------------------------------- at the end

    def warn_unconverged(self, message):
        """The ConvergenceWarning of a solver that ran out of iterations: ``message`` and advice."""
        advice = "Increase max_iter, or raise learning_rate_init."
        if self.p.solver == "lbfgs":
            advice = self.target_advice or "Increase max_iter, or scale the features."
        elif self.target_advice:  # measured: both make unscaled targets' fits worse
            advice = f"{self.target_advice} A larger max_iter or learning_rate_init "
            advice += "does not fix this."
        warnings.warn(
            f"{message} {advice}",
            ConvergenceWarning,
            stacklevel=USER_CALL + 1,
        )

    def check_beats_constant(self, objective, restored=False):
        """Warn when training ended above the loss of predicting a constant: worse than no model.

        The model's mean data loss on the training rows is compared with that
        of the best constant on every row of the data
        (``_network.constant_loss``), give or take 1%: a learning rate too
        large for the data ends there without diverging. The model's loss is
        the last epoch's (iteration's) recorded one, or with ``restored`` (the
        best epoch's weights put back by early stopping) measured anew on the
        training rows: an epoch's record is a mean over its steps, far above
        where an early best epoch ends. A constant y (its constant's loss about
        0 against that of predicting 0) is not compared: there is nothing to
        learn; nor a fit interrupted before its first epoch ended. Only in
        memory, where the rows are at hand.
        """
        curve = self.state.data_loss_curve
        if not isinstance(objective, _network.Objective) or not curve:
            return
        final = curve[-1]
        if restored:  # one full pass, without dropout: the loss of the weights kept
            dropout, objective.dropout = objective.dropout, 0.0
            evaluation = objective()
            objective.dropout = dropout
            final = evaluation.loss_sum / evaluation.weight
        # Every row of X, the validation rows of early stopping too: no gathered copy of Y.
        Y, head, weights = objective.Y, objective.head, objective.sample_weight
        baseline = _network.constant_loss(Y, head, weights)
        zero = _network.constant_loss(Y, head, weights, constant=0.0)
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
        constant = CONSTANTS.get(head if isinstance(head, str) else head[0], "the mean target")
        warnings.warn(
            f"Training ended with a mean training loss of {final:.6g}, above the "
            f"{baseline:.6g} of predicting a constant ({constant}): the model is worse than "
            f"none. {self.target_advice or advice}",
            ConvergenceWarning,
            stacklevel=USER_CALL + 1,
        )

    # ------------------------------------------------------- early stopping

    def validation(self, objective, validation_set, scorer, y=None, stratify=True):
        """The early-stopping scorer, on fit's validation set or a held-out split.

        ``validation_set`` is fit's ``(X_val, Y_val, y_val, sample_weight_val)``;
        None holds out ``validation_fraction`` of the objective's rows (a
        stratified split unless ``stratify`` is False; ``y``, the labels, go to
        the scorer) and rebinds the objective to the others.
        """
        if validation_set is None:
            X, Y, sample_weight = objective.X, objective.Y, objective.sample_weight
            rows = None if isinstance(objective.rows, slice) else objective.rows
            fraction = self.p.validation_fraction
            train, val = validation_split(Y, rows, fraction, self.random_state, stratify)
            objective.bind(X, Y, sample_weight, train)
            weights = None if sample_weight is None else sample_weight[val]
            validation_set = (
                X[val],
                Y[val],
                None if y is None else y[val],
                weights,
            )  # gathered once
        if self.state.validation_scores is None:
            self.state.validation_scores, self.state.validation_loss_curve = [], []
        return validation_scorer(objective, *validation_set, scorer, self.estimator)


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
            f"Early stopping with validation_fraction={fraction} cannot hold out a "
            f"validation set from {rows.size} usable samples and keep samples to train on; "
            f"use more data, a larger validation_fraction, or early_stopping=False. ({error})"
        ) from error
    return np.sort(train), np.sort(val)  # rows in storage order: gathered faster


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
            loss = _network.data_loss(logits, Y_val, o.head, sample_weight_val)
        loss /= weight_sum
        if scorer is None:
            return -loss, loss
        return float(scorer(estimator, X_val, y_val, **kwargs)), loss

    return validation
