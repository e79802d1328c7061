"""TinyMLPClassifier side by side with scikit-learn's MLPClassifier, compared by value.

Two kinds of test:

* paired: both estimators fit the same data with the same seed and parameters,
  and what must be equal is compared by value: shapes and dtypes of the
  weights, classes, counters (``n_iter_``, ``t_``), curve lengths, the losses
  themselves (the same initial weights and update rules give the same losses
  up to rounding), predictions;
* parametrized over the two classes: a behaviour of ``MLPClassifier`` (which
  calls raise, what ``n_iter_`` counts, what ``verbose`` prints, what
  Ctrl-C does) asserted for each, so that the test proves the reference behaves
  that way as well.

The deliberate differences of ``docs/migrating.rst`` are checked, for both
estimators, by ``test_documented_difference``.
"""

import re
import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.exceptions import NotFittedError
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.fixes import parse_version

from sklearn_tinymlp import TinyMLPClassifier

from helpers import (
    NEVER_CONVERGES,
    PARITY,
    assert_same_predictions,
    assert_same_structure,
    assert_same_training,
    assert_same_weights,
    fit_both,
    quiet_convergence,
    weights,
)

pytestmark = quiet_convergence

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)
X_MULTILABEL, Y_MULTILABEL = make_multilabel_classification(
    n_samples=60, n_features=6, n_classes=3, random_state=0
)
DATA = {
    # string labels, so that classes_ and predict are compared with their dtype
    "binary": (X_IRIS[:100], np.array(["setosa", "versicolor"])[Y_IRIS[:100]]),
    "multiclass": (X_IRIS, Y_IRIS),
    "multilabel": (X_MULTILABEL, Y_MULTILABEL),
}
TARGETS = list(DATA)
STOCHASTIC = ["sgd", "adam"]
PAIR = (MLPClassifier, TinyMLPClassifier)  # for fit_both


def both():
    """The two classes as parameters."""
    return [
        pytest.param(MLPClassifier, id="MLPClassifier"),
        pytest.param(TinyMLPClassifier, id="TinyMLPClassifier"),
    ]


def _classes(y):
    return [0, 1, 2] if y.ndim == 2 else np.unique(y)


# --------------------------------------------------------------------- one fit, paired


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("solver", STOCHASTIC)
def test_stochastic_fit_equals_mlpclassifier(solver, target, dtype):
    X, y = DATA[target]
    X = X.astype(dtype)
    rtol = 1e-6 if dtype == np.float64 else 1e-3
    ref, ours = fit_both(*PAIR, X, y, solver=solver, max_iter=300)
    assert_same_structure(ref, ours)
    assert ours.n_iter_ == ref.n_iter_
    assert ours.t_ == ref.t_
    assert len(ours.loss_curve_) == len(ref.loss_curve_) == ref.n_iter_
    assert_allclose(ours.best_loss_, ref.best_loss_, rtol=rtol)
    assert ours.best_loss_ == min(ours.loss_curve_)
    for name in ("validation_scores_", "best_validation_score_"):
        assert getattr(ref, name) is None
        assert getattr(ours, name) is None
    assert_same_training(ref, ours, rtol)
    assert_same_predictions(ref, ours, X, rtol)


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("solver", STOCHASTIC)
def test_minibatch_fit_equals_mlpclassifier(solver, shuffle):
    # The cases above train on full batches, where the order of the rows does not matter.
    X, y = DATA["multiclass"]
    ref, ours = fit_both(*PAIR, X, y, solver=solver, batch_size=16, shuffle=shuffle, max_iter=5)
    assert_same_training(ref, ours, rtol=1e-6)


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("call", ["fit", "partial_fit"])
def test_minibatch_calls_after_the_first_equal_mlpclassifier(call, shuffle):
    X, y = DATA["multiclass"]
    params = dict(**PARITY, solver="sgd", batch_size=16, shuffle=shuffle, warm_start=True)
    ref, ours = MLPClassifier(**params, max_iter=1), TinyMLPClassifier(**params, max_iter=1)
    for _ in range(3):
        for est in (ref, ours):
            est.partial_fit(X, y, classes=[0, 1, 2]) if call == "partial_fit" else est.fit(X, y)
    assert_same_training(ref, ours, rtol=1e-6)


def test_the_stochastic_cases_include_both_stopping_rules():
    """The cases above compare both a fit stopped by tol and one that ran max_iter epochs."""
    n_iters = [
        MLPClassifier(**PARITY, solver=solver, max_iter=300).fit(*DATA[target]).n_iter_
        for solver in STOCHASTIC
        for target in TARGETS
    ]
    assert min(n_iters) < 300
    assert max(n_iters) == 300


@pytest.mark.parametrize("target", TARGETS)
def test_lbfgs_fit_equals_mlpclassifier(target):
    # 20 iterations: L-BFGS amplifies rounding differences over longer runs.
    X, y = DATA[target]
    ref, ours = fit_both(*PAIR, X, y, solver="lbfgs", max_iter=20)
    assert_same_structure(ref, ours)
    assert ours.n_iter_ == ref.n_iter_
    assert_allclose(ours.loss_, ref.loss_, rtol=1e-6)
    assert_same_weights(ours, ref, rtol=1e-5, atol=1e-8)
    for name in ("validation_scores_", "best_validation_score_"):  # absent from MLPClassifier
        assert getattr(ref, name, None) is None
        assert getattr(ours, name, None) is None
    assert_same_predictions(ref, ours, X, rtol=1e-5)


def test_the_lbfgs_cases_include_both_stopping_rules():
    n_iters = [
        MLPClassifier(**PARITY, solver="lbfgs", max_iter=20).fit(*DATA[t]).n_iter_ for t in TARGETS
    ]
    assert min(n_iters) < 20 and max(n_iters) == 20


@pytest.mark.parametrize(
    "solver",
    [*STOCHASTIC, "lbfgs"],
)
def test_t_counts_like_mlpclassifier(solver):
    ref, ours = fit_both(*PAIR, *DATA["multiclass"], solver=solver, max_iter=5, **NEVER_CONVERGES)
    assert ours.t_ == ref.t_


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("solver", STOCHASTIC)
def test_early_stopping_attributes_equal_mlpclassifier(solver, target):
    # The split and the stopping rule differ (docs/migrating.rst), so the curves'
    # values differ; their lengths, the counters and which attributes are None do not.
    X, y = DATA[target]
    if target == "binary":  # MLPClassifier < 1.9 cannot score string labels under early stopping
        y = (y == "versicolor").astype(int)
    ref, ours = fit_both(
        *PAIR, X, y, solver=solver, early_stopping=True, max_iter=15, **NEVER_CONVERGES
    )
    assert_same_structure(ref, ours)
    assert ours.n_iter_ == ref.n_iter_ == 15
    assert ours.t_ == ref.t_  # the same number of training rows per epoch
    for est in (ref, ours):
        assert est.best_loss_ is None
        assert len(est.loss_curve_) == len(est.validation_scores_) == 15
        assert isinstance(est.validation_scores_, list)
        assert isinstance(est.best_validation_score_, float)
        if hasattr(est, "validation_loss_curve_"):  # TinyMLPClassifier's addition
            assert len(est.validation_loss_curve_) == 15


@pytest.mark.parametrize("Estimator", both())
def test_early_stopping_stops_before_max_iter(Estimator):
    clf = Estimator(**PARITY, solver="sgd", early_stopping=True, max_iter=500)
    clf.fit(*DATA["multiclass"])
    assert clf.n_iter_ < 500
    assert len(clf.loss_curve_) == len(clf.validation_scores_) == clf.n_iter_


@pytest.mark.parametrize("Estimator", both())
def test_best_validation_score_is_the_highest_validation_score(Estimator):
    clf = Estimator(**PARITY, solver="adam", early_stopping=True, max_iter=40, **NEVER_CONVERGES)
    clf.fit(*DATA["multiclass"])
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_feature_names_equal_mlpclassifier():
    pd = pytest.importorskip("pandas")
    X, y = DATA["multiclass"]
    frame = pd.DataFrame(X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
    ref, ours = fit_both(*PAIR, frame, y, solver="adam", max_iter=5, early_stopping=True)
    assert_array_equal(ours.feature_names_in_, ref.feature_names_in_)
    assert ours.feature_names_in_.dtype == ref.feature_names_in_.dtype
    assert_array_equal(ours.predict(frame), ref.predict(frame))


# ------------------------------------------------------------- sequences of calls, paired


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("solver", STOCHASTIC)
def test_warm_start_sequence_equals_mlpclassifier(solver, target):
    X, y = DATA[target]
    params = dict(**PARITY, solver=solver, warm_start=True, max_iter=5, **NEVER_CONVERGES)
    ref, ours = MLPClassifier(**params), TinyMLPClassifier(**params)
    for max_iter in (5, 5, 3):
        for est in (ref, ours):
            est.set_params(max_iter=max_iter).fit(X, y)
        assert ours.t_ == ref.t_
        assert_allclose(ours.best_loss_, ref.best_loss_, rtol=1e-6)
        assert_same_training(ref, ours, rtol=1e-6)
    assert len(ours.loss_curve_) == 13  # the curve accumulates over the warm starts


@pytest.mark.parametrize("solver", STOCHASTIC)
def test_warm_start_after_convergence_stops_like_mlpclassifier(solver):
    X, y = DATA["multiclass"]
    params = dict(**PARITY, solver=solver, warm_start=True, max_iter=300, tol=1e-3)
    ref, ours = MLPClassifier(**params), TinyMLPClassifier(**params)
    for _ in range(2):
        for est in (ref, ours):
            est.fit(X, y)
        assert len(ours.loss_curve_) == len(ref.loss_curve_)
    assert len(ref.loss_curve_) < 2 * 300  # the first fit stopped on tol


def test_lbfgs_warm_start_equals_mlpclassifier():
    X, y = DATA["binary"]
    params = dict(**PARITY, solver="lbfgs", warm_start=True, max_iter=3, **NEVER_CONVERGES)
    ref, ours = MLPClassifier(**params), TinyMLPClassifier(**params)
    for _ in range(3):
        for est in (ref, ours):
            est.fit(X, y)
        assert ours.n_iter_ == ref.n_iter_ == 3
        assert_same_weights(ours, ref, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("solver", STOCHASTIC)
def test_partial_fit_sequence_equals_mlpclassifier(solver, target):
    X, y = DATA[target]
    ref, ours = MLPClassifier(**PARITY, solver=solver), TinyMLPClassifier(**PARITY, solver=solver)
    for call in range(4):
        for est in (ref, ours):
            est.partial_fit(X, y, classes=_classes(y))
        assert_same_structure(ref, ours)
        assert ours.t_ == ref.t_ == (call + 1) * X.shape[0]
        assert_allclose(ours.best_loss_, ref.best_loss_, rtol=1e-6)
        assert_same_training(ref, ours, rtol=1e-6)
    assert len(ours.loss_curve_) == 4
    assert_same_predictions(ref, ours, X, rtol=1e-6)


@pytest.mark.parametrize("warm_start", [False, True])
@pytest.mark.parametrize("first", ["fit", "partial_fit"])
def test_fit_and_partial_fit_mixed_equal_mlpclassifier(first, warm_start):
    # fit after partial_fit starts again unless warm_start; partial_fit after fit continues.
    X, y = DATA["multiclass"]
    params = dict(**PARITY, solver="sgd", max_iter=4, warm_start=warm_start, **NEVER_CONVERGES)
    ref, ours = MLPClassifier(**params), TinyMLPClassifier(**params)
    for est in (ref, ours):
        if first == "fit":
            est.fit(X, y).partial_fit(X, y)
        else:
            est.partial_fit(X, y, classes=[0, 1, 2]).fit(X, y)
    assert ours.t_ == ref.t_
    assert_same_training(ref, ours, rtol=1e-6)


# ------------------------------------------------------------------ which calls raise


def _fitted(Estimator, **params):
    return Estimator(**PARITY, max_iter=3, **params).fit(*DATA["multiclass"])


def _partially_fitted(Estimator):
    return Estimator(**PARITY).partial_fit(*DATA["multiclass"], classes=[0, 1, 2])


X, Y = X_IRIS, Y_IRIS
RAISING_CALLS = {
    "predict before fit": (NotFittedError, lambda E: E().predict(X)),
    "predict_proba before fit": (NotFittedError, lambda E: E().predict_proba(X)),
    "predict_log_proba before fit": (NotFittedError, lambda E: E().predict_log_proba(X)),
    "score before fit": (NotFittedError, lambda E: E().score(X, Y)),
    "partial_fit without classes on the first call": (
        ValueError,
        lambda E: E().partial_fit(X, Y),
    ),
    "partial_fit with other classes than the first call's": (
        ValueError,
        lambda E: _partially_fitted(E).partial_fit(X, Y, classes=[0, 1, 3]),
    ),
    "partial_fit with a label not in classes": (
        ValueError,
        lambda E: _partially_fitted(E).partial_fit(X, Y + 1),
    ),
    "partial_fit with another number of features": (
        ValueError,
        lambda E: _partially_fitted(E).partial_fit(X[:, :3], Y),
    ),
    "predict with another number of features": (
        ValueError,
        lambda E: _fitted(E).predict(X[:, :3]),
    ),
    "warm-start fit with another number of features": (
        ValueError,
        lambda E: _fitted(E, warm_start=True).fit(X[:, :3], Y),
    ),
    "hidden_layer_sizes=0": (ValueError, lambda E: E(hidden_layer_sizes=0).fit(X, Y)),
    "a zero in hidden_layer_sizes": (
        ValueError,
        lambda E: E(hidden_layer_sizes=(5, 0)).fit(X, Y),
    ),
    "an unknown solver": (ValueError, lambda E: E(solver="newton").fit(X, Y)),
}


@pytest.mark.parametrize("Estimator", both())
@pytest.mark.parametrize("call", list(RAISING_CALLS))
def test_the_same_calls_raise(call, Estimator):
    exception, make_the_call = RAISING_CALLS[call]
    with pytest.raises(exception):
        make_the_call(Estimator)


@pytest.mark.parametrize("Estimator", both())
def test_partial_fit_is_hidden_for_lbfgs(Estimator):
    # An AttributeError, so that hasattr() is False; set_params brings partial_fit back.
    clf = Estimator(solver="lbfgs")
    assert not hasattr(clf, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as excinfo:
        clf.partial_fit(X, Y, classes=[0, 1, 2])
    if Estimator is TinyMLPClassifier:  # ours says why, and what to do, in the message itself
        assert re.search(
            r"partial_fit is only available for stochastic optimizers; solver='lbfgs' is not\. "
            r"Use solver='sgd' or solver='adam'",
            str(excinfo.value),
        )
    for solver in STOCHASTIC:
        assert hasattr(clf.set_params(solver=solver), "partial_fit")


# ------------------------------------------------------------ the rows of issue 11


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("Estimator", both())
def test_n_iter_counts_the_epochs_of_the_last_fit(Estimator, solver):
    clf = Estimator(**PARITY, solver=solver, warm_start=True, max_iter=5, **NEVER_CONVERGES)
    clf.fit(*DATA["multiclass"])
    assert clf.n_iter_ == 5
    clf.fit(*DATA["multiclass"])
    assert clf.n_iter_ == 5  # this call's epochs, never above max_iter
    if solver != "lbfgs":
        assert len(clf.loss_curve_) == 10  # while the curve accumulates
    clf.set_params(max_iter=2).fit(*DATA["multiclass"])
    assert clf.n_iter_ == 2


@pytest.mark.parametrize("solver", STOCHASTIC)
@pytest.mark.parametrize("Estimator", both())
def test_n_iter_after_partial_fit_calls(Estimator, solver):
    X, y = DATA["multiclass"]
    clf = Estimator(**PARITY, solver=solver)
    for _ in range(4):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert clf.n_iter_ == 1
    assert len(clf.loss_curve_) == 4
    clf = Estimator(**PARITY, solver=solver, max_iter=3, **NEVER_CONVERGES).fit(X, y)
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 1
    assert len(clf.loss_curve_) == 4


@pytest.mark.parametrize(
    "Estimator",
    both(),
)
def test_warm_start_with_early_stopping_curves_accumulate_together(Estimator):
    clf = Estimator(**PARITY, warm_start=True, early_stopping=True, max_iter=4, **NEVER_CONVERGES)
    clf.fit(*DATA["multiclass"])
    clf.fit(*DATA["multiclass"])
    assert clf.n_iter_ == 4
    assert len(clf.loss_curve_) == 8
    assert len(clf.validation_scores_) == 8
    if hasattr(clf, "validation_loss_curve_"):  # TinyMLPClassifier's addition
        assert len(clf.validation_loss_curve_) == 8
    assert clf.best_validation_score_ in clf.validation_scores_


ITERATION_LINE = re.compile(r"^Iteration (\d+), loss = (\d+\.\d{8})\b")


def _iteration_lines(out):
    return [ITERATION_LINE.match(line) for line in out.splitlines() if line.startswith("Iter")]


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("Estimator", both())
def test_verbose_lines_read_iteration_n_loss(Estimator, early_stopping, capsys):
    X, y = DATA["multiclass"]
    clf = Estimator(
        **PARITY,
        solver="sgd",
        max_iter=3,
        warm_start=True,
        early_stopping=early_stopping,
        verbose=True,
        **NEVER_CONVERGES,
    )
    clf.fit(X, y)
    out = capsys.readouterr().out
    assert out.split()[0] == "Iteration"
    lines = _iteration_lines(out)
    assert all(lines), out
    assert [int(m.group(1)) for m in lines] == [1, 2, 3]
    assert [m.group(2) for m in lines] == [f"{loss:.8f}" for loss in clf.loss_curve_]
    clf.fit(X, y)  # a warm start counts from 1 again, as n_iter_ does
    lines = _iteration_lines(capsys.readouterr().out)
    assert [int(m.group(1)) for m in lines] == [1, 2, 3]
    assert [m.group(2) for m in lines] == [f"{loss:.8f}" for loss in clf.loss_curve_[3:]]
    if not early_stopping:
        clf.partial_fit(X, y)
        lines = _iteration_lines(capsys.readouterr().out)
        assert [m.group(0) for m in lines] == [f"Iteration 1, loss = {clf.loss_curve_[-1]:.8f}"]


@pytest.mark.parametrize(
    "labels",
    [[0, 1], [0, 1, 2, 3], [1, 2, 3], [10, 11, 12]],
    ids=["subset", "superset", "overlapping", "disjoint"],
)
@pytest.mark.parametrize("Estimator", both())
def test_warm_start_fit_on_other_classes_raises(Estimator, labels):
    X, y = DATA["multiclass"]
    clf = Estimator(**PARITY, warm_start=True, max_iter=3).fit(X, y)
    before = weights(clf)
    y_other = np.asarray(labels)[np.arange(len(y)) % len(labels)]
    with pytest.raises(ValueError, match="warm_start"):
        clf.fit(X, y_other)
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert_same_weights(clf, before)


@pytest.mark.parametrize("after_fit", [False, True], ids=["first call", "after fit"])
@pytest.mark.parametrize("Estimator", both())
def test_partial_fit_with_early_stopping_raises(Estimator, after_fit):
    X, y = DATA["multiclass"]
    clf = Estimator(**PARITY, early_stopping=True, max_iter=5)
    if after_fit:
        clf.fit(X, y)
    with pytest.raises(ValueError, match="early_stopping"):
        clf.partial_fit(X, y, classes=[0, 1, 2])


def _interrupt_after(Estimator, epochs, monkeypatch, snapshots, move_away):
    """Parameters making ``fit`` raise KeyboardInterrupt at the end of epoch ``epochs``.

    Each epoch's weights are appended to ``snapshots`` first. With
    ``move_away``, the weights are then set to zero before the interrupt, as if
    the epoch had moved them away from the best epoch's. MLPClassifier has no
    callbacks: the interrupt comes from its per-epoch bookkeeping (inside the
    ``try`` of ``_fit_stochastic``, after the best weights are stored);
    TinyMLPClassifier's comes from a callback.
    """

    def end_of_epoch(est):
        snapshots.append(weights(est))
        if len(snapshots) == epochs:
            if move_away:
                for w in est.coefs_ + est.intercepts_:
                    w[...] = 0
            raise KeyboardInterrupt

    if Estimator is MLPClassifier:
        original = MLPClassifier._update_no_improvement_count

        def update_no_improvement_count(self, *args, **kwargs):
            original(self, *args, **kwargs)
            end_of_epoch(self)

        monkeypatch.setattr(
            MLPClassifier, "_update_no_improvement_count", update_no_improvement_count
        )
        return {}
    return {"callbacks": [lambda est, info: end_of_epoch(est)]}


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize(
    "Estimator",
    both(),
)
def test_keyboard_interrupt_keeps_the_model_trained_so_far(Estimator, early_stopping, monkeypatch):
    X, y = DATA["multiclass"]
    snapshots = []
    # With early stopping, the interrupt at the end of epoch 4 comes after TinyMLPClassifier's
    # warm-up (2 epochs at patience 1), so that an epoch can be restored in both.
    epochs = 4 if early_stopping else 3
    patience = dict(n_iter_no_change=1) if early_stopping and Estimator is not MLPClassifier else {}
    interrupt = _interrupt_after(Estimator, epochs, monkeypatch, snapshots, early_stopping)
    clf = Estimator(**PARITY, early_stopping=early_stopping, **patience, **interrupt)
    try:
        with pytest.warns(UserWarning, match="Training interrupted by user"):
            clf.fit(X, y)
    except KeyboardInterrupt:
        pytest.fail("the KeyboardInterrupt propagated out of fit")
    assert clf.n_iter_ == epochs
    assert len(clf.loss_curve_) == epochs
    if early_stopping:
        # the best epoch's weights are restored
        assert len(clf.validation_scores_) == epochs
        best = clf.validation_scores_.index(clf.best_validation_score_)
        assert_same_weights(clf, snapshots[best])
        assert any(np.any(w != 0) for w in clf.coefs_)
    else:
        assert_same_weights(clf, snapshots[-1])
    assert clf.predict(X).shape == y.shape


# ------------------------------------------------------------- documented differences


def _one_class(E):
    return E(**PARITY, max_iter=3).fit(X, np.zeros(len(X), dtype=int)).predict(X[:2])


def _class_too_small_to_split(E):
    # scikit-learn's test_early_stopping_stratified: one sample of class 1
    return E(early_stopping=True).fit([[1, 2], [2, 3], [3, 4], [4, 5]], [0, 0, 0, 1])


def _validation_set_of_one_sample(E):
    rows = [0, 1, 50, 51, 100, 101]  # validation_fraction=0.1 of 6 rows
    return E(**PARITY, early_stopping=True, max_iter=3).fit(X[rows], Y[rows])


def _log_proba_where_proba_underflows(E):
    clf = E(**PARITY, solver="lbfgs", max_iter=50).fit(*DATA["binary"])
    clf.coefs_[-1][...] *= 1e4
    clf.intercepts_[-1][...] *= 1e4
    log_proba = clf.predict_log_proba(DATA["binary"][0])
    assert np.isfinite(log_proba).all()


def _partial_fit_multilabel_without_classes(E):
    return E(**PARITY).partial_fit(X_MULTILABEL, Y_MULTILABEL)


def _lbfgs_float32_weights_stay_float32(E):
    clf = E(**PARITY, solver="lbfgs", max_iter=5).fit(X.astype(np.float32), Y)
    assert all(w.dtype == np.float32 for w in clf.coefs_ + clf.intercepts_)


def _lbfgs_loss_curve(E):
    clf = E(**PARITY, solver="lbfgs", max_iter=5, **NEVER_CONVERGES).fit(X, Y)
    assert len(clf.loss_curve_) == clf.n_iter_
    assert clf.best_loss_ == min(clf.loss_curve_)


def _relu_default(E):
    assert E().activation == "relu"


# {row of the table in docs/migrating.rst: (check, what MLPClassifier does, what we do[,
# the first scikit-learn release where MLPClassifier does so])}: a check passes, fails
# (AssertionError) or raises the exception named, and each estimator must do what its
# column says.
DIFFERENCES = {
    "default activation": (_relu_default, "passes", "fails"),
    "y with a single class": (_one_class, "passes", ValueError),
    "a class too small to split": (_class_too_small_to_split, ValueError, "passes"),
    "validation set of one sample": (
        _validation_set_of_one_sample,
        ValueError,
        "passes",
        "1.9",  # checked in 1.9.1; 1.6.1 trains on
    ),
    "predict_log_proba where a probability underflows": (
        _log_proba_where_proba_underflows,
        "fails",
        "passes",
    ),
    "multilabel partial_fit without classes": (
        _partial_fit_multilabel_without_classes,
        ValueError,
        "passes",
    ),
    "float32 weights with lbfgs": (_lbfgs_float32_weights_stay_float32, "fails", "passes"),
    "loss_curve_ with lbfgs": (_lbfgs_loss_curve, AttributeError, "passes"),
}


@pytest.mark.parametrize("Estimator", both())
@pytest.mark.parametrize("row", list(DIFFERENCES))
def test_documented_difference(row, Estimator):
    check, reference, ours, *since = DIFFERENCES[row]
    if Estimator is MLPClassifier and since:
        if parse_version(sklearn.__version__) < parse_version(since[0]):
            pytest.skip(f"MLPClassifier does so from scikit-learn {since[0]} on")
    expected = reference if Estimator is MLPClassifier else ours
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow, log(0) in MLPClassifier
        if expected == "passes":
            check(Estimator)
        else:
            with pytest.raises(AssertionError if expected == "fails" else expected):
                check(Estimator)


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd"])
@pytest.mark.parametrize("target", TARGETS)
def test_no_hidden_layer_is_the_same_linear_model(solver, target):
    # hidden_layer_sizes=() is logistic (or softmax) regression in both estimators.
    X, y = DATA[target]
    params = dict(hidden_layer_sizes=(), activation="relu", solver=solver, max_iter=50)
    params.update(learning_rate_init=0.001)
    ref = MLPClassifier(**params, random_state=0).fit(X, y)
    ours = TinyMLPClassifier(**params, random_state=0).fit(X, y)
    assert ours.n_layers_ == ref.n_layers_ == 2
    assert [c.shape for c in ours.coefs_] == [c.shape for c in ref.coefs_]
    assert np.mean(ours.predict(X) == ref.predict(X)) >= 0.97
    assert ours.loss_ == pytest.approx(ref.loss_, rel=1e-6)
