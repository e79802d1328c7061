"""Same seed, same model, bit for bit; predicting changes nothing; threads agree."""

import copy
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy import sparse
from sklearn.model_selection import GridSearchCV

from sklearn_tinymlp import TinyMLPClassifier

from helpers import assert_same_weights, quiet_convergence, weights

pytestmark = quiet_convergence

RNG = np.random.RandomState(0)
X = RNG.standard_normal((120, 5))
y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int) + (X[:, 2] > 0.5)

CONFIGURATIONS = [
    {"solver": "adam"},
    {"solver": "sgd", "momentum": 0.9, "nesterovs_momentum": True},
    {"solver": "lbfgs"},
    {"solver": "adam", "early_stopping": True},
    {"solver": "sgd", "learning_rate": "adaptive", "batch_size": 16},
]


def make(random_state=0, **params):
    params = {"hidden_layer_sizes": (7, 4), "max_iter": 15, **params}
    return TinyMLPClassifier(random_state=random_state, **params)


@pytest.mark.parametrize("params", CONFIGURATIONS, ids=lambda p: "-".join(map(str, p.values())))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_same_random_state_gives_bit_identical_weights(params, dtype):
    first = make(**params).fit(X.astype(dtype), y)
    second = make(**params).fit(X.astype(dtype), y)
    assert {w.dtype for w in weights(first)} == {np.dtype(dtype)}
    assert_same_weights(first, second)
    assert first.loss_curve_ == second.loss_curve_


def test_random_state_instance_in_same_state_gives_identical_weights():
    first = make(random_state=np.random.RandomState(3)).fit(X, y)
    second = make(random_state=np.random.RandomState(3)).fit(X, y)
    assert_same_weights(first, second)


@pytest.mark.parametrize("params", CONFIGURATIONS, ids=lambda p: "-".join(map(str, p.values())))
def test_different_random_state_gives_different_weights(params):
    first = make(random_state=0, **params).fit(X, y)
    second = make(random_state=1, **params).fit(X, y)
    for a, b in zip(first.coefs_, second.coefs_):
        assert not np.array_equal(a, b)


def test_refit_resets_to_the_same_model():
    clf = make(solver="adam")
    first = weights(clf.fit(X, y))
    clf.fit(X, y)
    assert_same_weights(clf, first)


def test_grid_search_is_identical_across_n_jobs():
    grid = {"alpha": [1e-4, 1e-1], "solver": ["adam", "sgd"]}

    def search(n_jobs):
        search = GridSearchCV(make(max_iter=8), grid, cv=3, n_jobs=n_jobs, error_score="raise")
        return search.fit(X, y)

    serial, parallel = search(1), search(2)
    for key in serial.cv_results_:
        if key.startswith(("split", "mean_test", "std_test", "rank_test", "param")):
            np.testing.assert_array_equal(serial.cv_results_[key], parallel.cv_results_[key])
    assert serial.best_params_ == parallel.best_params_
    assert_same_weights(serial.best_estimator_, parallel.best_estimator_)


# --- predicting leaves the model as it was ----------------------------------------


def assert_deep_equal(a, b, path="model"):
    """Recursively compare attribute values; arrays bit for bit."""
    assert type(a) is type(b), path
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, path
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(a, np.random.RandomState):
        assert_deep_equal(a.get_state(legacy=False), b.get_state(legacy=False), path)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            assert_deep_equal(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (u, v) in enumerate(zip(a, b)):
            assert_deep_equal(u, v, f"{path}[{i}]")
    elif hasattr(a, "__dict__"):
        assert_deep_equal(vars(a), vars(b), f"{path}.__dict__")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), path
    else:
        assert a == b, path


@pytest.mark.parametrize("params", CONFIGURATIONS, ids=lambda p: "-".join(map(str, p.values())))
def test_predicting_does_not_change_the_fitted_model(params):
    clf = make(**params).fit(X, y)
    before = copy.deepcopy(vars(clf))
    X_test = RNG.standard_normal((30, 5))
    clf.predict(X_test)
    clf.predict_proba(X_test)
    clf.predict_log_proba(X_test)
    clf.score(X, y)
    clf.predict_proba(sparse.csr_matrix(X_test))
    clf.predict(X_test.astype(np.float32))
    assert_deep_equal(vars(clf), before)


def test_deep_compare_detects_a_change():
    """The comparison above is not vacuous: one flipped weight or consumed draw is caught."""
    clf = make().fit(X, y)
    before = copy.deepcopy(vars(clf))
    clf.coefs_[0][0, 0] = np.nextafter(clf.coefs_[0][0, 0], np.inf)
    with pytest.raises(AssertionError):
        assert_deep_equal(vars(clf), before)
    clf = make(random_state=np.random.RandomState(0)).fit(X, y)
    before = copy.deepcopy(vars(clf))
    clf.random_state.uniform()
    with pytest.raises(AssertionError):
        assert_deep_equal(vars(clf), before)


def test_predicting_does_not_change_the_input():
    clf = make().fit(X, y)
    X_test = RNG.standard_normal((10, 5))
    X_copy = X_test.copy()
    for method in (clf.predict, clf.predict_proba, clf.predict_log_proba):
        method(X_test)
        np.testing.assert_array_equal(X_test, X_copy)


def test_fitting_does_not_change_the_inputs():
    X_fit, y_fit, sw = X.copy(), y.copy(), np.linspace(0.5, 2, len(y))
    sw_copy = sw.copy()
    make(class_weight="balanced").fit(X_fit, y_fit, sample_weight=sw)
    np.testing.assert_array_equal(X_fit, X)
    np.testing.assert_array_equal(y_fit, y)
    np.testing.assert_array_equal(sw, sw_copy)


# --- concurrency ------------------------------------------------------------------


@pytest.mark.parametrize("params", CONFIGURATIONS[:3], ids=lambda p: p["solver"])
@pytest.mark.parametrize("as_sparse", [False, True], ids=["dense", "csr"])
def test_concurrent_predictions_match_serial_ones(params, as_sparse):
    clf = make(**params).fit(X, y)
    batches = [RNG.standard_normal((200 + 13 * i, 5)) for i in range(16)]
    if as_sparse:
        batches = [sparse.csr_matrix(np.where(np.abs(b) > 1, b, 0.0)) for b in batches]
    methods = ("predict", "predict_proba", "predict_log_proba")
    expected = {(m, i): getattr(clf, m)(b) for m in methods for i, b in enumerate(batches)}
    before = copy.deepcopy(vars(clf))

    jobs = [(m, i) for _ in range(4) for m in methods for i in range(len(batches))]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: getattr(clf, job[0])(batches[job[1]]), jobs))

    for job, result in zip(jobs, results):
        np.testing.assert_array_equal(result, expected[job], err_msg=str(job))
    assert_deep_equal(vars(clf), before)
