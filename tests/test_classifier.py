"""Behaviour of TinyMLPClassifier: the scikit-learn workflow, attributes, solvers."""

import inspect

import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier

from helpers import assert_same_weights, quiet_convergence, weights

FITTED_ATTRIBUTES = [
    "classes_",
    "coefs_",
    "intercepts_",
    "loss_",
    "best_loss_",
    "loss_curve_",
    "n_iter_",
    "t_",
    "n_layers_",
    "n_outputs_",
    "out_activation_",
    "n_features_in_",
]

pytestmark = quiet_convergence


def test_pipeline_grid_search_and_cross_validation_on_a_bundled_dataset(breast_cancer):
    X, y = breast_cancer
    pipe = make_pipeline(
        StandardScaler(), TinyMLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    )
    grid = {
        "tinymlpclassifier__alpha": [1e-3, 1.0],
        "tinymlpclassifier__activation": ["logistic", "relu"],
    }
    search = GridSearchCV(pipe, grid, cv=3, error_score="raise").fit(X, y)
    assert search.best_score_ > 0.95
    assert len(search.cv_results_["params"]) == 4
    scores = cross_val_score(search.best_estimator_, X, y, cv=3, error_score="raise")
    assert scores.shape == (3,) and scores.min() > 0.93


def test_parameters_match_mlpclassifier():
    ours = TinyMLPClassifier().get_params()
    theirs = MLPClassifier().get_params()
    assert set(theirs) <= set(ours)
    assert set(ours) - set(theirs) == {"class_weight", "callbacks", "dropout", "scoring"}
    differing = {k for k in theirs if ours[k] != theirs[k]}
    # the derivation's sigmoid is our default, with the step size its slow start needs, and
    # early stopping from 200 rows ('auto'), chosen on real data (benchmarks/realdata_results.md)
    assert differing == {"activation", "learning_rate_init", "early_stopping"}
    assert ours["early_stopping"] == "auto"
    ours_sig = inspect.signature(TinyMLPClassifier.__init__).parameters
    theirs_sig = inspect.signature(MLPClassifier.__init__).parameters
    assert [p.kind for n, p in theirs_sig.items()] == [ours_sig[n].kind for n in theirs_sig]


def test_a_grid_for_mlpclassifier_works_unchanged(iris):
    X, y = iris
    grid = {
        "hidden_layer_sizes": [(5,), (5, 5)],
        "solver": ["lbfgs", "adam"],
        "alpha": [1e-4, 1e-2],
    }
    # error_score="raise": a fit that fails fails the test (the default would score it NaN).
    estimator = TinyMLPClassifier(max_iter=50, random_state=0)
    search = GridSearchCV(estimator, grid, cv=2, error_score="raise").fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 8 and np.isfinite(scores).all()


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_fitted_attributes_like_mlpclassifier(solver, iris):
    X, y = iris
    ours = TinyMLPClassifier((4, 3), solver=solver, max_iter=20, random_state=0).fit(X, y)
    theirs = MLPClassifier((4, 3), solver=solver, max_iter=20, random_state=0).fit(X, y)
    for name in FITTED_ATTRIBUTES:
        assert hasattr(ours, name), name
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
    assert ours.n_layers_ == theirs.n_layers_ == 4
    assert ours.n_outputs_ == theirs.n_outputs_ == 3
    assert ours.out_activation_ == theirs.out_activation_ == "softmax"
    assert len(ours.loss_curve_) == ours.n_iter_
    assert ours.loss_ == pytest.approx(ours.loss_curve_[-1])


def test_output_heads(iris):
    X, y = iris
    binary = TinyMLPClassifier((5,), solver="lbfgs", random_state=0).fit(X, y == 2)
    assert binary.out_activation_ == "logistic" and binary.n_outputs_ == 1
    assert binary.predict_proba(X).shape == (150, 2)
    X_ml, Y_ml = make_multilabel_classification(n_samples=60, n_classes=4, random_state=0)
    multilabel = TinyMLPClassifier((8,), solver="lbfgs", random_state=0).fit(X_ml, Y_ml)
    assert multilabel.out_activation_ == "logistic" and multilabel.n_outputs_ == 4
    proba = multilabel.predict_proba(X_ml)
    assert proba.shape == (60, 4)
    np.testing.assert_array_equal(multilabel.predict(X_ml), (proba > 0.5).astype(int))
    assert (multilabel.predict(X_ml) == Y_ml).mean() > 0.8


@pytest.mark.parametrize(
    "labels", [np.array(["setosa", "versicolor", "virginica"]), np.array([-1, 0, 7])]
)
def test_probabilities_and_labels(labels, iris):
    X, y = iris
    y = labels[y]
    clf = TinyMLPClassifier((6,), solver="lbfgs", random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_, labels)
    np.testing.assert_array_equal(clf.predict(X), labels[proba.argmax(axis=1)])
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), atol=1e-10)
    assert clf.score(X, y) > 0.95


def test_setting_weights_then_partial_fit_continues_from_them(iris):
    X, y = iris
    clf = TinyMLPClassifier(
        (3,), solver="sgd", learning_rate_init=0.1, momentum=0.0, alpha=0.0, shuffle=False
    )
    clf.set_params(batch_size=len(y), early_stopping=False, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    rng = np.random.RandomState(42)
    clf.coefs_ = [rng.normal(scale=0.5, size=c.shape) for c in clf.coefs_]
    clf.intercepts_ = [np.zeros_like(b) for b in clf.intercepts_]
    chosen = weights(clf)
    loss_at_chosen = log_loss(y, clf.predict_proba(X))
    clf.partial_fit(X, y)
    # One full-batch step from the chosen weights: the loss it reports is theirs.
    assert clf.loss_curve_[-1] == pytest.approx(loss_at_chosen, rel=1e-12)
    assert not np.allclose(clf.coefs_[0], chosen[0])  # and it moved them

    clf.coefs_ = [np.zeros((5, 3)), clf.coefs_[1]]
    with pytest.raises(ValueError, match="shapes"):
        clf.partial_fit(X, y)


def test_lbfgs_records_a_loss_curve_and_warns_when_not_converged(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        TinyMLPClassifier((5,), solver="lbfgs", max_iter=3, random_state=0).fit(X, y)
    clf = TinyMLPClassifier((5,), solver="lbfgs", max_iter=50, random_state=0).fit(X, y)
    assert len(clf.loss_curve_) == clf.n_iter_
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.loss_ == pytest.approx(clf.loss_curve_[-1])


def test_full_batch_gradient_descent_is_batch_size_at_least_n_samples(iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(4,), solver="sgd", momentum=0.0, max_iter=5, random_state=0)
    a = TinyMLPClassifier(batch_size=len(X), shuffle=False, **params).fit(X, y)
    b = TinyMLPClassifier(batch_size=len(X), shuffle=True, **params).fit(X, y)
    assert_same_weights(a, b, rtol=1e-12)  # order does not matter for a full batch
    assert a.t_ == 5 * len(X)


def test_divergence_stops_with_a_clear_error_and_finite_weights(iris):
    X, y = iris
    clf = TinyMLPClassifier(
        (50,),
        activation="identity",
        solver="sgd",
        learning_rate_init=1e6,
        max_iter=50,
        n_iter_no_change=50,
        random_state=0,
    )
    with pytest.raises(ValueError, match=r"learning_rate_init=1000000\.0.*StandardScaler"):
        clf.fit(X * 1e3, y)
    assert all(np.isfinite(c).all() for c in clf.coefs_)


def test_runaway_loss_is_reported_before_it_overflows():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(60, 4)), rng.randint(0, 3, 60)
    clf = TinyMLPClassifier((8,), "identity", solver="sgd", learning_rate_init=1e3, random_state=0)
    with pytest.raises(ValueError, match=r"diverged: the loss became \d+ at epoch 2 .*1000\.0"):
        clf.fit(X, y)
    assert clf.n_iter_ == 1 and np.isfinite(clf.loss_curve_[0])
    assert all(np.isfinite(c).all() for c in clf.coefs_)
