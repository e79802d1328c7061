"""scikit-learn's callback API (``sklearn.callback``, scikit-learn ≥ 1.9) for TinyMLPClassifier.

A fit is one root task with one subtask per epoch (per iteration for 'lbfgs').
The hooks receive the estimator, X, y, the metadata (``sample_weight``) and,
when a callback asks for ``fitted_estimator``, a copy of the estimator that
predicts with the weights of that moment. A callback whose ``on_fit_task_end``
returns True stops training after that epoch.

On scikit-learn < 1.9, :data:`CallbackSupportMixin` is a stand-in without
``set_callbacks`` and the estimator builds no hooks: its own ``callbacks``
parameter works on every version.
"""

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:  # noqa: D101 - nothing to add
        pass


class EpochHooks:
    """Begins the fit's root task; ``begin``/``end`` each epoch's subtask; ``close`` the root.

    ``root`` is the estimator's callback context (``_init_callback_context``),
    made by the estimator. Its subtasks are the epochs ('epoch'; one for
    ``partial_fit``), or the iterations of 'lbfgs' ('iteration').
    """

    def __init__(self, root, est, X, y, sample_weight, task_name):
        self.est, self.task_name, self.root, self.task = est, task_name, root, None
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        data = dict(estimator=est, X=X, y=y, metadata=metadata)
        self.root.call_on_fit_task_begin(**data)
        self.hook_args = dict(reconstruction_attributes=self._fitted_now, **data)

    def _fitted_now(self):
        """What a copy of the estimator needs to predict with the current weights."""
        est = self.est
        return {
            "coefs_": [c.copy() for c in est.coefs_],
            "intercepts_": [b.copy() for b in est.intercepts_],
        }

    def begin(self):
        self.task = self.root.subcontext(task_name=self.task_name)
        self.task.call_on_fit_task_begin(**self.hook_args)

    def end(self):
        """End the epoch's subtask; True when a callback asks to stop."""
        return self.task.call_on_fit_task_end(**self.hook_args)

    def close(self):
        self.root.call_on_fit_task_end(**self.hook_args)
