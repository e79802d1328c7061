"""TinyMLPClassifier: labels, class weights, the classification output head."""

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils._param_validation import StrOptions

from . import _targets, _weights
from ._base import BaseTinyMLP, _InMemory, available_if_partial_fit
from ._dask import is_dask_collection
from ._heads import classify


class TinyMLPClassifier(ClassifierMixin, BaseTinyMLP):
    """Multi-layer perceptron classifier trained by hand-derived backpropagation.

    A network of fully connected layers of ``activation`` units, a sigmoid
    output for binary targets, a softmax output for multiclass targets and
    independent sigmoids for multilabel targets, trained on mean log-loss plus
    an L2 penalty. The gradients are those of the derivation in the project
    documentation: the output error is ``ŷ − y`` and each hidden layer's error
    is ``(δ_next W_nextᵀ) ⊙ f'(z)``. Parameters and fitted attributes mean
    what ``MLPClassifier``'s do; the differences are listed in the docs.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        The ith element is the number of units in the ith hidden layer.
    activation : {'logistic', 'tanh', 'relu', 'identity', 'leaky_relu', 'elu', \
            'gelu', 'silu', 'softplus', 'mish'}, default='logistic'
        Hidden-layer activation. 'logistic' is the derivation's sigmoid
        σ(z) = 1 / (1 + exp(−z)); the last six are additions (leaky ReLU with
        slope 0.01, ELU with α = 1, the exact erf-based GELU, SiLU/swish,
        softplus, Mish).
    solver : {'adam', 'sgd', 'lbfgs'}, default='adam'
        'sgd' is mini-batch gradient descent (``batch_size=1`` is the
        derivation's per-sample rule; ``batch_size`` ≥ n_samples is full-batch
        gradient descent); 'adam' is Adam; 'lbfgs' is scipy's L-BFGS-B on the
        full-batch loss (no ``partial_fit``: continue it with ``warm_start``).
    alpha : float, default=1e-4
        Strength of the L2 penalty; the loss adds ``alpha / (2 S) Σ ‖W‖²``
        where S is the batch's total sample weight.
    batch_size : int or 'auto', default='auto'
        Mini-batch size for 'sgd' and 'adam'; 'auto' is ``min(200, n_samples)``.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Step-size schedule for 'sgd'.
    learning_rate_init : float, default=0.02
        Initial step size for 'sgd' and 'adam'. ``MLPClassifier``'s 0.001 is too
        small for the sigmoid's slow start: its fits warn on most common data
        sets after 200 epochs (``benchmarks/defaults_results.md``).
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
        Print one line per epoch: ``Iteration N, loss = …``.
    warm_start : bool, default=False
        Continue from the current weights when ``fit`` is called again.
    momentum : float, default=0.9
        Momentum for 'sgd'; 0 gives plain gradient descent.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum ('sgd' with momentum > 0).
    early_stopping : bool or 'auto', default='auto'
        Hold out ``validation_fraction`` of the rows (a stratified split; each
        row's weight goes with it) or use fit's ``X_val``; stop when the
        validation score (see ``scoring``) has not risen by ``tol`` for
        ``n_iter_no_change`` epochs, but not within a warm-up of
        min(2 × ``n_iter_no_change``, 20) epochs, and restore the weights of
        the epoch with the best score. 'sgd' and 'adam' only; not in
        ``partial_fit``. 'auto' (``MLPClassifier``: False) stops early in
        ``fit`` when X has at least 200 rows of positive weight (a validation
        set of 20 at the default fraction; Dask input: only with ``X_val``) or
        fit is given ``X_val``, and never in
        ``partial_fit``: on real tabular data, 200 epochs without it overfit
        (``benchmarks/realdata_results.md``).
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
        Weights for classes, multiplied into ``sample_weight``: a dict of
        label → weight (others get 1), or 'balanced', class c weighing
        ``S / (n_classes · S_c)`` (S_c its total sample weight; multilabel: per
        label, multiplied; ``partial_fit``: running totals).
    callbacks : list of callable or None, default=None
        Each is called after every epoch as ``callback(estimator, info)``,
        ``info`` holding 'epoch', 'loss', 'validation_score', 'validation_loss',
        'learning_rate' and 'seconds'; one returning True stops training. Not
        pickled. (scikit-learn's own callbacks: ``set_callbacks``.)
    dropout : float in [0, 1), default=0
        Inverted dropout on the hidden units while training with 'sgd' or
        'adam': each unit is dropped with this probability in each batch and
        the kept ones scaled by 1 / (1 − dropout). Prediction uses every unit.
    scoring : str, callable or None, default=None
        What early stopping monitors on the validation set (higher is
        better): None or 'loss' for the negative log-loss, else a scorer
        name ('accuracy' gives MLPClassifier's behaviour, 'roc_auc',
        'balanced_accuracy', …) or a callable ``scorer(estimator, X, y)``.
        The name of a regression scorer ('r2', …) is refused when fitting.

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
        Lowest training loss reached; None when training stopped early.
    loss_curve_ : list of float
        Training loss per epoch (iteration for 'lbfgs'), over every call.
    validation_scores_ : list of float or None
        Validation score per epoch when training stops early (higher is
        better): ``scoring``'s, by default the negative weighted mean log-loss.
        Accumulates across warm starts, with ``loss_curve_``.
    validation_loss_curve_ : list of float or None
        Validation log-loss (no penalty) per epoch when training stops early.
    best_validation_score_ : float or None
        The best entry of ``validation_scores_``: the restored epoch's.
    n_iter_ : int
        Number of epochs (iterations for 'lbfgs') run by the last call to
        ``fit`` or ``partial_fit`` (``partial_fit`` runs one).
    t_ : int
        Training samples seen by 'sgd' or 'adam', over every call.
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

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's multi-layer
        perceptron classifier, whose parameters and fitted attributes these are.
    TinyMLPRegressor : The same network and training for regression.

    Notes
    -----
    Backpropagation [1]_ in three lines, for a layer l with inputs a_{l−1},
    weights W_l (drawn Glorot-uniform [2]_) and activation f, and S the batch's
    total sample weight:

    - forward: z_l = a_{l−1} W_l + b_l and a_l = f(z_l); the output head gives ŷ;
    - output error: δ_L = s_i (ŷ − y) / S per sample i (log-loss and its head);
    - backward: δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ f'(z_l), and the gradient of the loss
      is a_{l−1}ᵀ δ_l + (α / S) W_l for W_l and Σ_i δ_l for b_l.

    The gradient goes to mini-batch gradient descent, Adam [3]_ or L-BFGS [4]_.
    The documentation (``docs/`` in the source) derives each equation and
    links it to the code that implements it, ``sklearn_tinymlp._network``
    (:ref:`math`); the :ref:`user_guide` covers solvers, early stopping, class
    weights and callbacks, and :ref:`migrating` lists the differences from
    ``MLPClassifier``.

    References
    ----------
    .. [1] Rumelhart, D. E., Hinton, G. E. and Williams, R. J. (1986).
       "Learning representations by back-propagating errors". Nature 323,
       533–536.
    .. [2] Glorot, X. and Bengio, Y. (2010). "Understanding the difficulty of
       training deep feedforward neural networks". Proceedings of AISTATS,
       PMLR 9, 249–256.
    .. [3] Kingma, D. P. and Ba, J. (2015). "Adam: A method for stochastic
       optimization". International Conference on Learning Representations
       (ICLR). arXiv:1412.6980.
    .. [4] Nocedal, J. (1980). "Updating quasi-Newton matrices with limited
       storage". Mathematics of Computation 35(151), 773–782.

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
        **BaseTinyMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
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
        learning_rate_init=0.02,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping="auto",
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        class_weight=None,
        callbacks=None,
        dropout=0.0,
        scoring=None,
    ):
        self._init_params(locals())

    @available_if_partial_fit
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative per-sample weights.
        classes : array-like of shape (n_classes,), default=None
            Every class y can hold: required on the first call, checked after.

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
            Probabilities of ``classes_`` (multilabel: of each label).
        """
        return self._probabilities(X, "predict_proba")

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
        return self._probabilities(X, "predict_log_proba")

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted labels (multilabel: an indicator matrix).
        """
        if is_dask_collection(X):  # a lazy Dask array, computed on the workers
            return self._dask_predict(X, "predict", *self._label_columns())
        predicted = classify(self._logits(X), self.out_activation_, "predict")
        return predicted if predicted.ndim == 2 else self.classes_[predicted]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy (subset accuracy for multilabel targets).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples; a Dask collection is scored on the workers.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean accuracy of ``self.predict(X)`` against y.
        """
        if is_dask_collection(X):
            columns, dtype = self._label_columns()
            return self._dask_predict(X, "predict", columns, dtype, y, sample_weight)
        return super().score(X, y, sample_weight)

    # ------------------------------------------------------------ internals

    def _probabilities(self, X, method):
        """``predict_proba`` or ``predict_log_proba``: a lazy Dask array for Dask X."""
        if is_dask_collection(X):  # computed on the workers
            return self._dask_predict(X, method, len(self.classes_))
        return classify(self._logits(X), self.out_activation_, method)

    def _fit_targets(self, y, classes, continuing, incremental):
        """Check the labels, set (or check) the classes; return y and the 0/1 targets Y."""
        binarizer = getattr(self, "_label_binarizer", None) if continuing else None
        warm_start = binarizer is not None and not incremental
        y = _targets.check_labels(y)
        binarizer, Y = _targets.fit_targets(y, classes, binarizer, incremental, warm_start)
        self._label_binarizer, self.classes_ = binarizer, binarizer.classes_
        return y, Y

    def _label_columns(self):
        """What ``predict`` returns per row: a label, or (multilabel) a 0/1 row."""
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return len(self.classes_), np.dtype(int)
        return None, self.classes_.dtype

    def _target_stand_in(self, y, rows):
        """y's distinct labels (found block by block by ``rows``): what the label checks need."""
        return rows.distinct(y)

    def _encode(self, y):
        return _targets.encode_targets(y, self._label_binarizer)

    def _output_activation(self):
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _single_label(self):
        return self._label_binarizer.y_type_ != "multilabel-indicator"

    def _class_weighted(self, Y, sample_weight, dtype, rows=_InMemory, seen=None):
        """sample_weight × class_weight; 'balanced' weighs the classes of these rows plus ``seen``.

        Returns the class totals that 'balanced' used (see ``BaseTinyMLP._weights``).
        """
        if self.class_weight is None:
            return sample_weight, None
        multilabel = not self._single_label()
        totals = None
        if self.class_weight == "balanced":
            totals = rows.summed(_weights.class_totals, Y, sample_weight, multilabel)
            totals = totals if seen is None else seen + totals
        args = (self.class_weight, self.classes_, totals, multilabel, dtype)
        per_sample = rows.per_row(_weights.class_weight_per_sample, Y, *args, dtype=dtype)
        with np.errstate(over="ignore"):  # overflow is refused by the weight checks
            return (per_sample if sample_weight is None else sample_weight * per_sample), totals

    def _validation_targets(self, y_val, X_val):
        return _targets.validation_targets(y_val, X_val, self._label_binarizer)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
