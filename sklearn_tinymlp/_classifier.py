"""TinyMLPClassifier: validation, orchestration and the scikit-learn protocol.

The mathematics lives in ``_network``; the update rules in ``_optimizers``;
the epoch loop in ``_training``; L-BFGS in ``_lbfgs``.  This is the only module
that touches scikit-learn's private pieces.
"""

import time
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from scipy.special import expit, log_expit, log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._fast import as_flat_views, forward_logits, plain_float_array, softmax_rows
from ._lbfgs import fit_lbfgs
from ._network import forward, init_params, log_loss
from ._optimizers import AdamOptimizer, SGDOptimizer
from ._training import ConvergenceMonitor, train_epoch
from ._validation import (
    balanced_weight_per_sample,
    class_totals,
    dict_weight_per_sample,
    validation_split,
)

# Layout of a saved model's state. Bump it when a release renames or reshapes
# fitted attributes so that models saved by earlier releases cannot be used;
# releases with the same format load each other's models (with a warning when
# the package versions differ).
_STATE_FORMAT = 1


def _solver_is_stochastic(estimator):
    if estimator.solver not in ("sgd", "adam"):
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers; solver={estimator.solver!r} "
            "is not. Use solver='sgd' or solver='adam' to train incrementally."
        )
    return True


class TinyMLPClassifier(ClassifierMixin, BaseEstimator):
    """Multi-layer perceptron classifier trained by hand-derived backpropagation.

    A network of fully connected layers of ``activation`` units, a sigmoid
    output for binary targets, a softmax output for multiclass targets and
    independent sigmoids for multilabel targets, trained on mean log-loss plus
    an L2 penalty. The gradients are those of the derivation in the project
    documentation: the output error is ``ŷ − y`` and each hidden layer's error
    is ``(δ_next W_nextᵀ) ⊙ f'(a)``.

    Parameters and fitted attributes mirror scikit-learn's ``MLPClassifier``;
    ``class_weight`` and ``callbacks`` are additions.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        The ith element is the number of units in the ith hidden layer.
    activation : {'logistic', 'tanh', 'relu', 'identity'}, default='logistic'
        Hidden-layer activation. 'logistic' is the derivation's sigmoid
        σ(z) = 1 / (1 + exp(−z)).
    solver : {'adam', 'sgd', 'lbfgs'}, default='adam'
        'sgd' is mini-batch gradient descent (``batch_size=1`` is the
        derivation's per-sample rule; ``batch_size`` ≥ n_samples is full-batch
        gradient descent); 'adam' is Adam; 'lbfgs' is scipy's L-BFGS-B on the
        full-batch loss. As in ``MLPClassifier``, 'lbfgs' has no
        ``partial_fit``: L-BFGS builds its curvature estimate over many
        evaluations of one fixed objective, which a stream of different
        batches does not provide. To continue an 'lbfgs' fit, set
        ``warm_start=True`` and call ``fit`` again.
    alpha : float, default=1e-4
        Strength of the L2 penalty; the loss adds ``alpha / (2 S) Σ ‖W‖²``
        where S is the batch's total sample weight.
    batch_size : int or 'auto', default='auto'
        Mini-batch size for 'sgd' and 'adam'; 'auto' is ``min(200, n_samples)``.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Step-size schedule for 'sgd'.
    learning_rate_init : float, default=0.001
        Initial step size for 'sgd' and 'adam'.
    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.
    max_iter : int, default=200
        Maximum number of epochs ('sgd', 'adam') or iterations ('lbfgs').
    shuffle : bool, default=True
        Whether to shuffle samples in each epoch ('sgd', 'adam').
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split.
    tol : float, default=1e-4
        Minimum improvement of the loss (or validation score) that counts.
    verbose : bool, default=False
        Print one line per epoch.
    warm_start : bool, default=False
        Continue from the current weights when ``fit`` is called again.
    momentum : float, default=0.9
        Momentum for 'sgd'; 0 gives plain gradient descent.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum ('sgd' with momentum > 0).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training weight (stratified by
        class), stop when the validation log-loss has not fallen by ``tol`` for
        ``n_iter_no_change`` epochs, and restore the weights of the epoch with
        the lowest validation loss. The split works on units of sample weight,
        so an integer weight still equals a repeated row. 'sgd' and 'adam'
        only; ignored by ``partial_fit``.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's decay rates of the first and second moment estimates.
    epsilon : float, default=1e-8
        Adam's numerical-stability constant.
    n_iter_no_change : int, default=10
        Epochs without improvement tolerated before stopping.
    max_fun : int, default=15000
        Maximum number of loss evaluations ('lbfgs').
    class_weight : dict, 'balanced' or None, default=None
        Weights for classes, multiplied into ``sample_weight``. A dict maps
        labels to weights (unnamed classes get 1). 'balanced' gives class c the
        weight ``S / (n_classes · S_c)`` where S_c is the class's total sample
        weight and S the total; for multilabel y each label is balanced on its
        own and the weights multiply. In ``partial_fit``, 'balanced' uses the
        running class totals of every sample seen so far, so a single call on
        the whole data set gives the same weights as ``fit``.
    callbacks : list of callable or None, default=None
        Each is called after every epoch as ``callback(estimator, info)``
        where ``info`` is a dict with keys 'epoch', 'loss', 'validation_score',
        'validation_loss', 'learning_rate' and 'seconds'. If any returns
        True, training stops. Callbacks are dropped when the model is
        pickled.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels.
    coefs_ : list of ndarray
        ``coefs_[i][j, k]`` is the weight from unit j of layer i to unit k of
        layer i + 1.
    intercepts_ : list of ndarray
        ``intercepts_[i][k]`` is the bias of unit k of layer i + 1.
    loss_ : float
        Training loss at the end of fitting.
    best_loss_ : float or None
        Lowest training loss reached; None when ``early_stopping=True``.
    loss_curve_ : list of float
        Training loss per epoch (per iteration for 'lbfgs').
    validation_scores_ : list of float or None
        Validation accuracy (weighted by sample weight) per epoch when
        ``early_stopping=True``.
    validation_loss_curve_ : list of float or None
        Validation log-loss (without penalty) per epoch when
        ``early_stopping=True``.
    best_validation_score_ : float or None
        Validation accuracy of the restored (lowest validation loss) epoch
        when ``early_stopping=True``.
    n_iter_ : int
        Number of epochs (iterations for 'lbfgs') run.
    t_ : int
        Number of training samples seen.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of output units.
    out_activation_ : str
        'logistic' or 'softmax'.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of str
        Feature names seen during fit, when X has string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_tinymlp import TinyMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = TinyMLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
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
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "callbacks": [list, None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="logistic",
        *,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        class_weight=None,
        callbacks=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.class_weight = class_weight
        self.callbacks = callbacks

    # ------------------------------------------------------------------ API

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data is trained in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels, or a binary indicator matrix for multilabel targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; an integer weight is equivalent to repeating
            the row, a zero weight to dropping it.

        Returns
        -------
        self : TinyMLPClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, classes=None, incremental=False)

    @available_if(_solver_is_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        classes : array-like of shape (n_classes,), default=None
            All classes that can appear in y. Required on the first call,
            ignored (but checked) afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative per-sample weights.

        Returns
        -------
        self : TinyMLPClassifier
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, classes=classes, incremental=True)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities in the order of ``classes_`` (for multilabel
            targets, the probability of each label).
        """
        logits = self._logits(X)
        if self.out_activation_ == "softmax":
            return softmax_rows(logits)
        proba = expit(logits)
        if self._label_binarizer.y_type_ == "binary":
            # σ(−z) rather than 1 − σ(z): accurate where σ(z) rounds to 1.
            return np.hstack([expit(-logits), proba])
        return proba

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates, computed from the logits.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities; finite even where a probability underflows.
        """
        logits = self._logits(X)
        if self.out_activation_ == "softmax":
            with np.errstate(over="ignore"):
                return log_softmax(logits, axis=1)
        if self._label_binarizer.y_type_ == "binary":
            return np.hstack([log_expit(-logits), log_expit(logits)])
        return log_expit(logits)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted labels (an indicator matrix for multilabel targets).
        """
        logits = self._logits(X)
        if self.out_activation_ == "softmax":
            return self.classes_[np.argmax(logits, axis=1)]
        positive = (logits > 0).astype(int)
        if self._label_binarizer.y_type_ == "binary":
            return self.classes_[positive.ravel()]
        return positive

    # ------------------------------------------------------------ internals

    def _logits(self, X):
        check_is_fitted(self)
        X_plain = plain_float_array(self, X)  # what validate_data would return, found cheaply
        if X_plain is not None:
            X = X_plain
        else:
            with np.errstate(invalid="ignore"):  # see _fit
                X = validate_data(
                    self,
                    X,
                    accept_sparse=["csr", "csc"],
                    dtype=(np.float64, np.float32),
                    reset=False,
                )
        if isinstance(X, np.ndarray):  # the same logits, without keeping every layer
            logits = forward_logits(X, self.coefs_, self.intercepts_, self.activation)
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                _, logits = forward(
                    X, self.coefs_, self.intercepts_, self.activation, self.out_activation_
                )
        overflowed = None if np.isfinite(logits).all() else ~np.isfinite(logits).all(axis=1)
        if overflowed is not None:
            raise ValueError(
                f"The network's output overflowed to inf or NaN for {overflowed.sum()} "
                f"row(s) of X (the first is row {np.flatnonzero(overflowed)[0]}): their "
                f"values are too large for {X.dtype} arithmetic. Scale the features "
                "(for example with sklearn.preprocessing.StandardScaler in a Pipeline)."
            )
        return logits

    def _validate_targets(self, X, y, classes, first_call, incremental):
        """Binarize y; set classes_ on the first call; return the 0/1 target matrix."""
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.dtype == object and len({isinstance(v, str) for v in y.ravel().tolist()}) > 1:
            raise ValueError(
                "y mixes string labels with labels of other types (numbers, None, ...), "
                "which cannot be ordered into classes; give every label the same type, "
                "e.g. y.astype(str)."
            )
        check_classification_targets(y)
        if first_call:
            if incremental:
                if classes is None and type_of_target(y) != "multilabel-indicator":
                    raise ValueError(
                        "classes must be passed on the first call to partial_fit: the list "
                        "of every label the stream can contain, e.g. classes=np.unique(y_all)."
                    )
                labels = y if type_of_target(y) == "multilabel-indicator" else np.asarray(classes)
            else:
                labels = y
            binarizer = LabelBinarizer().fit(labels)
            if binarizer.y_type_ != "multilabel-indicator" and len(binarizer.classes_) < 2:
                raise ValueError(
                    "TinyMLPClassifier needs at least 2 classes to learn from, but the data "
                    f"contain only one class: {binarizer.classes_.tolist()[0]!r}."
                )
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
            self._class_totals_seen = None
        elif (
            incremental
            and classes is not None
            and not np.array_equal(np.asarray(classes), self.classes_)
        ):
            raise ValueError(
                f"classes={np.asarray(classes).tolist()!r} differs from the classes of the "
                f"first partial_fit call, {self.classes_.tolist()!r}."
            )
        binarizer = self._label_binarizer
        if binarizer.y_type_ == "multilabel-indicator":
            if type_of_target(y) != "multilabel-indicator" or y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"The model was fitted on multilabel targets with {len(self.classes_)} "
                    "labels; y must be an indicator matrix of that width."
                )
        else:
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            if unseen.size and not incremental:
                raise ValueError(
                    "warm_start=True continues the previous fit, whose classes are "
                    f"{self.classes_.tolist()!r}, but y contains other labels: "
                    f"{unseen.tolist()!r}. "
                    "Set warm_start=False to train a new network on these classes."
                )
            if unseen.size:
                raise ValueError(
                    f"y contains labels not seen before: {unseen.tolist()!r}; known classes are "
                    f"{self.classes_.tolist()!r}. Pass every label in `classes` on the first "
                    "partial_fit call, or call fit to start again."
                )
        if binarizer.y_type_ == "multilabel-indicator":
            return binarizer.transform(y).astype(X.dtype, copy=False)
        # The 0/1 targets built directly in X's dtype (one column for 2 classes):
        # LabelBinarizer's sparse and int64 intermediates need ~5× this memory.
        codes = np.searchsorted(self.classes_, y)
        if len(self.classes_) == 2:
            return (codes == 1).astype(X.dtype)[:, np.newaxis]
        Y = np.zeros((len(codes), len(self.classes_)), dtype=X.dtype)
        Y[np.arange(len(codes)), codes] = 1
        return Y

    def _sample_weights(self, X, y, Y, sample_weight, incremental):
        """Combine sample_weight and class_weight; None means all ones."""
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
            if not sample_weight.any():
                raise ValueError(
                    "sample_weight is zero for every sample, so there is nothing to learn "
                    "from; give at least one sample a positive weight."
                )
        if self.class_weight is not None:
            multilabel = self._label_binarizer.y_type_ == "multilabel-indicator"
            if self.class_weight == "balanced":
                totals = class_totals(Y, sample_weight, multilabel)
                if incremental:
                    # partial_fit balances on every sample seen so far: the running totals.
                    seen = getattr(self, "_class_totals_seen", None)
                    totals = totals if seen is None else seen + totals
                    self._class_totals_seen = totals
                per_sample = balanced_weight_per_sample(Y, totals, multilabel, X.dtype)
            elif multilabel:
                raise ValueError(
                    "class_weight for multilabel targets must be 'balanced' (each label "
                    "balanced on its own) or None; for other weightings pass sample_weight."
                )
            else:
                per_sample = dict_weight_per_sample(self.class_weight, self.classes_, Y, X.dtype)
            sample_weight = per_sample if sample_weight is None else sample_weight * per_sample
        multilabel = self._label_binarizer.y_type_ == "multilabel-indicator"
        if sample_weight is not None and not incremental and not multilabel:
            Y_kept = Y[sample_weight > 0]
            # binary: one 0/1 column; multiclass: one-hot columns
            n_classes_left = (
                np.unique(Y_kept).size if Y.shape[1] == 1 else int(Y_kept.any(axis=0).sum())
            )
            if n_classes_left < 2:
                raise ValueError(
                    "Only one class has a positive sample_weight, so there is no second "
                    "class to separate it from; give samples of at least 2 classes a "
                    "positive weight."
                )
        return sample_weight

    def _initialize(self, n_features, n_outputs, dtype):
        hidden = np.atleast_1d(self.hidden_layer_sizes)
        if (
            hidden.ndim != 1
            or hidden.size == 0
            or not all(
                isinstance(h, Integral) and not isinstance(h, bool) and h > 0
                for h in hidden.tolist()
            )
        ):
            raise ValueError(
                "hidden_layer_sizes must be a positive integer or a non-empty sequence of "
                f"positive integers, got {self.hidden_layer_sizes!r}."
            )
        self._layer_units = [n_features, *hidden.tolist(), n_outputs]
        self.n_layers_ = len(self._layer_units)
        self.n_outputs_ = n_outputs
        self.out_activation_ = (
            "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"
        )
        self._random_state = check_random_state(self.random_state)
        # Views of one flat vector, which training then updates in place.
        self.coefs_, self.intercepts_ = as_flat_views(
            *init_params(self._layer_units, self.activation, self._random_state, dtype)
        )
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.best_loss_ = np.inf
        self._optimizer = None
        self.validation_scores_ = None
        self.validation_loss_curve_ = None
        self.best_validation_score_ = None

    def _check_continued_params(self, dtype):
        """Warm start / partial_fit: accept user-set weights if their shapes fit."""
        shapes = list(zip(self._layer_units[:-1], self._layer_units[1:]))
        coefs = [np.asarray(c) for c in self.coefs_]
        intercepts = [np.asarray(b) for b in self.intercepts_]
        if [c.shape for c in coefs] != shapes or [b.shape for b in intercepts] != [
            (k,) for _, k in shapes
        ]:
            raise ValueError(
                f"coefs_/intercepts_ have shapes {[c.shape for c in coefs]}/"
                f"{[b.shape for b in intercepts]}, but the network {self._layer_units} needs "
                f"{shapes}/{[(k,) for _, k in shapes]}."
            )
        converted = [a.astype(dtype, copy=False) for a in coefs + intercepts]
        if any(a is not b for a, b in zip(converted, coefs + intercepts)) or any(
            not a.flags.writeable for a in converted
        ):
            converted = [np.array(a, dtype=dtype) for a in converted]
            self._optimizer = None  # its state belongs to the old arrays
        n = len(coefs)
        self.coefs_, self.intercepts_ = converted[:n], converted[n:]

    def _fit(self, X, y, sample_weight, classes, incremental):
        if self.callbacks is not None and not all(callable(c) for c in self.callbacks):
            raise TypeError(
                "callbacks must be a list of callables `callback(estimator, info)`, got "
                f"{self.callbacks!r}."
            )
        fitted = hasattr(self, "coefs_")
        continuing = fitted and (incremental or self.warm_start)
        # scikit-learn's finiteness check sums X and warns on inf + (−inf) before
        # raising its clear "contains infinity" error; the error is enough.
        with np.errstate(invalid="ignore"):
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse=["csr", "csc"],
                dtype=(np.float64, np.float32),
                multi_output=True,
                reset=not continuing,
            )
        if sparse.issparse(X):
            X = X.tocsr()
        Y = self._validate_targets(
            X, y, classes, first_call=not continuing, incremental=incremental
        )
        with np.errstate(over="ignore"):  # an overflowing weight is reported just below
            sample_weight = self._sample_weights(X, y, Y, sample_weight, incremental)
        if sample_weight is not None and not np.isfinite(sample_weight).all():
            raise ValueError(
                f"sample_weight × class_weight overflows {X.dtype} for some samples "
                f"(class_weight={self.class_weight!r}); with 'balanced', a class whose total "
                "sample_weight is tiny gets a huge weight. Rescale sample_weight (for "
                "example, divide it by its mean) or the class weights."
            )

        if continuing:
            self._check_continued_params(X.dtype)
        else:
            self._initialize(X.shape[1], Y.shape[1], X.dtype)

        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if self.solver == "lbfgs":
                self._fit_lbfgs(X, Y, sample_weight)
            else:
                self._fit_stochastic(X, Y, sample_weight, incremental)
        return self

    def _divergence_error(self, loss, epoch):
        if self.solver == "lbfgs":  # no step size to blame: only the data's scale
            return ValueError(
                f"Training diverged: the loss became {loss} at iteration {epoch} with "
                "solver='lbfgs'. Scale the features (for example with "
                "sklearn.preprocessing.StandardScaler in a Pipeline); the weights were "
                "left as they were before fitting."
            )
        return ValueError(
            f"Training diverged: the loss became {loss:.6g} at epoch {epoch} with "
            f"solver={self.solver!r} and learning_rate_init={self.learning_rate_init}. "
            "Lower learning_rate_init, or scale the features (for example with "
            "sklearn.preprocessing.StandardScaler in a Pipeline); the weights were left "
            "as they were before that epoch."
        )

    def _fit_lbfgs(self, X, Y, sample_weight):
        rows = None if sample_weight is None else np.flatnonzero(sample_weight)
        if rows is not None and rows.size < X.shape[0]:
            X, Y, sample_weight = X[rows], Y[rows], sample_weight[rows]
        before = [p.copy() for p in self.coefs_ + self.intercepts_]
        result, loss_curve = fit_lbfgs(
            X,
            Y,
            self.coefs_,
            self.intercepts_,
            self.activation,
            self.out_activation_,
            self.alpha,
            sample_weight,
            self.max_iter,
            self.max_fun,
            self.tol,
            self.verbose,
        )
        if not np.isfinite(result.fun) or not all(
            np.isfinite(p).all() for p in self.coefs_ + self.intercepts_
        ):
            for p, old in zip(self.coefs_ + self.intercepts_, before):
                p[...] = old
            raise self._divergence_error(result.fun, len(loss_curve))
        self.n_iter_ = int(result.nit)
        self.t_ = self.n_iter_ * X.shape[0]
        self.loss_ = float(result.fun)
        self.loss_curve_ = loss_curve or [self.loss_]
        self.best_loss_ = min(self.loss_curve_)
        if result.status == 1:
            warnings.warn(
                f"lbfgs stopped after {self.n_iter_} iterations (max_iter={self.max_iter}, "
                f"max_fun={self.max_fun}) without converging; increase max_iter, or scale "
                "the features.",
                ConvergenceWarning,
                stacklevel=5,
            )

    def _make_optimizer(self, params):
        if self.solver == "sgd":
            return SGDOptimizer(
                params,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
            )
        return AdamOptimizer(
            params, self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon
        )

    def _fit_stochastic(self, X, Y, sample_weight, incremental):
        n_samples = X.shape[0]
        rng = self._random_state
        params = self.coefs_ + self.intercepts_
        if not incremental or self._optimizer is None:
            self._optimizer = self._make_optimizer(params)
        optimizer = self._optimizer

        rows = None if sample_weight is None else np.flatnonzero(sample_weight)
        if rows is not None and rows.size == n_samples:
            rows = None
        early_stopping = self.early_stopping and not incremental
        if early_stopping:
            train_weight, val_weight = validation_split(
                X,
                Y,
                sample_weight,
                rows,
                self.validation_fraction,
                rng,
                stratify=self._label_binarizer.y_type_ != "multilabel-indicator",
            )
            rows, val_rows = np.flatnonzero(train_weight), np.flatnonzero(val_weight)
            unweighted = sample_weight is None and (train_weight[rows] == 1).all()
            sample_weight = None if unweighted else train_weight.astype(X.dtype)
            val_weight = None if unweighted else val_weight[val_rows].astype(X.dtype)
            self.validation_scores_ = []
            self.validation_loss_curve_ = []
        n_train = n_samples if rows is None else rows.size

        if self.batch_size == "auto":
            batch_size = min(200, n_train)
        else:
            if self.batch_size > n_train:
                warnings.warn(
                    f"batch_size={self.batch_size} is larger than the {n_train} training "
                    "samples; using full-batch gradient descent.",
                    stacklevel=5,
                )
            batch_size = min(self.batch_size, n_train)

        monitor = ConvergenceMonitor(self.tol, self.n_iter_no_change, early_stopping)
        monitor.best_loss = self.best_loss_ if self.best_loss_ is not None else np.inf
        epochs = 1 if incremental else self.max_iter
        for epoch in range(epochs):
            start = time.perf_counter()
            before = [p.copy() for p in params]
            loss = train_epoch(
                X,
                Y,
                sample_weight,
                rows,
                n_samples,
                self.coefs_,
                self.intercepts_,
                optimizer,
                batch_size,
                self.shuffle,
                rng,
                self.activation,
                self.out_activation_,
                self.alpha,
            )
            # A log-loss a thousand times its first value is runaway growth, not a
            # slow start: stop before it overflows, as it would a few epochs later.
            runaway = bool(self.loss_curve_) and loss > 1e3 * max(self.loss_curve_[0], 1.0)
            if runaway or not np.isfinite(loss) or not all(np.isfinite(p).all() for p in params):
                for p, old in zip(params, before):
                    p[...] = old
                raise self._divergence_error(loss, self.n_iter_ + 1)
            self.n_iter_ += 1
            self.t_ += n_train
            self.loss_ = loss
            self.loss_curve_.append(loss)
            optimizer.iteration_ends(self.t_)

            score = val_loss = None
            if early_stopping:
                score, val_loss = self._validation_figures(X[val_rows], Y[val_rows], val_weight)
                self.validation_scores_.append(score)
                self.validation_loss_curve_.append(val_loss)
            stop = monitor.update(loss, params, val_loss, score)
            seconds = time.perf_counter() - start
            if self.verbose:
                line = f"Epoch {self.n_iter_}, loss = {loss:.8f}"
                if early_stopping:
                    line += f", validation score = {score:.6f}"
                print(f"{line}, {seconds:.3f} s")
            if self._run_callbacks(loss, score, val_loss, seconds):
                break
            if incremental:
                break
            if stop:
                what = "Validation loss" if early_stopping else "Training loss"
                msg = (
                    f"{what} did not improve more than tol={self.tol} for "
                    f"{self.n_iter_no_change} consecutive epochs."
                )
                if optimizer.trigger_stopping(msg, self.verbose):
                    break
                monitor.no_improvement_count = 0
            if epoch == epochs - 1:
                warnings.warn(
                    f"Stochastic optimizer: maximum iterations ({self.max_iter}) reached and "
                    "the optimization hasn't converged yet; increase max_iter, or raise "
                    "learning_rate_init.",
                    ConvergenceWarning,
                    stacklevel=5,
                )

        if early_stopping:
            self.best_validation_score_ = monitor.best_validation_score
            self.best_loss_ = None
            for p, best in zip(params, monitor.best_params):
                p[...] = best
        else:
            self.best_loss_ = monitor.best_loss

    def _validation_figures(self, X_val, Y_val, sw_val):
        """Weighted accuracy and mean log-loss (no penalty) on the held-out rows."""
        _, logits = forward(
            X_val, self.coefs_, self.intercepts_, self.activation, self.out_activation_
        )
        loss = log_loss(logits, Y_val, self.out_activation_, [], 0.0, sw_val)
        if self.out_activation_ == "softmax":
            correct = logits.argmax(axis=1) == Y_val.argmax(axis=1)
        else:
            correct = ((logits > 0) == (Y_val > 0.5)).all(axis=1)
        score = float(np.average(correct, weights=sw_val))
        return score, loss

    def _run_callbacks(self, loss, score, val_loss, seconds):
        if not self.callbacks:
            return False
        info = {
            "epoch": self.n_iter_,
            "loss": loss,
            "validation_score": score,
            "validation_loss": val_loss,
            "learning_rate": float(self._optimizer.learning_rate),
            "seconds": seconds,
        }
        stop = False
        for callback in self.callbacks:
            stop = bool(callback(self, info)) or stop
        return stop

    def __getstate__(self):
        # Callbacks often hold progress bars, loggers or lambdas that cannot be
        # pickled; a saved model does not need them.
        from . import __version__

        state = super().__getstate__()
        if state.get("callbacks") is not None:
            state = {**state, "callbacks": None}
        return {**state, "_tinymlp_version": __version__, "_tinymlp_state_format": _STATE_FORMAT}

    def __setstate__(self, state):
        from . import __version__

        state = dict(state)
        # States saved before the format was recorded have the current layout.
        saved_format = state.pop("_tinymlp_state_format", _STATE_FORMAT)
        saved_version = state.pop("_tinymlp_version", __version__)
        if saved_format != _STATE_FORMAT:
            raise ValueError(
                f"This TinyMLPClassifier was saved by sklearn-tinymlp {saved_version} "
                f"(model format {saved_format}) and cannot be loaded by sklearn-tinymlp "
                f"{__version__} (model format {_STATE_FORMAT}). Load it with "
                f"sklearn-tinymlp {saved_version}, or refit it with this version."
            )
        if saved_version != __version__:
            warnings.warn(
                f"This TinyMLPClassifier was saved by sklearn-tinymlp {saved_version} and is "
                f"loaded by sklearn-tinymlp {__version__}; the model format is the same, but "
                "check its predictions before relying on them, or refit it.",
                UserWarning,
                stacklevel=2,
            )
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags
