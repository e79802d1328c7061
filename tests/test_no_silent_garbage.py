"""A fit never returns garbage silently: a loss that ends above a constant's is reported.

A learning rate too large for the data can end training with a finite loss
above that of predicting a constant (the class frequencies, the mean target):
the model is worse than none. Such a fit warns, naming the learning rate; one
that becomes non-finite or runs away raises. Unscaled regression targets get
the fix that works: scale y.
"""

import re
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from sklearn.datasets import load_diabetes, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier, TinyMLPRegressor
from sklearn_tinymlp._network import constant_loss, data_loss

from helpers import quiet_convergence

IRIS_X, IRIS_y = load_iris(return_X_y=True)
IRIS_X = StandardScaler().fit_transform(IRIS_X)
DIABETES_X, DIABETES_y = load_diabetes(return_X_y=True)
DIABETES_X = StandardScaler().fit_transform(DIABETES_X)
DIABETES_y_scaled = (DIABETES_y - DIABETES_y.mean()) / DIABETES_y.std()


def fit_recording(estimator, X, y):
    """The fitted estimator (or the error it raised) and the ConvergenceWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            estimator.fit(X, y)
        except ValueError as error:
            return error, []
    return estimator, [str(w.message) for w in caught if w.category is ConvergenceWarning]


def worse_than_none(messages):
    return [m for m in messages if "worse than none" in m]


def test_a_too_large_rate_on_iris_warns_that_the_model_is_worse_than_none():
    X = load_iris().data  # as given, not scaled
    clf, messages = fit_recording(
        TinyMLPClassifier(learning_rate_init=10, random_state=0), X, IRIS_y
    )
    # the case: a finite loss far above the constant's, chance accuracy
    assert np.isfinite(clf.loss_) and clf.loss_ > 10 * np.log(3)
    assert clf.score(X, IRIS_y) < 0.5
    (message,) = worse_than_none(messages)
    assert "learning_rate_init=10 " in message and "solver='adam'" in message
    assert re.search(r"above the 1\.0986\d* of predicting a constant \(the class frequencies\)",
                     message)  # fmt: skip


def test_a_too_large_rate_on_scaled_regression_targets_warns():
    reg, messages = fit_recording(
        TinyMLPRegressor(learning_rate_init=10, random_state=0), DIABETES_X, DIABETES_y_scaled
    )
    assert reg.score(DIABETES_X, DIABETES_y_scaled) < 0  # worse than the mean
    (message,) = worse_than_none(messages)
    assert "learning_rate_init=10 " in message and "(the mean target)" in message


def test_unscaled_regression_targets_are_told_to_scale_y():
    # Raising max_iter or learning_rate_init makes diabetes worse; scaling y is what works.
    reg, messages = fit_recording(
        TinyMLPRegressor(learning_rate_init=0.001, random_state=0), DIABETES_X, DIABETES_y
    )
    assert reg.score(DIABETES_X, DIABETES_y) < 0
    assert len(messages) == 2  # max_iter reached, and worse than none
    for message in messages:
        assert "root mean square is 171" in message and "TransformedTargetRegressor" in message
        assert "Increase max_iter" not in message
    assert "does not fix this" in messages[0]
    # lbfgs too (where more iterations do help: no claim that they do not)
    _, messages = fit_recording(
        TinyMLPRegressor(solver="lbfgs", max_iter=1, random_state=0), DIABETES_X, DIABETES_y
    )
    assert len(messages) == 2 and all("TransformedTargetRegressor" in m for m in messages)
    assert not any("does not fix" in m for m in messages)


def test_scaled_targets_keep_the_usual_advice():
    _, messages = fit_recording(
        TinyMLPRegressor(max_iter=5, random_state=0), DIABETES_X, DIABETES_y_scaled
    )
    (message,) = messages
    assert "Increase max_iter" in message and "TransformedTargetRegressor" not in message


def model_loss(estimator, X, y):
    """The fitted model's mean training loss, computed from its predictions alone."""
    if isinstance(estimator, TinyMLPClassifier):
        return log_loss(y, estimator.predict_proba(X), labels=estimator.classes_)
    return mean_squared_error(y, estimator.predict(X)) / 2


def constant_model_loss(estimator, y):
    if isinstance(estimator, TinyMLPClassifier):
        return log_loss(y, np.tile(np.bincount(y) / len(y), (len(y), 1)))
    return np.var(y) / 2


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("learning_rate_init", [0.5, 5.0, 50.0])
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_any_learning_rate_ends_in_a_model_better_than_none_or_says_so(
    Estimator, learning_rate_init, solver
):
    X, y = (IRIS_X, IRIS_y) if Estimator is TinyMLPClassifier else (DIABETES_X, DIABETES_y_scaled)
    estimator = Estimator(
        learning_rate_init=learning_rate_init, solver=solver, max_iter=50, random_state=0
    )
    result, messages = fit_recording(estimator, X, y)
    named = f"learning_rate_init={learning_rate_init}"
    if isinstance(result, ValueError):  # diverged: raised, naming the rate
        assert "diverged" in str(result) and named in str(result)
    elif worse_than_none(messages):
        assert named in worse_than_none(messages)[0]
        assert model_loss(result, X, y) > 0.9 * constant_model_loss(result, y)
    else:  # silent: then it must be a model, better than the constant on its training data
        assert model_loss(result, X, y) < constant_model_loss(result, y)


def test_a_good_fit_and_partial_fit_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TinyMLPClassifier(max_iter=300, random_state=0).fit(IRIS_X, IRIS_y)
        TinyMLPClassifier(solver="lbfgs", hidden_layer_sizes=(4,), random_state=0).fit(
            IRIS_X, IRIS_y
        )
        TinyMLPRegressor(solver="lbfgs", hidden_layer_sizes=(), random_state=0).fit(
            DIABETES_X, DIABETES_y_scaled
        )
        # one partial_fit epoch is a step, not a result: not compared with the constant
        TinyMLPRegressor(random_state=0).partial_fit(DIABETES_X, DIABETES_y)
        # a constant y: its constant's loss is 0, which no network reaches; nothing to learn
        TinyMLPRegressor(max_iter=20, tol=1.0, random_state=0).fit(IRIS_X[:20], np.ones(20))


@pytest.mark.parametrize(
    "head, Y",
    [
        ("logistic", np.array([[0], [1], [1], [1]])),
        ("softmax", np.eye(3)[[0, 0, 1, 2, 2, 2]]),
        ("squared_error", np.array([[1.0], [2.0], [7.0]])),
        ("poisson", np.array([[0.0], [2.0], [7.0]])),
        ("absolute_error", np.array([[1.0], [2.0], [7.0], [8.0], [20.0]])),
        (("quantile", 0.8), np.array([[1.0], [2.0], [7.0], [8.0], [20.0]])),
    ],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_constant_loss_is_the_lowest_loss_of_any_constant(head, Y, weighted):
    Y = Y.astype(float)
    w = np.arange(1.0, len(Y) + 1) if weighted else None
    S = len(Y) if w is None else w.sum()
    best = constant_loss(Y, head, w)
    if Y.shape[1] == 1:  # one logit: search the line
        found = minimize_scalar(
            lambda c: data_loss(np.full(Y.shape, c), Y, head, w) / S, bounds=(-30, 30),
            method="bounded", options={"xatol": 1e-10},
        )  # fmt: skip
        assert best <= found.fun + 1e-9 and best == pytest.approx(found.fun, abs=1e-6)
    else:  # softmax: a step in any direction from the frequencies' logits costs
        rng = np.random.default_rng(0)
        logits = np.log(Y.mean(axis=0) if w is None else w @ Y / S)
        for step in rng.normal(scale=0.1, size=(20, Y.shape[1])):
            assert data_loss(np.tile(logits + step, (len(Y), 1)), Y, head, w) / S >= best - 1e-12


def test_the_model_early_stopping_keeps_is_judged_not_the_last_epoch():
    # At this rate the last epochs end above the constant's loss, but early stopping puts
    # back an epoch far below it: the model returned is not worse than none.
    X, y = make_classification(1000, 10, random_state=0)
    clf, messages = fit_recording(
        TinyMLPClassifier(solver="sgd", learning_rate_init=50, early_stopping=True, random_state=1),
        X,
        y,
    )
    constant = constant_model_loss(clf, y)
    assert clf.data_loss_curve_[-1] > 1.01 * constant  # the last epoch: worse than none
    assert model_loss(clf, X, y) < 0.5 * constant  # the model kept: far better
    assert not worse_than_none(messages)
    # the kept epoch is judged: a bad one still warns
    clf, messages = fit_recording(
        TinyMLPClassifier(learning_rate_init=10, early_stopping=True, random_state=0),
        load_iris().data,  # as given, not scaled
        IRIS_y,
    )
    assert clf.validation_scores_ is not None and model_loss(clf, load_iris().data, IRIS_y) > 1
    assert worse_than_none(messages)


def test_an_interrupt_before_the_first_epoch_ends_keeps_the_model(monkeypatch):
    from sklearn_tinymlp import _network

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_network.Objective, "__call__", interrupted)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        clf = TinyMLPClassifier(random_state=0).fit(IRIS_X, IRIS_y)
    assert clf.n_iter_ == 0 and clf.loss_curve_ == []


def test_poisson_is_told_to_scale_y_by_a_positive_factor():
    # A standardized y has negative values, which loss='poisson' refuses.
    y = np.random.RandomState(0).poisson(np.exp(6 + DIABETES_X[:, 2]))
    reg, messages = fit_recording(
        TinyMLPRegressor(loss="poisson", max_iter=5, random_state=0), DIABETES_X, y
    )
    assert messages and all("transformer=MaxAbsScaler()" in m for m in messages)
    _, messages = fit_recording(TinyMLPRegressor(max_iter=5, random_state=0), DIABETES_X, y)
    assert messages and all("transformer=StandardScaler()" in m for m in messages)


@quiet_convergence
def test_auto_early_stopping_counts_the_rows_of_positive_weight():
    X, y = make_classification(400, 4, random_state=0)
    weight = np.zeros(len(y))
    weight[:199] = 1.0  # 199 rows of positive weight: too few to hold out from
    clf = TinyMLPClassifier(max_iter=5, random_state=0).fit(X, y, sample_weight=weight)
    assert clf.validation_scores_ is None
    weight[199] = 1.0  # 200: early stopping is on
    clf = TinyMLPClassifier(max_iter=5, random_state=0).fit(X, y, sample_weight=weight)
    assert clf.validation_scores_ is not None
