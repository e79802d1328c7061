"""Numerical robustness: big, tiny and extreme inputs, divergence, float16, stable output functions.

Every test runs with RuntimeWarnings turned into errors (also set for the whole
suite in pyproject.toml), so an overflow, a 0/0 or a log(0) anywhere fails it.
"""

import numpy as np
import pytest

from sklearn_tinymlp import TinyMLPClassifier

pytestmark = [
    pytest.mark.filterwarnings("error::RuntimeWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]

RNG = np.random.RandomState(0)
X = RNG.standard_normal((80, 4))
y_binary = (X[:, 0] + X[:, 1] > 0).astype(int)
y_multiclass = np.digitize(X[:, 0] - X[:, 2], [-0.5, 0.5])
TARGETS = {"binary": y_binary, "multiclass": y_multiclass}

DIVERGED = r"Training diverged: .*learning_rate_init=.*scale the features"


def assert_valid_probabilities(clf, X_test):
    proba = clf.predict_proba(X_test)
    assert np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert np.isin(clf.predict(X_test), clf.classes_).all()
    assert not np.isnan(clf.predict_log_proba(X_test)).any()


def fits_or_refuses_clearly(clf, X_fit, y_fit):
    """Either a model with valid probabilities, or the divergence error with finite weights."""
    try:
        clf.fit(X_fit, y_fit)
    except ValueError as exc:
        assert re_search(DIVERGED, str(exc)), str(exc)
        assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)
        return False
    assert np.isfinite(clf.loss_)
    assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)
    assert_valid_probabilities(clf, X_fit)
    return True


def re_search(pattern, text):
    import re

    return re.search(pattern, text) is not None


# --- scale ------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "identity"])
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("scale", [1e6, 1e-6])
def test_features_far_from_unit_scale(solver, activation, target, scale):
    clf = TinyMLPClassifier((5,), activation, solver=solver, max_iter=20, random_state=0)
    fits_or_refuses_clearly(clf, X * scale, TARGETS[target])


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "extreme", ["max", "-max", "tiny", "subnormal", "1e30"], ids=lambda e: f"value={e}"
)
def test_extreme_single_values_in_training_data(solver, dtype, extreme):
    info = np.finfo(dtype)
    value = {
        "max": info.max,
        "-max": -info.max,
        "tiny": info.tiny,
        "subnormal": info.smallest_subnormal,
        "1e30": 1e30,
    }[extreme]
    X_fit = X.astype(dtype)
    X_fit[3, 1] = value
    clf = TinyMLPClassifier((5,), solver=solver, max_iter=20, random_state=0)
    fits_or_refuses_clearly(clf, X_fit, y_multiclass)


@pytest.mark.parametrize("activation", ["relu", "identity", "logistic", "tanh"])
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sign", [1, -1])
def test_predicting_on_values_near_the_float_limit(activation, target, dtype, sign):
    """Probabilities stay valid, or the overflow is reported (never NaN, never a warning)."""
    clf = TinyMLPClassifier((5,), activation, solver="lbfgs", max_iter=30, random_state=0)
    clf.fit(X.astype(dtype), TARGETS[target])
    big = np.finfo(dtype).max
    for value in [1e30, big / 1e8, big / 10, big]:
        X_test = X[:4].astype(dtype)
        X_test[:2] = sign * dtype(value)
        try:
            proba = clf.predict_proba(X_test)
        except ValueError as exc:
            assert "overflowed" in str(exc) and "Scale the features" in str(exc)
            for method in (clf.predict, clf.predict_log_proba):
                with pytest.raises(ValueError, match="overflowed to inf or NaN for [12] row"):
                    method(X_test)
            continue
        assert np.isfinite(proba).all()
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
        assert not np.isnan(clf.predict_log_proba(X_test)).any()
        assert np.isin(clf.predict(X_test), clf.classes_).all()


def test_overflow_at_predict_time_names_the_rows():
    clf = TinyMLPClassifier((5,), "identity", solver="lbfgs", random_state=0).fit(X, y_multiclass)
    X_test = X[:5].copy()
    X_test[3] = np.finfo(np.float64).max
    with pytest.raises(
        ValueError,
        match=r"overflowed to inf or NaN for 1 row\(s\) of X \(the first is row 3\).*"
        r"too large for float64",
    ):
        clf.predict_proba(X_test)
