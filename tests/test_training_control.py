"""partial_fit, warm start, early stopping, sample and class weights, float32, sparse, progress.

A test that takes the ``Estimator`` fixture (conftest.py) runs for both estimators.
"""

import pickle
import tracemalloc

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone, is_classifier
from sklearn.datasets import make_classification
from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV, train_test_split

from sklearn_tinymlp import TinyMLPClassifier, TinyMLPRegressor
from sklearn_tinymlp._activations import ACTIVATIONS

from helpers import assert_same_weights, classes_of, outputs, quiet_convergence, weights

pytestmark = quiet_convergence


# --- partial_fit and warm_start ---------------------------------------------------------


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_epochs_equal_fit_epochs(Estimator, Xy, solver):
    X, y = Xy
    # No shuffling: with an integer random_state each call restarts the random
    # stream (as in MLPClassifier), so each partial_fit would shuffle like the first.
    params = dict(hidden_layer_sizes=(5,), solver=solver, tol=0.0, max_iter=4, shuffle=False)
    params.update(early_stopping=False, random_state=0)
    fitted = Estimator(**params, n_iter_no_change=100).fit(X, y)
    stream = Estimator(**params)
    stream.partial_fit(X, y, **classes_of(stream, y))
    for _ in range(3):
        stream.partial_fit(X, y)
    assert_same_weights(fitted, stream)
    assert stream.n_iter_ == 1 and stream.t_ == 4 * len(X)  # n_iter_: the last call's epochs
    assert stream.loss_curve_ == pytest.approx(fitted.loss_curve_)
    assert stream.loss_curve_[-1] < stream.loss_curve_[0]


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


def test_warm_start_continues_where_the_last_fit_ended(Estimator, Xy):
    # Plain full-batch gradient descent has no optimizer state: 5 + 5 epochs are 10 epochs.
    X, y = Xy
    params = dict(
        hidden_layer_sizes=(8,),
        solver="sgd",
        momentum=0.0,
        batch_size=len(y),
        tol=0.0,
        early_stopping=False,
        random_state=0,
    )
    once = Estimator(max_iter=10, **params).fit(X, y)
    twice = Estimator(max_iter=5, warm_start=True, **params).fit(X, y).fit(X, y)
    assert_same_weights(once, twice, rtol=1e-12)
    assert twice.t_ == once.t_ == 10 * len(y)
    np.testing.assert_allclose(twice.loss_curve_, once.loss_curve_, rtol=1e-12)
    cold = Estimator(max_iter=5, **params).fit(X, y).fit(X, y)  # warm_start=False: starts again
    assert len(cold.loss_curve_) == 5


# --- early stopping -----------------------------------------------------------------------


def test_early_stopping_restores_the_best_epoch(Estimator):
    # A noisy target, which a wide network overfits within a few epochs.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 10))
    y = X[:, 0] + rng.normal(scale=2.0, size=300)
    y = (y > 0).astype(int) if is_classifier(Estimator()) else y
    snapshots = []
    model = Estimator(
        hidden_layer_sizes=(64,),
        solver="adam",
        learning_rate_init=0.02,
        early_stopping=True,
        scoring="loss",
        n_iter_no_change=5,
        max_iter=300,
        random_state=0,
        callbacks=[lambda estimator, info: snapshots.append(weights(estimator))],
    ).fit(X, y)
    curve = model.validation_loss_curve_
    assert len(curve) == len(model.validation_scores_) == len(model.loss_curve_) == model.n_iter_
    assert model.n_iter_ < 300  # it stopped early ...
    best = model.validation_scores_.index(model.best_validation_score_)
    assert best < model.n_iter_ - 1  # ... after the best epoch, so restoring matters
    assert_same_weights(model, snapshots[best])
    assert model.best_validation_score_ == -curve[best]  # scoring="loss"
    assert model.best_loss_ is None


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
    "lbfgs-sparse": (dict(solver="lbfgs"), np.float64, "csr", 1e-6),
    "adam-sparse": (dict(solver="adam"), np.float64, "csr", 1e-6),
    "float32-sgd": (dict(solver="sgd"), np.float32, "dense", 1e-4),
    "float32-adam": (dict(solver="adam"), np.float32, "dense", 1e-4),
    "balanced": (dict(solver="adam", class_weight="balanced"), np.float64, "dense", 1e-6),
    "float32-balanced": (dict(solver="adam", class_weight="balanced"), np.float32, "dense", 1e-4),
}
REPEATED_ROWS = [
    pytest.param(Estimator, case, id=f"{name}-{case}")
    for Estimator, name in ((TinyMLPClassifier, "classifier"), (TinyMLPRegressor, "regressor"))
    for case in REPEATED_ROWS_CASES
    if Estimator is TinyMLPClassifier or "balanced" not in case
]


@pytest.mark.filterwarnings("ignore:batch_size=10000 is larger:UserWarning")
@pytest.mark.parametrize("Estimator, case", REPEATED_ROWS)
def test_integer_weights_equal_repeated_rows(Estimator, case, Xy):
    # scikit-learn's check_sample_weight_equivalence_on_{dense,sparse}_data runs this on its
    # own data, in float64, for each configuration of test_estimator_checks.py.
    params, dtype, fmt, rtol = REPEATED_ROWS_CASES[case]
    X, y = Xy
    X = X.astype(dtype)
    sw = np.random.RandomState(0).randint(0, 4, size=len(y))  # zeros drop their rows
    as_input = sparse.csr_matrix if fmt == "csr" else np.asarray
    common = dict(hidden_layer_sizes=(4,), batch_size=10_000, max_iter=30, random_state=0)
    common.update(early_stopping=False, **params)
    weighted = Estimator(**common).fit(as_input(X), y, sample_weight=sw)
    repeated = Estimator(**common).fit(as_input(X.repeat(sw, 0)), y.repeat(sw))
    assert weighted.coefs_[0].dtype == dtype
    assert weighted.n_iter_ == repeated.n_iter_
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=rtol)
    np.testing.assert_allclose(outputs(weighted, X), outputs(repeated, X), rtol=rtol)


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
def test_zero_weights_equal_dropped_rows(Estimator, Xy, params):
    # With shuffled mini-batches too: a zero-weight row takes no place in any batch.
    X, y = Xy
    keep = np.arange(len(y)) % 3 != 0
    common = dict(hidden_layer_sizes=(4,), max_iter=5, early_stopping=False, random_state=0)
    zeros = Estimator(**common, **params).fit(X, y, sample_weight=keep.astype(float))
    dropped = Estimator(**common, **params).fit(X[keep], y[keep])
    assert_same_weights(zeros, dropped, rtol=1e-10, atol=1e-13)
    unweighted = Estimator(**common, **params).fit(X, y)
    assert not np.allclose(zeros.coefs_[0], unweighted.coefs_[0])


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


# --- activations, precision and sparse input -----------------------------------------------------


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_fits_and_predicts_finite_values(Estimator, Xy, activation):
    X, y = Xy
    params = dict(hidden_layer_sizes=(8,), activation=activation, solver="lbfgs", max_iter=50)
    model = Estimator(**params, random_state=0).fit(X, y)
    assert np.isfinite(outputs(model, X)).all() and model.predict(X).shape == y.shape
    assert model.score(X, y) > 0.5


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_float32_end_to_end(Estimator, Xy, solver):
    X, y = Xy
    X32 = X.astype(np.float32)
    params = dict(hidden_layer_sizes=(5,), solver=solver, max_iter=20, random_state=0)
    model = Estimator(**params).fit(X32, y)
    assert {w.dtype for w in weights(model)} == {np.dtype(np.float32)}
    assert outputs(model, X32).dtype == np.float32
    assert outputs(model, X).dtype == np.float64  # float64 input is predicted in float64
    assert np.isfinite(model.loss_)
    model64 = Estimator(**params).fit(X, y)
    assert {w.dtype for w in weights(model64)} == {np.dtype(np.float64)}
    np.testing.assert_allclose(outputs(model, X32), outputs(model64, X), atol=2e-3)


def test_float32_fit_makes_no_float64_copy_of_X():
    X, y = make_classification(n_samples=50_000, n_features=20, random_state=0)
    X = X.astype(np.float32)
    clf = TinyMLPClassifier(
        (8,), solver="sgd", batch_size=256, max_iter=1, early_stopping=False, random_state=0
    )
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
def test_sparse_input_equals_dense(Estimator, Xy, fmt, solver):
    X, y = Xy
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    common = dict(hidden_layer_sizes=(4,), solver=solver, max_iter=10, random_state=0)
    dense = Estimator(**common).fit(X, y)
    Xs = NoDensifyCSR(X) if fmt == "csr" else sparse.csc_matrix(X)
    on_sparse = Estimator(**common).fit(Xs, y)
    assert_same_weights(dense, on_sparse, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(outputs(on_sparse, Xs), outputs(dense, X), rtol=1e-10)
    if solver != "lbfgs":
        on_sparse.partial_fit(Xs, y)
        on_sparse.set_params(early_stopping=True, warm_start=True).fit(Xs, y)


# --- progress: verbose and callbacks -------------------------------------------------------------


def test_verbose_prints_one_line_per_epoch(capsys, iris_scaled):
    X, y = iris_scaled
    TinyMLPClassifier((3,), max_iter=4, verbose=True, early_stopping=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    epoch_lines = [line for line in lines if line.startswith("Iteration")]
    assert len(epoch_lines) == 4
    assert "loss = " in epoch_lines[0] and "validation score = " in epoch_lines[0]
    assert epoch_lines[0].endswith(" s")


def test_callbacks_see_every_epoch_and_can_stop_training(Estimator, Xy):
    X, y = Xy
    seen = []

    def record(estimator, info):
        seen.append(info)
        return info["epoch"] == 3

    model = Estimator(hidden_layer_sizes=(3,), max_iter=50, callbacks=[record], random_state=0)
    model.fit(X, y)
    assert model.n_iter_ == 3 and len(seen) == 3
    assert set(seen[0]) == {
        "epoch",
        "loss",
        "validation_score",
        "validation_loss",
        "learning_rate",
        "seconds",
    }
    assert [info["loss"] for info in seen] == model.loss_curve_


def test_callbacks_survive_clone_pickle_and_grid_search(iris_scaled):
    X, y = iris_scaled
    calls = []
    clf = TinyMLPClassifier((3,), max_iter=3, callbacks=[lambda est, info: calls.append(1)])
    assert clone(clf).callbacks == clf.callbacks
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))  # a lambda cannot be pickled: callbacks dropped
    assert restored.callbacks is None
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    search = GridSearchCV(clf, {"alpha": [1e-4, 1e-2]}, cv=2, error_score="raise").fit(X, y)
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
