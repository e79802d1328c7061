"""The math is written once, every path runs it, and nothing outside the estimator changes."""

import ast
import threading
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_tinymlp import TinyMLPClassifier, _network

from helpers import quiet_convergence

PACKAGE = Path(_network.__file__).parent


def _defined_functions(name):
    """(module, line) of every function or method called ``name`` in the package."""
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                found.append((path.name, node.lineno))
    return found


@pytest.mark.parametrize("name", ["forward", "backward"])
def test_the_package_defines_one_forward_and_one_backward(name):
    assert [module for module, _ in _defined_functions(name)] == ["_network.py"]


X, y = make_classification(n_samples=120, n_features=5, n_informative=3, random_state=0)
# (name, estimator parameters, how X is given)
TRAINING_PATHS = [
    ("per-sample sgd", dict(solver="sgd", batch_size=1), "dense"),
    ("mini-batch sgd", dict(solver="sgd", batch_size=16), "dense"),
    ("mini-batch adam", dict(solver="adam", batch_size=16), "dense"),
    ("full-batch gradient descent", dict(solver="sgd", batch_size=1000), "dense"),
    ("lbfgs", dict(solver="lbfgs"), "dense"),
    ("sparse X", dict(solver="adam", batch_size=16), "csr"),
    ("float32", dict(solver="adam", batch_size=16), "float32"),
    ("early stopping", dict(solver="adam", early_stopping=True), "dense"),
]


def _as(kind):
    return {"dense": X, "csr": sparse.csr_matrix(X), "float32": X.astype(np.float32)}[kind]


@pytest.fixture
def calls(monkeypatch):
    """Count the calls of the one forward and backward (module attributes, as every path calls)."""
    counts = {"forward": 0, "backward": 0}
    for name in counts:
        original = getattr(_network, name)

        def counting(*args, _original=original, _name=name, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(_network, name, counting)
    return counts


@quiet_convergence
@pytest.mark.filterwarnings("ignore:batch_size=1000 is larger")
@pytest.mark.parametrize("name, params, kind", TRAINING_PATHS, ids=[p[0] for p in TRAINING_PATHS])
def test_every_training_path_runs_the_one_backward(calls, name, params, kind):
    clf = TinyMLPClassifier((4,), max_iter=3, random_state=0, **params).fit(_as(kind), y)
    epochs = len(clf.loss_curve_)
    batches = {1: len(y), 16: -(-len(y) // 16)}.get(params.get("batch_size"), 1)
    if params.get("early_stopping"):
        # the validation pass of every epoch runs the one forward, without backward
        assert calls["forward"] == calls["backward"] + epochs
    elif params["solver"] != "lbfgs":
        assert calls["backward"] == epochs * batches
    assert calls["backward"] >= epochs > 0
    calls["forward"] = 0
    clf.predict_proba(_as(kind))
    clf.predict(_as(kind))
    assert calls["forward"] == 2


def _blas_threads():
    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


def test_fit_and_predict_leave_blas_threads_and_numpy_error_state_as_they_were():
    X_big, y_big = make_classification(n_samples=5000, n_features=20, random_state=0)
    before, errstate = _blas_threads(), np.geterr()
    with np.errstate(over="raise", divide="warn", invalid="print", under="ignore"):
        set_inside = np.geterr()
        for solver in ["sgd", "adam", "lbfgs"]:
            clf = TinyMLPClassifier((16,), solver=solver, max_iter=2, random_state=0)
            with pytest.warns(ConvergenceWarning):  # not converged in 2 epochs
                clf.fit(X_big, y_big)
            clf.predict_proba(X_big)
            assert np.geterr() == set_inside
            assert _blas_threads() == before
    assert np.geterr() == errstate


def test_a_users_thread_limit_that_overlaps_a_fit_is_restored_as_the_user_set_it():
    """The user limits BLAS in another thread from inside a fit until after it: both survive.

    Had the fit limited BLAS itself, the user's block would save the fit's limit on
    entering and put it back on leaving, after the fit: BLAS would stay limited.
    """
    X_big, y_big = make_classification(n_samples=20000, n_features=20, random_state=0)
    before = _blas_threads()
    entered, release = threading.Event(), threading.Event()
    seen_inside = []

    def user_code():
        with threadpool_limits(limits=1, user_api="blas"):
            entered.set()
            release.wait(timeout=60)
            seen_inside.append(_blas_threads())

    user = threading.Thread(target=user_code)

    def start_user_code_once(estimator, info):
        if info["epoch"] == 1:
            user.start()
            entered.wait(timeout=60)

    clf = TinyMLPClassifier(
        (32,), solver="sgd", max_iter=3, random_state=0, callbacks=[start_user_code_once]
    )
    with pytest.warns(ConvergenceWarning):  # not converged in 3 epochs
        clf.fit(X_big, y_big)
    release.set()
    user.join(timeout=60)
    assert seen_inside == [[1] * len(before)]  # the user's limit held after the fit
    assert _blas_threads() == before  # and leaving the block restored the original


def test_fitting_starts_no_threads():
    X_big, y_big = make_classification(n_samples=20000, n_features=20, random_state=0)
    seen = set()

    def record(frame, event, arg):
        seen.add(threading.get_ident())

    threading.setprofile(record)  # runs in any thread Python starts from here on
    try:
        clf = TinyMLPClassifier((32,), solver="lbfgs", max_iter=5, random_state=0)
        with pytest.warns(ConvergenceWarning):  # not converged in 5 iterations
            clf.fit(X_big, y_big)
        clf.predict_proba(X_big)
    finally:
        threading.setprofile(None)
    assert seen == set()
