"""During fit, callbacks and scorers read the estimator's training attributes as they are now.

The fitted attributes of training (``n_iter_``, ``loss_curve_``,
``validation_scores_``, ``best_loss_``, …) are the fields of one training state
that the trainer writes epoch by epoch: there is no copy made at the end.
"""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier, TinyMLPRegressor

X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def seen_by_a_callback(estimator, **fit_params):
    """What a callback reads of the estimator at each epoch."""
    seen = []

    def callback(est, info):
        seen.append(
            dict(
                epoch=info["epoch"],
                n_iter=est.n_iter_,
                loss_curve=list(est.loss_curve_),
                best_loss=est.best_loss_,
                validation_scores=None
                if est.validation_scores_ is None
                else list(est.validation_scores_),
            )
        )

    estimator.set_params(callbacks=[callback]).fit(X, y, **fit_params)
    return seen


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_a_callback_sees_the_live_n_iter_and_loss_curve_on_a_first_fit(solver):
    clf = TinyMLPClassifier((5,), solver=solver, max_iter=4, tol=0, random_state=0)
    seen = seen_by_a_callback(clf)
    assert [s["n_iter"] for s in seen] == [1, 2, 3, 4] == [s["epoch"] for s in seen]
    for k, s in enumerate(seen, 1):
        assert s["loss_curve"] == clf.loss_curve_[:k]  # the curve so far, this epoch's last
        assert s["best_loss"] == min(clf.loss_curve_[:k])


def test_a_callback_sees_the_count_continue_on_a_warm_start():
    clf = TinyMLPClassifier((5,), max_iter=3, tol=0, random_state=0, warm_start=True)
    first = seen_by_a_callback(clf)
    curve_after_first = list(clf.loss_curve_)
    second = seen_by_a_callback(clf)
    # n_iter_ counts this call's epochs (as MLPClassifier's); loss_curve_ goes on growing
    assert [s["n_iter"] for s in first] == [s["n_iter"] for s in second] == [1, 2, 3]
    assert [len(s["loss_curve"]) for s in second] == [4, 5, 6]
    assert second[0]["loss_curve"][:3] == curve_after_first
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 6


def test_partial_fit_callbacks_see_the_running_curve():
    clf = TinyMLPClassifier((5,), random_state=0)
    seen = []
    clf.set_params(callbacks=[lambda est, info: seen.append((est.n_iter_, len(est.loss_curve_)))])
    for _ in range(3):
        clf.partial_fit(X, y, classes=np.unique(y))
    assert seen == [(1, 1), (1, 2), (1, 3)]


def test_early_stopping_callbacks_and_scorers_see_the_validation_scores_so_far():
    scorer_saw = []

    def scorer(est, X_val, y_val):
        scorer_saw.append((est.n_iter_, len(est.validation_scores_)))
        return est.score(X_val, y_val)

    clf = TinyMLPClassifier(
        (5,), max_iter=5, tol=0, early_stopping=True, random_state=0, scoring=scorer
    )
    seen = seen_by_a_callback(clf)
    # the scorer runs for epoch k once n_iter_ is k, before its score is appended
    assert scorer_saw == [(k, k - 1) for k in range(1, 6)]
    assert [len(s["validation_scores"]) for s in seen] == [1, 2, 3, 4, 5]
    assert all(s["best_loss"] is None for s in seen)  # MLPClassifier's: no best loss
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_the_regressor_is_live_too():
    X_reg, y_reg = X[:, 1:], X[:, 0]
    reg = TinyMLPRegressor(hidden_layer_sizes=(5,), max_iter=3, tol=0, random_state=0)
    seen = []
    reg.set_params(callbacks=[lambda est, info: seen.append(est.n_iter_)])
    reg.fit(X_reg, y_reg)
    assert seen == [1, 2, 3]


def test_before_any_fit_there_is_no_training_attribute():
    clf = TinyMLPClassifier()
    for name in ("n_iter_", "loss_curve_", "best_loss_", "validation_scores_", "t_"):
        assert not hasattr(clf, name)
