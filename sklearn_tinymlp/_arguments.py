"""The estimator's arguments: the checks its parameter constraints cannot express, and the scorer.

The constraints (``TinyMLPClassifier._parameter_constraints``) check each
parameter on its own; these check combinations, before anything is trained,
and resolve ``scoring`` into the scorer early stopping calls. (What Dask input
refuses is checked by ``_dask``.)
"""

import numpy as np
from sklearn.metrics import check_scoring, get_scorer
from sklearn.utils import get_tags

# Where scikit-learn keeps its metrics, by the kind of target they score. A scorer's metric is
# its private ``_score_func`` (read only here; a scorer of unknown make is not checked).
CLASSIFICATION_METRICS = (
    "sklearn.metrics._classification",
    "sklearn.metrics._ranking",
    "sklearn.metrics.cluster",  # they compare two labelings: class labels, not real numbers
)
REGRESSION_METRICS = ("sklearn.metrics._regression",)
# Examples of each kind, for the error message.
EXAMPLE_SCORERS = {
    "classifier": "'accuracy', 'balanced_accuracy', 'roc_auc', 'f1' or 'neg_log_loss'",
    "regressor": "'r2', 'neg_mean_squared_error' or 'neg_mean_absolute_error'",
}


class PartialFitUnavailable(AttributeError, ValueError):
    """``partial_fit`` cannot run with these parameters.

    An AttributeError, so that ``hasattr(estimator, "partial_fit")`` is False
    (as scikit-learn's tools expect), and a ValueError, which ``MLPClassifier``
    raises for ``early_stopping=True``.
    """


def partial_fit_available(est):
    """True, or the reason ``partial_fit`` is missing (as :class:`PartialFitUnavailable`)."""
    missing = f"This '{type(est).__name__}' has no attribute 'partial_fit': "
    if est.solver not in ("sgd", "adam"):
        raise PartialFitUnavailable(
            f"{missing}partial_fit is only available for stochastic optimizers; "
            f"solver={est.solver!r} is not. Use solver='sgd' or solver='adam' to train "
            "incrementally."
        )
    if est.early_stopping is True or est.early_stopping is np.True_:
        raise PartialFitUnavailable(
            f"{missing}partial_fit does not support early_stopping=True: one epoch per call "
            "leaves no held-out set to stop on. Set early_stopping=False, or call fit."
        )
    return True


def check_fit_arguments(est, X_val=None, y_val=None, sample_weight_val=None):
    """Refuse callbacks that are not callable, a scorer that is unknown or of the other kind
    (:func:`check_scorer_kind`), dropout with 'lbfgs', an unusable validation set."""
    if est.callbacks is not None and not all(callable(c) for c in est.callbacks):
        raise TypeError(
            "callbacks must be a list of callables `callback(estimator, info)`, got "
            f"{est.callbacks!r}."
        )
    scorer(est)  # an unknown scorer name is refused before training, not after
    check_scorer_kind(est)
    if est.dropout and est.solver == "lbfgs":
        raise ValueError(
            f"dropout={est.dropout} needs solver='sgd' or 'adam': L-BFGS needs the same "
            "objective at every evaluation, and dropout draws new masks each time."
        )
    if X_val is None and y_val is None and sample_weight_val is None:
        return
    if X_val is None or y_val is None:
        raise ValueError(
            "A validation set needs both X_val and y_val (and sample_weight_val only with "
            "them); pass both, or neither to hold out validation_fraction of X."
        )
    if est.early_stopping is False or est.early_stopping is np.False_ or est.solver == "lbfgs":
        raise ValueError(
            "X_val and y_val are the validation set of early stopping, which needs "
            "early_stopping=True (or 'auto') and solver='sgd' or 'adam'; set those, or drop X_val "
            "and y_val."
        )


def scorer(est):
    """The scorer of ``est.scoring``; None for the negative log-loss (None or 'loss')."""
    return None if est.scoring in (None, "loss") else check_scoring(est, est.scoring)


def scorer_kind(scoring):
    """'classifier' or 'regressor': the estimators whose predictions a scorer name scores.

    None for a name this cannot tell (a scorer of unknown make is not checked).

    >>> scorer_kind("roc_auc"), scorer_kind("r2")
    ('classifier', 'regressor')
    """
    metric = getattr(get_scorer(scoring), "_score_func", None)
    module = getattr(metric, "__module__", None) or ""
    if module.startswith(REGRESSION_METRICS):
        return "regressor"
    # positive_likelihood_ratio and neg_negative_likelihood_ratio score with wrappers of
    # class_likelihood_ratios that scikit-learn defines beside its scorers
    name = getattr(metric, "__name__", "")
    if module.startswith(CLASSIFICATION_METRICS) or name.endswith("likelihood_ratio"):
        return "classifier"
    return None


def check_scorer_kind(est):
    """Refuse a scorer name of the other kind: a classification scorer for a regressor, or the
    reverse. A callable scorer is the user's to choose, and is not checked."""
    if not isinstance(est.scoring, str) or est.scoring == "loss":
        return
    kind, needed = get_tags(est).estimator_type, scorer_kind(est.scoring)
    if needed is None or needed == kind:
        return
    predictions = "class labels" if kind == "classifier" else "real numbers"
    raise ValueError(
        f"scoring={est.scoring!r} scores the predictions of a {needed}, and "
        f"{type(est).__name__} is a {kind} (it predicts {predictions}). Use a {kind}'s "
        f"scorer, such as {EXAMPLE_SCORERS[kind]}, or scoring=None for the negative "
        "validation loss."
    )
