"""What a pickled model holds: its state, the package version and the state's format."""

import warnings

from ._training import FITTED, TrainingState

# Layout of a saved model's state. Bump it when a release renames or reshapes
# fitted attributes so that models saved by earlier releases cannot be used;
# releases with the same format load each other's models (with a warning when
# the package versions differ).
STATE_FORMAT = 1


def saved_state(state):
    """The estimator's ``__getstate__`` dict, ready to pickle.

    Callbacks often hold progress bars, loggers or lambdas that cannot be
    pickled; a saved model does not need them. The fitted attributes of
    training, read from ``_training_state``, are written too, as format 1 has
    them (releases up to 0.2 read them there).
    """
    from . import __version__

    if state.get("callbacks") is not None:
        state = {**state, "callbacks": None}
    training = state.get("_training_state")
    if training is not None:
        state = {**state, **{f"{name}_": getattr(training, name) for name in FITTED}}
    return {**state, "_tinymlp_version": __version__, "_tinymlp_state_format": STATE_FORMAT}


def loaded_state(state, kind="TinyMLPClassifier"):
    """The state to restore, after checking the format and version it was saved with."""
    from . import __version__

    state = dict(state)
    if "coefs_" in state and "_training_state" not in state:
        state = _from_0_1(state)
    for name in FITTED:  # format 1's copies: the estimator reads them from _training_state
        state.pop(f"{name}_", None)
    # States saved before the format was recorded have the current layout.
    saved_format = state.pop("_tinymlp_state_format", STATE_FORMAT)
    saved_version = state.pop("_tinymlp_version", __version__)
    if saved_format != STATE_FORMAT:
        raise ValueError(
            f"This {kind} was saved by sklearn-tinymlp {saved_version} "
            f"(model format {saved_format}) and cannot be loaded by sklearn-tinymlp "
            f"{__version__} (model format {STATE_FORMAT}). Load it with "
            f"sklearn-tinymlp {saved_version}, or refit it with this version."
        )
    if saved_version != __version__:
        warnings.warn(
            f"This {kind} was saved by sklearn-tinymlp {saved_version} and is "
            f"loaded by sklearn-tinymlp {__version__}; the model format is the same, but "
            "check its predictions before relying on them, or refit it.",
            UserWarning,
            stacklevel=3,
        )
    return state


def _from_0_1(state):
    """A state saved by 0.1, whose training state was spread over private attributes."""
    old = {k: state.pop(k, None) for k in ("_optimizer", "_best_theta", "_class_totals_seen")}
    fields = ("n_iter", "t", "loss", "best_loss", "best_validation_score", "loss_curve")
    fields += ("validation_scores", "validation_loss_curve")
    training = TrainingState(**{f: state[f + "_"] for f in fields if f + "_" in state})
    training.optimizer, training.best_theta = old["_optimizer"], old["_best_theta"]
    training.class_totals_seen = old["_class_totals_seen"]
    training.no_improvement_count = state.pop("_no_improvement_count", 0)
    state.pop("_random_state", None)
    return {**state, "_training_state": training}
