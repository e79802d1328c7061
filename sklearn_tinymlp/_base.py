"""What both estimators share: parameters, input checks, the fit orchestration, the protocol.

Only the estimator classes (this module, ``_classifier`` and ``_regressor``)
read or write an estimator's state. The other modules get what they need as
arguments and return results: the network and the objective (``_network``),
training (``_training.Trainer``, which writes the ``TrainingState`` that the
fitted attributes of training read), targets (``_targets``) and weights
(``_weights``); Dask (``_dask``) through three names: ``is_dask_collection``,
the training entry ``training_data`` and the prediction entry ``predict``.
Only the estimator modules touch ``sklearn.base`` and scikit-learn's private
pieces.
"""

import copy
from functools import partial
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._available_if import _AvailableIfDescriptor
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    _num_samples,
    check_is_fitted,
    validate_data,
)

from . import _arguments, _callbacks, _dask, _network, _training, _weights
from ._activations import ACTIVATIONS
from ._dask import is_dask_collection
from ._persistence import loaded_state, saved_state


class _AvailableIfWithReason(_AvailableIfDescriptor):
    """``available_if`` that raises the check's own error rather than a bare AttributeError."""

    def _check(self, obj, owner):
        self.check(obj)


#: ``partial_fit`` exists only for the solvers and settings that can train incrementally.
available_if_partial_fit = partial(
    _AvailableIfWithReason, check=_arguments.partial_fit_available, attribute_name="partial_fit"
)


class _InMemory:
    """fit's checked data in memory: X, the targets Y, the labels y and the weights.

    Its twin for data on a cluster is ``_dask.Blocks``: both give the network's
    sizes and the objective training runs on. ``per_row`` and ``summed`` are how
    the estimator's checks apply a function to the rows (``_dask.BlockRows``:
    block by block).
    """

    def __init__(self, X, Y, y, sample_weight, validation):
        self.X, self.Y, self.y, self.sample_weight = X, Y, y, sample_weight
        self.n_features, self.n_outputs, self.dtype = X.shape[1], Y.shape[1], X.dtype
        self.validation = validation  # fit's (X_val, y_val, sample_weight_val)

    def objective(self, theta, network, dropout, random_state, batch_size=None):
        """The objective of the rows (``batch_size`` matters only to ``_dask.Blocks``)."""
        data = (self.X, self.Y, self.sample_weight)
        return _network.Objective(theta, *network, data, dropout=dropout, random_state=random_state)

    @staticmethod
    def per_row(func, Y, *args, dtype):
        return func(Y, *args)

    @staticmethod
    def summed(func, *args):
        return func(*args)


class _BlockChecks:
    """fit's checks as the Dask code runs them: its one door into the estimator.

    ``columns`` checks X's columns on a zero-row stand-in; ``targets`` and
    ``weights`` run the estimator's checks over the blocks through ``rows``
    (``_dask.BlockRows``); ``roll_back`` puts the estimator back as it was when
    these checks were made (before fit changed it), when the Dask client goes
    away mid-fit.
    """

    def __init__(self, est, continuing, state):
        self.est, self.continuing, self.state = est, continuing, state
        self.before = dict(vars(est))
        for name in ("_training_state", "coefs_", "intercepts_"):  # trained in place
            if name in self.before:
                self.before[name] = copy.deepcopy(self.before[name])

    def columns(self, meta):
        """The dtype to train in, after checking X's columns (``meta``: zero rows of X)."""
        return self.est._validate_X(meta, reset=not self.continuing, min_samples=0).dtype

    def targets(self, y, rows):
        """How each block of y becomes the targets Y: ``(encode, n_outputs, dtype)``."""
        _, Y = self.est._fit_targets(
            self.est._target_stand_in(y, rows), None, self.continuing, False
        )
        return self.est._encode, Y.shape[1], Y.dtype

    def weights(self, Y, sample_weight, dtype, rows):
        """sample_weight × class_weight, checked; the training rows' count and weight."""
        return self.est._weights(Y, sample_weight, dtype, False, rows, self.state)

    def roll_back(self):
        vars(self.est).clear()
        vars(self.est).update(self.before)


#: What to do, added to scikit-learn's input errors that do not say it.
_HINTS = {
    "Input y contains": "Drop or impute the rows whose target is missing or infinite, "
    "for example with mask = np.isfinite(y) (np.isfinite(y).all(axis=1) for 2-D y).",
    "could not convert string to float": "X must hold numbers: encode text or categorical "
    "columns first, for example with sklearn.preprocessing.OneHotEncoder in a "
    "sklearn.compose.ColumnTransformer.",
}

#: early_stopping='auto' holds out a validation set from this many rows on (see _stops_early):
#: a validation set of 20 rows at the default fraction; fewer score in steps too coarse to choose
#: an epoch by.
AUTO_EARLY_STOPPING_ROWS = 200


class _Trained:
    """A fitted attribute of training: the field of the live ``_training.TrainingState``.

    The trainer writes that state as it trains, so callbacks and scorers read
    the current epoch's ``n_iter_``, ``loss_curve_``, …; there is no other copy.
    Setting the attribute sets the field (scikit-learn's tests set some).
    """

    def __set_name__(self, owner, name):
        self.name, self.field = name, name.strip("_")

    def __get__(self, est, owner=None):
        if est is None:
            return self
        if "_training_state" not in vars(est):
            raise AttributeError(f"'{type(est).__name__}' object has no attribute '{self.name}'")
        return getattr(est._training_state, self.field)

    def __set__(self, est, value):
        if "_training_state" not in vars(est):
            est._training_state = _training.TrainingState()
        setattr(est._training_state, self.field, value)


class BaseTinyMLP(_callbacks.CallbackSupportMixin, BaseEstimator):
    """The network, its training and the scikit-learn protocol, for both estimators.

    A subclass defines its targets (``_fit_targets``, ``_validation_targets``,
    ``_single_label``), its class weights (``_class_weighted``) and its output
    head (``_output_activation``, ``_head``); everything else is here.
    """

    _numeric_targets = False  # y_numeric of scikit-learn's checks
    # The fitted attributes of training, and MLPClassifier's private ones its tests read:
    n_iter_, t_, loss_, best_loss_ = _Trained(), _Trained(), _Trained(), _Trained()
    best_validation_score_, validation_scores_ = _Trained(), _Trained()
    loss_curve_, data_loss_curve_, validation_loss_curve_ = _Trained(), _Trained(), _Trained()
    _optimizer, _no_improvement_count = _Trained(), _Trained()
    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "callbacks": [list, None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "scoring": [StrOptions({"loss"}), str, callable, None],
    }

    def _init_params(self, params):
        """Store ``__init__``'s arguments as they are (scikit-learn's rule: no checks there)."""
        for name, value in params.items():
            if name != "self":
                setattr(self, name, value)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the model to data X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data is trained in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets: class labels, or a binary indicator matrix for multilabel
            targets (classifier); real numbers (regressor).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; an integer weight is equivalent to repeating
            the row, a zero weight to dropping it.
        X_val, y_val : array-like, default=None
            A validation set for early stopping (``early_stopping=True``, or
            ``'auto'``, which it turns on), used
            instead of holding out ``validation_fraction`` of X: every row of X
            is trained on. For time-ordered or grouped data. In a pipeline,
            X_val must pass through the steps before this estimator as X does
            (a scaler fitted on X must scale X_val too), or it is scored
            untransformed. scikit-learn ≥ 1.6 does that with metadata routing
            and ``Pipeline(..., transform_input=["X_val"])``::

                sklearn.set_config(enable_metadata_routing=True)
                mlp = TinyMLPClassifier(early_stopping=True)  # or TinyMLPRegressor
                mlp.set_fit_request(X_val=True, y_val=True)
                pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)],
                                transform_input=["X_val"])
                pipe.fit(X, y, X_val=X_val, y_val=y_val)

            (add ``sample_weight_val=True`` to ``set_fit_request`` to route
            validation weights too).
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        validation = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, None, incremental=False, validation=validation)

    @available_if_partial_fit
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative per-sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, None, incremental=True)

    # ------------------------------------------------------------ inputs

    def _validate_X(self, X, y=None, *, fit=False, reset=False, min_samples=1):
        """X as float64 or float32 (CSR if sparse); for ``fit``, ``(X, y)``.

        ``min_samples=0`` checks a zero-row stand-in of a Dask collection's columns.
        """
        kwargs = dict(accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=reset)
        kwargs["ensure_min_samples"] = min_samples
        if fit:
            kwargs.update(multi_output=True, y_numeric=self._numeric_targets)
        # scikit-learn's finiteness check sums X and warns on inf + (−inf) before
        # raising its clear "contains infinity" error; the error is enough.
        try:
            with np.errstate(invalid="ignore"):
                if fit:
                    X, y = validate_data(self, X, y, **kwargs)
                else:
                    X = validate_data(self, X, **kwargs)
        except ValueError as error:
            hint = next((h for key, h in _HINTS.items() if key in str(error)), None)
            if hint is None:
                raise
            raise ValueError(f"{error} {hint}") from error
        X = X.tocsr() if sparse.issparse(X) else X
        return (X, y) if fit else X

    def _logits(self, X):
        """The output layer's z_L for X, by the one forward pass."""
        check_is_fitted(self)
        X = self._validate_X(X)
        with np.errstate(over="ignore", invalid="ignore"):
            logits = _network.forward(X, self.coefs_, self.intercepts_, self.activation)[-1]
        return self._check_finite_output(logits)

    @staticmethod
    def _check_finite_output(output):
        """Refuse an output that overflowed: a prediction is never NaN."""
        if np.isfinite(output).all():
            return output
        overflowed = ~np.isfinite(output).all(axis=1)
        raise ValueError(
            f"The network's output overflowed to inf or NaN for {overflowed.sum()} "
            f"row(s) of X (the first is row {np.flatnonzero(overflowed)[0]}): their "
            f"values are too large for {output.dtype} arithmetic. Scale the features "
            "(for example with sklearn.preprocessing.StandardScaler in a Pipeline)."
        )

    def _dask_predict(self, X, method, columns=None, dtype=None, y=None, sample_weight=None):
        """``self.<method>(X)`` for Dask X: lazy, computed where the blocks live.

        With ``y``: the accuracy of those predictions, computed on the workers.
        """
        check_is_fitted(self)
        model = copy.deepcopy(self)  # the model as it is now, should it be refitted
        check_columns = partial(self._validate_X, min_samples=0)  # checked once, on the client
        args = (columns, dtype, y, sample_weight)
        return _dask.predict(getattr(model, method), X, check_columns, *args)

    def _checked_weights(self, X, sample_weight):
        if sample_weight is None:
            return None
        with np.errstate(over="ignore"):  # a weight too large for X's dtype is refused later
            return _check_sample_weight(sample_weight, X, dtype=X.dtype, ensure_non_negative=True)

    # ------------------------------------------------------------ training

    def _fit(self, X, y, sample_weight, classes, incremental, validation=(None, None, None)):
        """Check the data, set the network, train it: ``fit`` and ``partial_fit``."""
        _arguments.check_fit_arguments(self, *validation)
        continuing = hasattr(self, "coefs_") and (incremental or self.warm_start)
        state = getattr(self, "_training_state", None) if continuing else None
        state = _training.TrainingState() if state is None else state
        early_stopping = self._stops_early(X, sample_weight, incremental, validation)
        shown = (X, y, sample_weight)  # what scikit-learn's callbacks are shown
        if is_dask_collection(X):  # checked and trained where the blocks live
            checks = _BlockChecks(self, continuing, state)
            args = (validation, checks, incremental, early_stopping)
            data = _dask.training_data(X, y, sample_weight, *args)
        else:
            args = (classes, continuing, incremental, state, validation)
            data = self._memory_data(X, y, sample_weight, *args)
        validation_set = None
        if early_stopping and data.validation[0] is not None:  # checked before training
            validation_set = self._validation_set(data.dtype, *data.validation)
        random_state = check_random_state(self.random_state)  # anew each call
        theta = self._set_network(
            data.n_features, data.n_outputs, data.dtype, random_state, continuing
        )
        network = (self._layer_units, self.activation, self._head(), self.alpha)
        batch_size = None if self.solver == "lbfgs" else self.batch_size
        objective = data.objective(theta, network, self.dropout, random_state, batch_size)
        runaway = not self._numeric_targets  # a regression loss has no fixed scale
        advice = self._target_advice(data.Y)
        trainer = _training.Trainer(self.get_params(), random_state, state, self, runaway, advice)
        if not incremental:
            state.optimizer = None  # a warm-start fit starts a new optimizer, as MLPClassifier
        hooks = self._epoch_hooks(*shown, incremental)
        self._training_state = state  # live: the fitted attributes of training read it
        if self.solver == "lbfgs":
            trainer.fit_lbfgs(objective, hooks)
        else:
            validation = None
            if early_stopping:
                args = (_arguments.scorer(self), data.y, self._single_label())
                validation = trainer.validation(objective, validation_set, *args)
            trainer.fit_stochastic(objective, incremental, validation, hooks)
        if hooks is not None:
            hooks.close()
        return self

    def _stops_early(self, X, sample_weight, incremental, validation):
        """Whether this call stops early: ``early_stopping``, or for 'auto', by the data.

        'auto' stops early in ``fit`` with 'sgd' or 'adam' when fit is given a
        validation set, or when X has at least ``AUTO_EARLY_STOPPING_ROWS``
        rows of positive weight in memory (a Dask array's rows are not held
        out); never in ``partial_fit``.
        """
        if self.early_stopping != "auto":
            return bool(self.early_stopping)
        if incremental or self.solver == "lbfgs":
            return False
        if validation[0] is not None:
            return True
        if is_dask_collection(X):
            return False
        try:
            rows = _num_samples(X)
        except TypeError:  # not an array: the input checks refuse it with their message
            return False
        weight = None if sample_weight is None else np.asarray(sample_weight)
        if weight is not None and weight.shape == (rows,) and weight.dtype.kind in "biuf":
            rows = np.count_nonzero(weight > 0)  # a zero weight drops a row; checks refuse others
        return rows >= AUTO_EARLY_STOPPING_ROWS

    def _memory_data(
        self, X, y, sample_weight, classes, continuing, incremental, state, validation
    ):
        """X, the targets Y, y and the weights (sample_weight × class_weight), checked."""
        X, y = self._validate_X(X, y, fit=True, reset=not continuing)
        y, Y = self._fit_targets(y, classes, continuing, incremental)
        Y = Y.astype(X.dtype, copy=False) if Y.dtype.kind == "f" else Y  # regression targets
        sample_weight = self._checked_weights(X, sample_weight)
        sample_weight, _, _ = self._weights(
            Y, sample_weight, X.dtype, incremental, _InMemory, state
        )
        return _InMemory(X, Y, y, sample_weight, validation)

    def _head(self):
        """The output head and loss the objective trains (see ``_heads.HEADS``)."""
        return self.out_activation_

    def _class_weighted(self, Y, sample_weight, dtype, rows=_InMemory, seen=None):
        """sample_weight × class_weight, and the class totals 'balanced' used: no class weights."""
        return sample_weight, None

    def _target_advice(self, Y):
        """What to do about the targets' scale when training ends badly: nothing (classes)."""
        return None

    def _single_label(self):
        """Whether each row has one class: the early-stopping split is then stratified."""
        return False

    def _weights(self, Y, sample_weight, dtype, incremental, rows, state):
        """sample_weight × class_weight, checked; with the training rows' count and weight.

        ``rows`` applies a function to the rows (``per_row``) or sums it over
        them (``summed``): in memory, or per block of a Dask array. For
        ``partial_fit``, 'balanced' adds this call's class totals to those of
        the earlier calls, so that one call on all the data weighs as ``fit``.
        """
        seen = state.class_totals_seen if incremental else None
        sample_weight, totals = self._class_weighted(Y, sample_weight, dtype, rows, seen)
        state.class_totals_seen = totals if incremental else None
        summary = rows.summed(_weights.weight_summary, Y, sample_weight, self._single_label())
        check_classes = sample_weight is not None and not incremental
        class_weight = getattr(self, "class_weight", None)
        _weights.check_weights(summary, class_weight, dtype, check_classes)
        return sample_weight, int(summary[1]), float(summary[2])

    def _validation_set(self, dtype, X_val, y_val, sample_weight_val):
        """fit's validation set, checked and weighted (class_weight too) as training data.

        'balanced' weighs the validation set by its own class totals.
        """
        try:
            X_val = self._validate_X(X_val).astype(dtype, copy=False)
        except ValueError as error:
            raise ValueError(f"X_val: {error}") from error
        y_val, Y_val = self._validation_targets(y_val, X_val)
        sample_weight_val = self._checked_weights(X_val, sample_weight_val)
        sample_weight_val, _ = self._class_weighted(Y_val, sample_weight_val, dtype)
        Y_val = Y_val.astype(dtype, copy=False) if Y_val.dtype.kind == "f" else Y_val
        return X_val, Y_val, y_val, sample_weight_val

    def _set_network(self, n_features, n_outputs, dtype, random_state, continuing):
        """The layer sizes and the flat parameters that ``coefs_`` and ``intercepts_`` view.

        New weights for a new fit; otherwise training continues from the
        current ones (after unpickling, or arrays assigned by hand, they are
        packed into a new flat vector in ``dtype`` after checking the shapes).
        """
        hidden = np.atleast_1d(self.hidden_layer_sizes)
        if hidden.ndim != 1 or not all(
            isinstance(h, Integral) and not isinstance(h, bool) and h > 0 for h in hidden.tolist()
        ):
            raise ValueError(
                "hidden_layer_sizes must be a positive integer or a sequence of positive "
                f"integers (empty for no hidden layer), got {self.hidden_layer_sizes!r}."
            )
        self._layer_units = [n_features, *hidden.tolist(), n_outputs]
        self.n_layers_, self.n_outputs_ = len(self._layer_units), n_outputs
        self.out_activation_ = self._output_activation()
        layout = _network.Layout(self._layer_units)
        if not continuing:
            self.coefs_, self.intercepts_ = _network.init_params(
                self._layer_units, self.activation, random_state, dtype
            )
        theta = layout.flat_of(self.coefs_, self.intercepts_)
        if theta is not None and theta.dtype == dtype and theta.flags.writeable:
            return theta
        found = [np.shape(a) for a in [*self.coefs_, *self.intercepts_]]
        if found != layout.shapes:
            raise ValueError(
                f"coefs_ + intercepts_ have shapes {found}, but the network "
                f"{self._layer_units} needs {layout.shapes}."
            )
        theta = layout.pack(self.coefs_, self.intercepts_, dtype)
        self.coefs_, self.intercepts_ = layout.views(theta)
        state = getattr(self, "_training_state", None)
        moments = getattr(state, "optimizer", None)
        moments = getattr(moments, "m", getattr(moments, "velocity", None))
        if moments is not None and moments.dtype != dtype:
            state.optimizer = None  # its moments are in the other dtype
        return theta

    def _epoch_hooks(self, X, y, sample_weight, incremental):
        """scikit-learn's callback hooks; None without callbacks (or ``sklearn.callback``).

        Without callbacks, set on the estimator or propagated to it by a
        meta-estimator, no task tree is built (it would grow by one node an epoch).
        """
        if not hasattr(self, "_init_callback_context") or not (
            hasattr(self, "_skl_callbacks") or hasattr(self, "_parent_callback_ctx")
        ):
            return None
        root = self._init_callback_context(max_subtasks=1 if incremental else self.max_iter)
        task = "iteration" if self.solver == "lbfgs" else "epoch"
        return _callbacks.EpochHooks(root, self, X, y, sample_weight, task)

    # ------------------------------------------------------------ protocol

    def __getstate__(self):
        return saved_state(super().__getstate__())

    def __setstate__(self, state):
        super().__setstate__(loaded_state(state, type(self).__name__))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
