"""scikit-learn's callback API (``sklearn.callback``, scikit-learn ≥ 1.9) for TinyMLPClassifier.

A fit is one root task with one subtask per epoch (per iteration for 'lbfgs').
The hooks receive the estimator, X, y, the metadata (``sample_weight``) and,
when a callback asks for ``fitted_estimator``, a copy of the estimator that
predicts with the weights of that moment. A callback whose ``on_fit_task_end``
returns True stops training after that epoch.

On scikit-learn < 1.9, :data:`CallbackSupportMixin` is a stand-in without
``set_callbacks`` and :func:`epoch_hooks` returns None: the estimator's own
``callbacks`` parameter works on every version.
"""

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:  # noqa: D101 - nothing to add
        pass


def epoch_hooks(est, X, y, sample_weight, incremental):
    """The fit's root task, already begun; None without callbacks (or ``sklearn.callback``).

    Its subtasks are the epochs ('epoch'; one for ``partial_fit``), or the
    iterations of 'lbfgs' ('iteration').
    Without callbacks, set on the estimator or propagated to it by a
    meta-estimator, no task tree is built (it would grow by one node an epoch).
    """
    if not hasattr(est, "_init_callback_context") or not (
        hasattr(est, "_skl_callbacks") or hasattr(est, "_parent_callback_ctx")
    ):
        return None
    task_name = "iteration" if est.solver == "lbfgs" else "epoch"
    max_subtasks = 1 if incremental else est.max_iter
    return _EpochHooks(est, X, y, sample_weight, max_subtasks, task_name)


class _EpochHooks:
    """Begins the root task; ``begin``/``end`` each epoch's subtask; ``close`` the root."""

    def __init__(self, est, X, y, sample_weight, max_subtasks, task_name):
        self.est, self.task_name = est, task_name
        self.data = dict(X=X, y=y, metadata=None)
        if sample_weight is not None:
            self.data["metadata"] = {"sample_weight": sample_weight}
        self.root = est._init_callback_context(max_subtasks=max_subtasks)
        self.root.call_on_fit_task_begin(estimator=est, **self.data)
        self.task = None

    def _fitted_now(self):
        """What a copy of the estimator needs to predict with the current weights."""
        est = self.est
        return {
            "coefs_": [c.copy() for c in est.coefs_],
            "intercepts_": [b.copy() for b in est.intercepts_],
        }

    def begin(self):
        self.task = self.root.subcontext(task_name=self.task_name)
        self.task.call_on_fit_task_begin(
            estimator=self.est, reconstruction_attributes=self._fitted_now, **self.data
        )

    def end(self):
        """End the epoch's subtask; True when a callback asks to stop."""
        return self.task.call_on_fit_task_end(
            estimator=self.est, reconstruction_attributes=self._fitted_now, **self.data
        )

    def close(self):
        self.root.call_on_fit_task_end(
            estimator=self.est, reconstruction_attributes=self._fitted_now, **self.data
        )
