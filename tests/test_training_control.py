"""partial_fit, warm start, early stopping, sample and class weights, float32, sparse, progress."""

import pickle
import tracemalloc
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV, train_test_split

from sklearn_tinymlp import TinyMLPClassifier


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def assert_same_weights(a, b, **tol):
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        if tol:
            np.testing.assert_allclose(p, q, **tol)
        else:
            np.testing.assert_array_equal(p, q)


# --- partial_fit and warm_start ---------------------------------------------------------


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_epochs_equal_fit_epochs(solver, iris_scaled):
    X, y = iris_scaled
    # No shuffling: with an integer random_state each call restarts the random
    # stream (as in MLPClassifier), so each partial_fit would shuffle like the first.
    params = dict(
        hidden_layer_sizes=(5,), solver=solver, random_state=0, tol=0.0, max_iter=4, shuffle=False
    )
    fitted = TinyMLPClassifier(**params, n_iter_no_change=100).fit(X, y)
    stream = TinyMLPClassifier(**params)
    stream.partial_fit(X, y, classes=np.unique(y))
    for _ in range(3):
        stream.partial_fit(X, y)
    assert_same_weights(fitted, stream)
    assert stream.n_iter_ == 1 and stream.t_ == 4 * len(X)  # n_iter_: the last call's epochs
    assert stream.loss_curve_ == pytest.approx(fitted.loss_curve_)


def test_partial_fit_errors(iris_scaled):
    X, y = iris_scaled
    clf = TinyMLPClassifier((3,), solver="sgd")
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels not seen before: \[2\]"):
        clf.partial_fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but TinyMLPClassifier is expecting 4"):
        clf.partial_fit(X[y < 2][:, :3], y[y < 2])  # only the width is wrong
    with pytest.raises(ValueError, match="differs from the classes of the first"):
        clf.partial_fit(X, y * 0, classes=[0, 1, 2])


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_warm_start_continues_from_the_current_weights(solver, iris_scaled):
    X, y = iris_scaled
    clf = TinyMLPClassifier((4,), solver=solver, max_iter=5, random_state=0).fit(X, y)
    before = [c.copy() for c in clf.coefs_]
    cold_again = clone(clf).fit(X, y)
    assert_same_weights(clf, cold_again)  # warm_start=False: same start, same result
    clf.set_params(warm_start=True).fit(X, y)
    assert not np.allclose(clf.coefs_[0], before[0])
    fresh = TinyMLPClassifier((4,), solver=solver, max_iter=5, random_state=0)
    fresh.fit(X, y)
    fresh.coefs_ = [c.copy() for c in before]
    assert not np.allclose(fresh.coefs_[0], clf.coefs_[0])
    with pytest.raises(
        ValueError, match="warm_start can only be used where `y` has the same classes"
    ):
        clf.fit(X, y + 5)


# --- early stopping -----------------------------------------------------------------------


def test_early_stopping_restores_the_best_epoch():
    X, y = make_classification(n_samples=300, n_features=10, flip_y=0.2, random_state=0)
    snapshots = []

    def keep(estimator, info):
        snapshots.append([c.copy() for c in estimator.coefs_ + estimator.intercepts_])

    clf = TinyMLPClassifier(
        (30,),
        solver="adam",
        learning_rate_init=0.05,
        early_stopping=True,
        n_iter_no_change=5,
        max_iter=200,
        random_state=0,
        callbacks=[keep],
    ).fit(X, y)
    curve = clf.validation_loss_curve_
    assert len(curve) == len(clf.validation_scores_) == len(clf.loss_curve_) == clf.n_iter_
    assert clf.n_iter_ < 200  # it stopped early ...
    best = int(np.argmin(curve))
    assert best < clf.n_iter_ - 1  # ... after the best epoch, so restoring matters
    for param, snapshot in zip(clf.coefs_ + clf.intercepts_, snapshots[best]):
        np.testing.assert_array_equal(param, snapshot)
    assert clf.best_validation_score_ == clf.validation_scores_[best]
    assert clf.best_loss_ is None


def test_early_stopping_split_is_stratified_and_uses_the_fraction(iris_scaled):
    X, y = iris_scaled
    from sklearn_tinymlp._training import validation_split

    Y = np.eye(3)[y]
    train, val = validation_split(Y, None, 0.2, np.random.RandomState(0))
    assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(len(y)))  # a partition
    assert np.bincount(y[val]).tolist() == [10, 10, 10]  # stratified: 20% of each class
    unstratified = [
        np.bincount(
            y[validation_split(Y, None, 0.2, np.random.RandomState(s), False)[1]], minlength=3
        ).tolist()
        for s in range(5)
    ]
    assert any(counts != [10, 10, 10] for counts in unstratified)  # the stratification shows
    clf = TinyMLPClassifier((3,), early_stopping=True, validation_fraction=0.2, max_iter=2)
    assert len(clf.fit(X, y).validation_scores_) == 2


def test_early_stopping_with_a_class_too_small_to_split(iris_scaled):
    X, y = iris_scaled
    X, y = X[:101], y[:101]  # class 2 has a single sample: a plain random split
    clf = TinyMLPClassifier((3,), early_stopping=True, max_iter=3, random_state=0).fit(X, y)
    assert clf.n_iter_ == 3
    from sklearn_tinymlp._training import validation_split

    with pytest.raises(ValueError, match="cannot hold out a validation set from 1 usable"):
        validation_split(np.eye(3)[y[:1]], None, 0.1, np.random.RandomState(0))


def test_early_stopping_weights_travel_with_their_rows(iris_scaled):
    # Each row falls on one side of the split with its whole weight: the validation loss
    # is the mean log-loss over the held-out rows, weighted by their own sample weights.
    from sklearn.metrics import log_loss

    from sklearn_tinymlp._network import init_params
    from sklearn_tinymlp._training import validation_split

    X, y = iris_scaled
    sw = np.random.RandomState(1).randint(1, 5, size=len(y)).astype(float)
    seen = []

    def check(estimator, info):
        proba = estimator.predict_proba(X[val])
        expected = log_loss(y[val], proba, sample_weight=sw[val], labels=[0, 1, 2])
        seen.append((info["validation_loss"], expected))

    # Replay the fit's draws: the initial weights, then the split.
    rng = np.random.RandomState(0)
    init_params([4, 3, 3], "logistic", rng)
    train, val = validation_split(np.eye(3)[y], None, 0.1, rng)
    TinyMLPClassifier((3,), early_stopping=True, max_iter=3, random_state=0, callbacks=[check]).fit(
        X, y, sample_weight=sw
    )
    assert len(seen) == 3
    for got, expected in seen:
        assert got == pytest.approx(expected, rel=1e-10)


# --- sample_weight and class_weight ----------------------------------------------------------


# Full batches (batch_size above the row count), so that the weighted and the repeated data
# give the same batches; float32 at float32's tolerance. L-BFGS stays in float64: its line
# searches amplify float32 rounding, so that two float32 fits agree only to about 1e-3.
REPEATED_ROWS_CASES = {
    "lbfgs": (dict(solver="lbfgs"), np.float64, "dense", 1e-6),
    "sgd": (dict(solver="sgd"), np.float64, "dense", 1e-6),
    "adam": (dict(solver="adam"), np.float64, "dense", 1e-6),
    "adam-balanced": (dict(solver="adam", class_weight="balanced"), np.float64, "dense", 1e-6),
    "lbfgs-sparse": (dict(solver="lbfgs"), np.float64, "csr", 1e-6),
    "adam-sparse": (dict(solver="adam"), np.float64, "csr", 1e-6),
    "float32-sgd": (dict(solver="sgd"), np.float32, "dense", 1e-4),
    "float32-adam": (dict(solver="adam"), np.float32, "dense", 1e-4),
    "float32-balanced": (dict(solver="adam", class_weight="balanced"), np.float32, "dense", 1e-4),
}


@pytest.mark.filterwarnings("ignore:batch_size=10000 is larger:UserWarning")
@pytest.mark.parametrize("case", REPEATED_ROWS_CASES)
def test_integer_weights_equal_repeated_rows(case, iris_scaled):
    # scikit-learn's check_sample_weight_equivalence_on_{dense,sparse}_data runs this on its
    # own data, in float64, for each configuration of test_estimator_checks.py.
    params, dtype, fmt, rtol = REPEATED_ROWS_CASES[case]
    X, y = iris_scaled
    X = X.astype(dtype)
    sw = np.random.RandomState(0).randint(0, 4, size=len(y))  # zeros drop their rows
    as_input = sparse.csr_matrix if fmt == "csr" else np.asarray
    common = dict(hidden_layer_sizes=(4,), batch_size=10_000, max_iter=30, random_state=0)
    weighted = TinyMLPClassifier(**common, **params).fit(as_input(X), y, sample_weight=sw)
    repeated = TinyMLPClassifier(**common, **params).fit(as_input(X.repeat(sw, 0)), y.repeat(sw))
    assert weighted.coefs_[0].dtype == dtype
    assert weighted.n_iter_ == repeated.n_iter_
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=rtol)
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=rtol)


@pytest.mark.filterwarnings("ignore:batch_size=10000 is larger:UserWarning")
@pytest.mark.parametrize(
    "params",
    [
        dict(solver="lbfgs"),
        dict(solver="sgd", batch_size=10_000),
        dict(solver="adam", batch_size=10_000),
        dict(solver="sgd", batch_size=16),
    ],
    ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()),
)
def test_zero_weights_equal_dropped_rows(params, iris_scaled):
    # With shuffled mini-batches too: a zero-weight row takes no place in any batch.
    X, y = iris_scaled
    keep = np.arange(len(y)) % 3 != 0
    common = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0, **params)
    zeros = TinyMLPClassifier(**common).fit(X, y, sample_weight=keep.astype(float))
    dropped = TinyMLPClassifier(**common).fit(X[keep], y[keep])
    assert_same_weights(zeros, dropped, rtol=1e-10, atol=1e-13)


def test_class_weight_dict_equals_sample_weight(iris_scaled):
    X, y = iris_scaled
    common = dict(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=30, random_state=0)
    by_class = TinyMLPClassifier(class_weight={0: 2.0, 2: 0.5}, **common).fit(X, y)
    by_sample = TinyMLPClassifier(**common).fit(X, y, sample_weight=np.array([2.0, 1.0, 0.5])[y])
    assert_same_weights(by_class, by_sample)
    sw = np.linspace(0.5, 2, len(y))
    both = TinyMLPClassifier(class_weight={0: 2.0}, **common).fit(X, y, sample_weight=sw)
    product = TinyMLPClassifier(**common).fit(X, y, sample_weight=sw * np.where(y == 0, 2.0, 1.0))
    assert_same_weights(both, product)


def test_balanced_class_weight_raises_minority_recall_at_equal_total_weight():
    X, y = make_classification(
        n_samples=2000,
        n_features=8,
        weights=[0.95, 0.05],
        class_sep=0.5,
        flip_y=0.02,
        random_state=0,
    )
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    common = dict(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=50, random_state=0)
    plain = TinyMLPClassifier(**common).fit(X_train, y_train)
    balanced = TinyMLPClassifier(class_weight="balanced", **common).fit(X_train, y_train)
    # 'balanced' keeps the total weight equal to the number of samples
    from sklearn_tinymlp._weights import balanced_weight_per_sample, class_totals

    Y = y_train[:, None].astype(float)
    w = balanced_weight_per_sample(Y, class_totals(Y, None, False), False, float)
    assert w.sum() == pytest.approx(len(y_train))
    plain_recall = recall_score(y_test, plain.predict(X_test))
    balanced_recall = recall_score(y_test, balanced.predict(X_test))
    assert balanced_recall > plain_recall + 0.1


def test_class_weight_in_partial_fit(iris_scaled):
    X, y = iris_scaled
    clf = TinyMLPClassifier((3,), solver="sgd", class_weight={0: 5.0}, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    clf.partial_fit(X, y)
    # 'balanced' uses the running class totals: one call on all data equals fit's weights
    common = dict(hidden_layer_sizes=(3,), solver="sgd", max_iter=1, random_state=0, shuffle=False)
    streamed = TinyMLPClassifier(class_weight="balanced", **common)
    streamed.partial_fit(X[y > 0], y[y > 0], classes=[0, 1, 2])
    assert streamed._training_state.class_totals_seen.tolist() == [0, 50, 50]
    streamed.partial_fit(X[y == 0], y[y == 0])
    assert streamed._training_state.class_totals_seen.tolist() == [50, 50, 50]
    once = TinyMLPClassifier(class_weight="balanced", **common).partial_fit(X, y, classes=[0, 1, 2])
    fitted = TinyMLPClassifier(class_weight="balanced", **common).fit(X, y)
    assert_same_weights(once, fitted)


# --- precision and sparse input ----------------------------------------------------------------


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_float32_end_to_end(solver, iris_scaled):
    X, y = iris_scaled
    X32 = X.astype(np.float32)
    clf = TinyMLPClassifier((5,), solver=solver, max_iter=20, random_state=0).fit(X32, y)
    assert all(c.dtype == np.float32 for c in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X32).dtype == np.float32
    assert np.isfinite(clf.loss_)
    clf64 = TinyMLPClassifier((5,), solver=solver, max_iter=20, random_state=0).fit(X, y)
    assert all(c.dtype == np.float64 for c in clf64.coefs_)
    np.testing.assert_allclose(clf.predict_proba(X32), clf64.predict_proba(X), atol=2e-3)


def test_float32_fit_makes_no_float64_copy_of_X():
    X, y = make_classification(n_samples=50_000, n_features=20, random_state=0)
    X = X.astype(np.float32)
    clf = TinyMLPClassifier((8,), solver="sgd", batch_size=256, max_iter=1, random_state=0)
    tracemalloc.start()
    clf.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < X.nbytes  # a float64 copy alone would be 2 × X.nbytes


class NoDensifyCSR(sparse.csr_matrix):
    """A CSR matrix that refuses to be turned into a dense array as a whole."""

    def toarray(self, *args, **kwargs):
        raise AssertionError("the whole sparse matrix was densified")

    todense = toarray


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_sparse_input_equals_dense(fmt, solver, iris_scaled):
    X, y = iris_scaled
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    common = dict(hidden_layer_sizes=(4,), solver=solver, max_iter=10, random_state=0)
    dense = TinyMLPClassifier(**common).fit(X, y)
    Xs = NoDensifyCSR(X) if fmt == "csr" else sparse.csc_matrix(X)
    sparse_clf = TinyMLPClassifier(**common).fit(Xs, y)
    assert_same_weights(dense, sparse_clf, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sparse_clf.predict_proba(Xs), dense.predict_proba(X), rtol=1e-10)
    if solver != "lbfgs":
        sparse_clf.partial_fit(Xs, y)
        sparse_clf.set_params(early_stopping=True, warm_start=True).fit(Xs, y)


# --- progress: verbose and callbacks -------------------------------------------------------------


def test_verbose_prints_one_line_per_epoch(capsys, iris_scaled):
    X, y = iris_scaled
    TinyMLPClassifier((3,), max_iter=4, verbose=True, early_stopping=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    epoch_lines = [line for line in lines if line.startswith("Iteration")]
    assert len(epoch_lines) == 4
    assert "loss = " in epoch_lines[0] and "validation score = " in epoch_lines[0]
    assert epoch_lines[0].endswith(" s")


def test_callbacks_see_every_epoch_and_can_stop_training(iris_scaled):
    X, y = iris_scaled
    seen = []

    def record(estimator, info):
        seen.append(info)
        return info["epoch"] == 3

    clf = TinyMLPClassifier((3,), max_iter=50, callbacks=[record], random_state=0).fit(X, y)
    assert clf.n_iter_ == 3 and len(seen) == 3
    assert set(seen[0]) == {
        "epoch",
        "loss",
        "validation_score",
        "validation_loss",
        "learning_rate",
        "seconds",
    }
    assert [info["loss"] for info in seen] == clf.loss_curve_


def test_callbacks_survive_clone_pickle_and_grid_search(iris_scaled):
    X, y = iris_scaled
    calls = []
    clf = TinyMLPClassifier((3,), max_iter=3, callbacks=[lambda est, info: calls.append(1)])
    assert clone(clf).callbacks == clf.callbacks
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))  # a lambda cannot be pickled: callbacks dropped
    assert restored.callbacks is None
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    search = GridSearchCV(clf, {"alpha": [1e-4, 1e-2]}, cv=2).fit(X, y)
    assert search.best_estimator_.n_iter_ == 3
    assert len(calls) == 3 + 2 * 2 * 3 + 3


def test_an_early_peak_is_the_best_but_cannot_stop_training_in_the_warm_up():
    # Every epoch can be the best (MLPClassifier's meaning of best_validation_score_); the first
    # min(2 × patience, 20) epochs only delay the stop, so later epochs get the chance to pass
    # a small validation set's noisy early peak.
    from sklearn_tinymlp._training import TrainingState, progress

    state = TrainingState(validation_scores=[])
    theta = np.zeros(1)
    stops = []
    for epoch, score in enumerate([0.9, 0.1, 0.2, 0.3, 0.5, 0.4, 0.45, 0.3], 1):
        theta[0] = epoch
        state.validation_scores.append(score)  # as the trainer records it first
        stops.append(progress(state, 1.0, theta, score, tol=0.0, n_iter_no_change=2))
    assert state.best_theta[0] == 1 and state.best_validation_score == 0.9
    # epoch 4 is the third without gain (more than patience 2), inside the warm-up of 4 epochs:
    # the first epoch after the warm-up stops
    assert stops == [False] * 4 + [True] * 4
