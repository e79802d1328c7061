"""TinyMLPRegressor: regression targets, their checks and the regression output heads."""

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import column_or_1d

from . import _targets
from ._base import BaseTinyMLP
from ._dask import is_dask_collection
from ._heads import get_head


class TinyMLPRegressor(RegressorMixin, BaseTinyMLP):
    """Multi-layer perceptron regressor trained by hand-derived backpropagation.

    The network and its training are :class:`TinyMLPClassifier`'s; the output
    layer is a regression head: the identity for ``loss='squared_error'``,
    ``'absolute_error'`` and ``'quantile'``, the exponential for
    ``loss='poisson'``. For squared error and Poisson deviance (canonical
    links, like log-loss with a sigmoid) the output error is again
    ``∂ℓ/∂z_L = ŷ − y``; for the absolute error and the pinball loss it is
    their subgradient. Parameters and fitted attributes mean what
    ``MLPRegressor``'s do; the differences are listed in the docs.

    Parameters
    ----------
    loss : {'squared_error', 'poisson', 'absolute_error', 'quantile'}, \
            default='squared_error'
        'squared_error' and 'poisson' are ``MLPRegressor``'s half squared
        error and half Poisson deviance (with an exp output, y ≥ 0);
        'absolute_error' fits the conditional median and 'quantile' the
        conditional ``quantile`` (pinball loss), as in
        ``HistGradientBoostingRegressor``.
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        The ith element is the number of units in the ith hidden layer
        (empty: no hidden layer, a linear model).
    activation : str, default='relu'
        Hidden-layer activation, one of :class:`TinyMLPClassifier`'s ten.
    solver : {'adam', 'sgd', 'lbfgs'}, default='adam'
        As in :class:`TinyMLPClassifier`.
    alpha, batch_size, learning_rate
        As in :class:`TinyMLPClassifier`.
    learning_rate_init : float, default=0.003
        Initial step size for 'sgd' and 'adam' (``MLPRegressor``: 0.001, which
        with early stopping on stops before converging on unscaled targets;
        0.01 overfits small sets: ``benchmarks/realdata_results.md``).
    power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, momentum, \
nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, epsilon, \
n_iter_no_change, max_fun
        As in :class:`TinyMLPClassifier` (early stopping holds out a random,
        unstratified share of the rows, each with its weight).
    quantile : float in (0, 1), default=None
        The quantile that ``loss='quantile'`` fits; required by it.
    callbacks, dropout
        As in :class:`TinyMLPClassifier`.
    scoring : str, callable or None, default=None
        What early stopping monitors on the validation set (higher is
        better): None or 'loss' for the negative validation loss, else a
        scorer name ('r2' gives ``MLPRegressor``'s behaviour) or a callable.
        The name of a classification scorer ('accuracy', …) is refused when
        fitting.

    Attributes
    ----------
    coefs_, intercepts_, loss_, best_loss_, loss_curve_, data_loss_curve_, \
validation_scores_, validation_loss_curve_, best_validation_score_, n_iter_, t_, \
n_layers_, n_outputs_, n_features_in_, feature_names_in_
        As in :class:`TinyMLPClassifier`.
    out_activation_ : str
        'identity', or 'exp' for ``loss='poisson'``.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : The scikit-learn estimator this one replaces.
    TinyMLPClassifier : The classifier on the same network and training.

    Notes
    -----
    Forward: z_l = a_{l−1} W_l + b_l, a_l = f(z_l); output error
    δ_L = ∂ℓ/∂z_L (ŷ − y for the canonical links); backward:
    δ_{l−1} = (δ_l W_lᵀ) ⊙ f'(z_{l−1}). The derivation is in the documentation's
    mathematics page.

    References
    ----------
    Rumelhart, Hinton & Williams (1986), "Learning representations by
    back-propagating errors", Nature 323. Glorot & Bengio (2010),
    "Understanding the difficulty of training deep feedforward neural
    networks", AISTATS. Kingma & Ba (2015), "Adam: a method for stochastic
    optimization", ICLR. Nocedal (1980), "Updating quasi-Newton matrices with
    limited storage", Math. Comp. 35.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn_tinymlp import TinyMLPRegressor
    >>> X, y = make_regression(200, 5, noise=1.0, random_state=0)
    >>> reg = TinyMLPRegressor(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0)
    >>> reg.fit(X, y).score(X, y) > 0.99
    True
    """

    _numeric_targets = True
    _parameter_constraints: dict = {
        **BaseTinyMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson", "absolute_error", "quantile"})],
        "quantile": [Interval(Real, 0, 1, closed="neither"), None],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.003,
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
        quantile=None,
        callbacks=None,
        dropout=0.0,
        scoring=None,
    ):
        self._init_params(locals())

    def predict(self, X):
        """Predict the targets of X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data; a Dask collection gives a lazy Dask array.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions (one column is returned as a 1-D array).
        """
        if is_dask_collection(X):  # a lazy Dask array, computed on the workers
            columns = None if self.n_outputs_ == 1 else self.n_outputs_
            return self._dask_predict(X, "predict", columns)
        y = self._check_finite_output(get_head(self._head()).output(self._logits(X)))
        return y.ravel() if y.shape[1] == 1 else y

    # ------------------------------------------------------------ internals

    def _fit_targets(self, y, classes, continuing, incremental):
        """y as float targets Y of shape (n_samples, n_outputs), checked."""
        y, Y = self._targets(y)
        if continuing and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} output(s), but the model was fitted on "
                f"{self.n_outputs_}; continuing training needs the same outputs. Set "
                "warm_start=False (or call fit, not partial_fit) to train a new network."
            )
        self._n_fit_outputs = Y.shape[1]  # what a validation set's y must match
        return y, Y

    def _targets(self, y):
        if self.loss == "quantile" and self.quantile is None:
            raise ValueError(
                "loss='quantile' needs the quantile to fit: pass quantile=q with 0 < q < 1 "
                "(for example quantile=0.9)."
            )
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:  # MLPRegressor's DataConversionWarning
            y = column_or_1d(y, warn=True)
        Y = (y.reshape(-1, 1) if y.ndim == 1 else y).astype(np.float64, copy=False)
        self._check_targets(_targets.regression_target_problems(Y, self.loss == "poisson"))
        return y, Y

    def _check_targets(self, problems):
        n_nonfinite, n_negative = problems
        if n_nonfinite:
            raise ValueError(
                f"y contains NaN or infinity in {int(n_nonfinite)} value(s). Drop or impute "
                "the rows whose target is missing or infinite."
            )
        if n_negative:
            raise ValueError(
                f"loss='poisson' needs non-negative targets (counts or rates), but y has "
                f"{int(n_negative)} negative value(s); use loss='squared_error', or shift y."
            )

    def _target_advice(self, Y):
        """Scale y, when the targets' root mean square is far from 1 (in memory only).

        A network's outputs start near 0 and move by about the learning rate per
        step: targets of size 1,000 need thousands of steps, and a larger
        ``max_iter`` or ``learning_rate_init`` only trains longer or diverges.
        """
        if not isinstance(Y, np.ndarray):
            return None
        Y = Y.astype(np.float64, copy=False)
        scale = float(np.sqrt(np.vdot(Y, Y) / max(Y.size, 1)))
        if 0.1 <= scale <= 10:
            return None
        # Poisson needs y >= 0: scale it by a positive factor, not to mean 0.
        scaler = "MaxAbsScaler()" if self.loss == "poisson" else "StandardScaler()"
        return (
            f"The targets' root mean square is {scale:.3g}, far from 1: scale y, for example "
            "with sklearn.compose.TransformedTargetRegressor(regressor=..., "
            f"transformer={scaler})."
        )

    def _target_stand_in(self, y, rows):
        """The targets' checks, made per block by ``rows``; one row for the output width."""
        problems = rows.summed(_targets.regression_target_problems, y, self.loss == "poisson")
        self._check_targets(problems)
        return rows.first(y)

    def _encode(self, y):
        return np.asarray(y, dtype=np.float64).reshape(len(y), -1)

    def _output_activation(self):
        return "exp" if self.loss == "poisson" else "identity"

    def _head(self):
        """The output head and loss the objective trains (see ``_heads``)."""
        return (self.loss, self.quantile) if self.loss == "quantile" else self.loss

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = self.loss == "poisson"  # y ≥ 0, as PoissonRegressor
        return tags

    def _validation_targets(self, y_val, X_val):
        y_val, Y_val = self._targets(y_val)
        if len(Y_val) != X_val.shape[0] or Y_val.shape[1] != self._n_fit_outputs:
            raise ValueError(
                f"y_val has shape {np.shape(y_val)}, but X_val has {X_val.shape[0]} rows and "
                f"y {self._n_fit_outputs} output(s); give one target row per sample."
            )
        return y_val, Y_val
