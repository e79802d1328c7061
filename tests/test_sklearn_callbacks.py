"""scikit-learn's callback API (sklearn.callback, scikit-learn 1.9): set_callbacks, ProgressBar."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from helpers import quiet_convergence

callback = pytest.importorskip("sklearn.callback", reason="sklearn.callback needs scikit-learn 1.9")


class Recorder:
    """Records every hook call; optionally asks to stop after ``stop_after`` subtasks."""

    def __init__(self, stop_after=None):
        self.events = []
        self.stop_after = stop_after

    def setup(self, estimator, context):
        self.events.append(("setup",))

    def teardown(self, estimator, context):
        self.events.append(("teardown",))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None):
        self.events.append(("begin", context.task_name, context.task_id))

    def on_fit_task_end(
        self, estimator, context, *, X=None, y=None, metadata=None, fitted_estimator=None
    ):
        score = None if fitted_estimator is None else fitted_estimator.score(X, y)
        self.events.append(("end", context.task_name, context.task_id, metadata, score))
        return (
            self.stop_after is not None
            and context.task_name != "fit"
            and context.task_id + 1 >= self.stop_after
        )


@quiet_convergence
@pytest.mark.parametrize("solver, task", [("adam", "epoch"), ("lbfgs", "iteration")])
def test_one_root_task_and_one_balanced_subtask_per_epoch(Estimator, Xy, solver, task):
    X, y = Xy
    recorder = Recorder()
    weights = np.ones(len(y))
    clf = Estimator(
        hidden_layer_sizes=(8,), solver=solver, max_iter=5, learning_rate_init=0.05, random_state=0
    )
    clf.set_callbacks(recorder).fit(X, y, sample_weight=weights)
    events = recorder.events
    assert events[0] == ("setup",) and events[1] == ("begin", "fit", 0)
    assert events[-2][:3] == ("end", "fit", 0) and events[-1] == ("teardown",)
    subtasks = events[2:-2]
    assert len(subtasks) == 2 * clf.n_iter_ == 2 * len(clf.loss_curve_)
    for i in range(clf.n_iter_):
        begin, end = subtasks[2 * i], subtasks[2 * i + 1]
        assert begin == ("begin", task, i) and end[:3] == ("end", task, i)
        np.testing.assert_array_equal(end[3]["sample_weight"], weights)
    # The fitted_estimator of an epoch predicts as the model did then; the last one as the fit.
    scores = [end[4] for end in subtasks[1::2]]
    assert scores[-1] == pytest.approx(clf.score(X, y))
    assert len(set(scores)) > 1


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_a_callback_returning_true_stops_training(Estimator, Xy, solver):
    X, y = Xy
    clf = Estimator(hidden_layer_sizes=(8,), solver=solver, max_iter=100, random_state=0)
    clf.set_callbacks(Recorder(stop_after=3)).fit(X, y)
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3


@quiet_convergence
def test_the_progress_bar_shows_the_epochs_inside_a_grid_search(Estimator, Xy, capfd):
    X, y = Xy
    pytest.importorskip("rich", reason="ProgressBar draws with rich (the 'progress' extra)")
    search = GridSearchCV(
        Estimator(hidden_layer_sizes=(8,), max_iter=20, random_state=0),
        {"alpha": [1e-4, 1e-2]},
        cv=2,
        error_score="raise",
    )
    search.set_callbacks(callback.ProgressBar()).fit(X, y)
    shown = capfd.readouterr().out
    bars = [line for line in shown.splitlines() if f"{Estimator.__name__} - fit" in line]
    assert len(bars) == 5, shown  # 2 candidates x 2 splits, and the refit
    assert all(line.rstrip().endswith("100%") for line in bars), shown
