"""TrainingCurveDisplay: the curves of training, in scikit-learn's Display convention."""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted


def _pyplot(caller):
    """matplotlib.pyplot, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            f"{caller} requires matplotlib: install it with `pip install matplotlib`."
        ) from error
    return plt


class TrainingCurveDisplay:
    """Training curves: the training loss, and the validation loss and score, per epoch.

    Build it with :meth:`from_estimator`. Both losses are drawn without the L2
    penalty (from ``loss_curve_``, labelled "with L2 penalty", where an estimator
    has no ``data_loss_curve_``); the score on a second y-axis; the best epoch,
    the one early stopping restores, as a dotted line. matplotlib is imported
    only when drawing.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss per epoch.
    penalized : bool, default=False
        Whether ``loss_curve`` includes the L2 penalty.
    validation_loss_curve, validation_scores : array-like of shape (n_epochs,), default=None
        Validation loss and monitored validation score per epoch, if any.
    score_name : str, default="validation score"
        The label of the validation score.
    name : str, default=None
        The estimator's name, used as the title.

    Attributes
    ----------
    ax_, score_ax_ : matplotlib Axes
        The axes of the losses, and of the validation score (None without one).
    figure_ : matplotlib Figure
    lines_ : list of matplotlib Line2D
        The training loss, then the validation loss and score if any.
    best_epoch_, best_epoch_line_ : int and matplotlib Line2D, or None
        The best epoch (1-based: the argmax of the validation score), its line.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_tinymlp import TinyMLPClassifier, TrainingCurveDisplay
    >>> clf = TinyMLPClassifier(early_stopping=True, learning_rate_init=0.01, random_state=0)
    >>> display = TrainingCurveDisplay.from_estimator(clf.fit(*load_iris(return_X_y=True)))
    >>> [line.get_label() for line in display.lines_][:2]
    ['training loss (no L2 penalty)', 'validation loss (no L2 penalty)']
    """

    def __init__(
        self,
        *,
        loss_curve,
        penalized=False,
        validation_loss_curve=None,
        validation_scores=None,
        score_name="validation score",
        name=None,
    ):
        self.loss_curve, self.penalized, self.name = loss_curve, penalized, name
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores, self.score_name = validation_scores, score_name

    def plot(self, ax=None, *, name=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            The axes to draw on; None makes a new figure.
        name : str, default=None
            The title; None uses the display's ``name``.

        Returns
        -------
        self : TrainingCurveDisplay
        """
        ax = _pyplot(f"{type(self).__name__}.plot").subplots()[1] if ax is None else ax
        penalty = "with" if self.penalized else "no"
        curves = [(ax, self.loss_curve, f"training loss ({penalty} L2 penalty)")]
        if self.validation_loss_curve is not None:
            curves.append((ax, self.validation_loss_curve, "validation loss (no L2 penalty)"))
        self.score_ax_ = self.best_epoch_ = self.best_epoch_line_ = None
        if self.validation_scores is not None:
            self.score_ax_ = ax.twinx()
            ax.set_zorder(self.score_ax_.get_zorder() + 1)  # the legend above the score
            ax.patch.set_visible(False)
            self.score_ax_.set_ylabel(self.score_name)
            curves.append((self.score_ax_, self.validation_scores, self.score_name))
            self.best_epoch_ = int(np.argmax(self.validation_scores)) + 1
            self.best_epoch_line_ = ax.axvline(
                self.best_epoch_, color="gray", linestyle=":",
                label=f"best epoch ({self.best_epoch_}), restored",
            )  # fmt: skip
        self.lines_ = []
        for color, (axes, values, label) in enumerate(curves):
            epochs = np.arange(1, len(values) + 1)
            self.lines_ += axes.plot(epochs, values, color=f"C{color}", label=label)
        ax.set(xlabel="epoch", ylabel="loss", title=self.name if name is None else name)
        ax.legend(handles=self.lines_ + [self.best_epoch_line_] * (self.best_epoch_ is not None))
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None):
        """Draw the curves of a fitted estimator, alone or at the end of a pipeline.

        Parameters
        ----------
        estimator : estimator instance
            A fitted :class:`TinyMLPClassifier` or :class:`TinyMLPRegressor`
            (or another estimator with ``loss_curve_``, such as scikit-learn's
            ``MLPClassifier``), alone or where a fitted meta-estimator keeps it:
            the last step of a :class:`~sklearn.pipeline.Pipeline`, or the
            ``best_estimator_`` of a search, the ``regressor_`` of a
            :class:`~sklearn.compose.TransformedTargetRegressor` or the
            ``estimator_`` of a wrapper, followed through nested wrappers. Its
            ``loss_curve_`` is drawn, with ``data_loss_curve_``,
            ``validation_loss_curve_`` and ``validation_scores_`` where it has them.
        ax : matplotlib Axes, default=None
            The axes to draw on; None makes a new figure.
        name : str, default=None
            The title; None uses the class name of the estimator whose curves
            are drawn (the pipeline's last step, not ``Pipeline``).

        Returns
        -------
        display : TrainingCurveDisplay

        Raises
        ------
        NotFittedError
            If the estimator is not fitted.
        ValueError
            If the estimator, or the last step it ends in, has no ``loss_curve_``.
        """
        estimator = _trained_by_epochs(estimator)
        data_loss = getattr(estimator, "data_loss_curve_", None)
        scoring = getattr(estimator, "scoring", "")  # absent: the estimator's own score
        if not isinstance(scoring, str):
            scoring = "negative loss" if scoring is None else getattr(scoring, "__name__", "")
        scoring = "negative loss" if scoring == "loss" else scoring
        display = cls(
            loss_curve=estimator.loss_curve_ if data_loss is None else data_loss,
            penalized=data_loss is None,
            validation_loss_curve=getattr(estimator, "validation_loss_curve_", None),
            validation_scores=getattr(estimator, "validation_scores_", None),
            score_name=f"validation score ({scoring})" if scoring else "validation score",
            name=type(estimator).__name__ if name is None else name,
        )
        return display.plot(ax=ax)


def _trained_by_epochs(estimator):
    """The fitted estimator with ``loss_curve_`` that ``estimator`` is or ends in.

    A Pipeline's last step, or the fitted estimator a meta-estimator holds
    (:func:`_inside`), followed until one with ``loss_curve_``; otherwise an
    error that says what the display needs and what it found.
    """
    check_is_fitted(estimator)
    found = type(estimator).__name__
    while getattr(estimator, "loss_curve_", None) is None:
        where, inner = _inside(estimator)
        if inner is None or isinstance(inner, str):  # nothing inside, or "passthrough"
            found += f" whose {where} is {inner!r}" if where else ""
            raise ValueError(
                "TrainingCurveDisplay needs a fitted TinyMLPClassifier or TinyMLPRegressor (or "
                "another estimator trained by epochs, with loss_curve_), alone, as the last "
                "step of a Pipeline, or as the best_estimator_, regressor_ or estimator_ of a "
                f"fitted meta-estimator; got {found}, which has no loss_curve_."
            )
        found += f" whose {where} is {type(inner).__name__}"
        estimator = inner
        check_is_fitted(estimator)
    return estimator


def _inside(estimator):
    """(where, what): the fitted estimator a Pipeline or meta-estimator holds, or (None, None).

    The names are scikit-learn's: a Pipeline's last step, a search's refitted
    ``best_estimator_`` (GridSearchCV, RandomizedSearchCV), TransformedTargetRegressor's
    ``regressor_``, the ``estimator_`` of a wrapper such as SelectFromModel or RFE. Wrappers
    that hold several fitted copies (BaggingClassifier, CalibratedClassifierCV) have no one
    set of curves to draw.
    """
    if isinstance(estimator, Pipeline):
        return "last step", estimator.steps[-1][1]
    if hasattr(estimator, "best_estimator_"):
        return "best_estimator_", estimator.best_estimator_
    if hasattr(estimator, "regressor_"):
        return "regressor_", estimator.regressor_
    if hasattr(estimator, "estimator_"):
        return "estimator_", estimator.estimator_
    return None, None
