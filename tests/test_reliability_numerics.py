"""Numerical robustness: big, tiny and extreme inputs, divergence, float16, stable output functions.

Every test runs with RuntimeWarnings turned into errors (also set for the whole
suite in pyproject.toml), so an overflow, a 0/0 or a log(0) anywhere fails it.
"""

import numpy as np
import pytest
from scipy.special import expit

from sklearn_tinymlp import TinyMLPClassifier
from sklearn_tinymlp._activations import logistic
from sklearn_tinymlp._heads import (
    binary_log_loss_per_sample,
    softmax,
    softmax_log_loss_per_sample,
)
from sklearn_tinymlp._network import data_loss

from helpers import assert_same_weights, quiet_convergence, weights

pytestmark = [pytest.mark.filterwarnings("error::RuntimeWarning"), quiet_convergence]

RNG = np.random.RandomState(0)
X = RNG.standard_normal((80, 4))
y_binary = (X[:, 0] + X[:, 1] > 0).astype(int)
y_multiclass = np.digitize(X[:, 0] - X[:, 2], [-0.5, 0.5])
TARGETS = {"binary": y_binary, "multiclass": y_multiclass}

DIVERGED = r"Training diverged: .*(learning_rate_init=.*scale|solver='lbfgs'\. Scale) the features"


def assert_valid_probabilities(clf, X_test):
    proba = clf.predict_proba(X_test)
    assert np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert np.isin(clf.predict(X_test), clf.classes_).all()
    assert not np.isnan(clf.predict_log_proba(X_test)).any()


def assert_fits(clf, X_fit, y_fit):
    """The fit succeeds, with a finite loss and weights, and valid probabilities."""
    clf.fit(X_fit, y_fit)
    assert np.isfinite(clf.loss_)
    assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)
    assert_valid_probabilities(clf, X_fit)


def assert_diverges(clf, X_fit, y_fit):
    """The fit stops with the divergence error, and leaves finite weights."""
    with pytest.raises(ValueError, match=DIVERGED):
        clf.fit(X_fit, y_fit)
    assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)


# --- scale ------------------------------------------------------------------------


def diverges_at_scale(solver, activation, scale):
    """Whether training on features ``scale`` times the unit scale must diverge.

    Features 1e6 times larger make the hidden pre-activations 1e6 times larger. Bounded
    hidden units (logistic, tanh) saturate, so their gradients stay bounded, and every
    solver fits. Unbounded units (relu, identity) pass the scale on: the gradient of the
    first layer grows with its square, and SGD's step (learning rate × gradient) overshoots
    further at every epoch until the loss runs away, which is reported as divergence.
    Adam's step is bounded by its learning rate whatever the gradient's size, and L-BFGS's
    line search accepts only steps that lower the loss, so both fit. At a scale of 1e-6 the
    network is all but constant in X, and every combination fits.
    """
    return scale > 1 and solver == "sgd" and activation in ("relu", "identity")


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "identity"])
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("scale", [1e6, 1e-6])
def test_features_far_from_unit_scale(solver, activation, target, scale):
    clf = TinyMLPClassifier((5,), activation, solver=solver, max_iter=20, random_state=0)
    if diverges_at_scale(solver, activation, scale):
        assert_diverges(clf, X * scale, TARGETS[target])
    else:
        assert_fits(clf, X * scale, TARGETS[target])


# One extreme value among ordinary features never stops training: the default logistic
# hidden units saturate on that row (σ of a huge pre-activation is exactly 0 or 1, with a
# zero derivative), so the row's gradient stays finite and the other rows train as usual.
# Tiny and subnormal values are zeros to the arithmetic. Every solver and dtype must fit.
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
    assert_fits(clf, X_fit, y_multiclass)


def overflows_at_predict_time(activation, value, largest):
    """Whether predicting on rows whose every feature is ±``value`` must overflow.

    Bounded hidden units (logistic, tanh) map any finite input into (0, 1) or (-1, 1), so
    the logits stay finite for every value. Unbounded units (relu, identity) carry the
    input's size to the logits: up to largest / 1e8 (1e30 included) the sums of products
    w·x with these fitted weights stay far below the dtype's largest number, while from
    largest / 10 on they pass it, and predicting must report the overflow.
    """
    return activation in ("relu", "identity") and value >= largest / 10


@pytest.mark.parametrize("activation", ["relu", "identity", "logistic", "tanh"])
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sign", [1, -1])
def test_predicting_on_values_near_the_float_limit(activation, target, dtype, sign):
    """Valid probabilities, or the overflow reported for the two rows (never NaN, never a
    warning), as ``overflows_at_predict_time`` says."""
    clf = TinyMLPClassifier((5,), activation, solver="lbfgs", max_iter=30, random_state=0)
    clf.fit(X.astype(dtype), TARGETS[target])
    largest = np.finfo(dtype).max
    for value in [dtype(1e30), largest / 1e8, largest / 10, largest]:
        X_test = X[:4].astype(dtype)
        X_test[:2] = sign * dtype(value)
        if overflows_at_predict_time(activation, value, largest):
            for method in (clf.predict_proba, clf.predict, clf.predict_log_proba):
                with pytest.raises(
                    ValueError,
                    match=r"overflowed to inf or NaN for 2 row\(s\) of X \(the first is row 0\)"
                    r".*Scale the features",
                ):
                    method(X_test)
            continue
        proba = clf.predict_proba(X_test)
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


# --- divergence -------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"activation": "relu", "learning_rate_init": 1e4, "batch_size": 10},
        {"activation": "identity", "learning_rate_init": 3.0, "batch_size": 1},
        {"activation": "identity", "learning_rate_init": 1e6, "batch_size": 10, "momentum": 0.0},
    ],
    ids=["relu-1e4", "identity-3-per-sample", "identity-1e6"],
)
def test_learning_rate_large_enough_to_diverge_is_reported(params):
    snapshots = []

    def remember(estimator, info):
        snapshots.append(weights(estimator))

    clf = TinyMLPClassifier((8,), solver="sgd", max_iter=50, random_state=0, callbacks=[remember])
    lr = params["learning_rate_init"]
    with pytest.raises(ValueError) as excinfo:
        clf.set_params(**params).fit(X, y_binary)
    message = str(excinfo.value)
    assert excinfo.type is ValueError
    assert "Training diverged" in message
    assert f"learning_rate_init={lr}" in message
    assert "Lower learning_rate_init" in message and "scale the features" in message
    assert "StandardScaler" in message
    # The weights are those of the last finite epoch: finite, and usable.
    assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)
    assert snapshots, "the first epoch should have finished"
    assert_same_weights(clf, snapshots[-1])
    # Those weights are huge, and still predict valid probabilities.
    assert_valid_probabilities(clf, X)


def test_divergence_in_partial_fit_leaves_the_previous_weights():
    clf = TinyMLPClassifier((8,), "relu", solver="sgd", learning_rate_init=1e4, batch_size=10)
    clf.set_params(random_state=0)
    clf.partial_fit(X, y_binary, classes=[0, 1])
    with pytest.raises(ValueError, match=DIVERGED):
        for _ in range(50):
            before = weights(clf)
            clf.partial_fit(X, y_binary)
    assert_same_weights(clf, before)


@pytest.mark.parametrize("activation", ["identity", "relu"])
def test_lbfgs_divergence_blames_the_scale_not_a_learning_rate(activation):
    clf = TinyMLPClassifier((5,), activation, solver="lbfgs", max_iter=50, random_state=0)
    with pytest.raises(ValueError, match=DIVERGED) as excinfo:
        clf.fit(X * 1e300, y_binary)
    message = str(excinfo.value)
    assert "solver='lbfgs'" in message and "StandardScaler" in message
    assert "learning_rate_init" not in message
    assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)


def test_scaled_features_with_the_same_learning_rate_train_fine():
    """The advice in the divergence message works: the same model on standardised data."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_big = X * 1e150
    params = {"solver": "sgd", "learning_rate_init": 0.01, "max_iter": 200, "random_state": 0}
    with pytest.raises(ValueError, match=DIVERGED):
        TinyMLPClassifier((5,), "relu", **params).fit(X_big, y_binary)
    model = make_pipeline(StandardScaler(), TinyMLPClassifier((5,), "relu", **params))
    model.fit(X_big, y_binary)
    assert model.score(X_big, y_binary) > 0.9


# --- dtypes -----------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("target", TARGETS)
def test_float16_input_trains_in_float64(solver, target):
    X16 = X.astype(np.float16)
    clf = TinyMLPClassifier((5,), solver=solver, max_iter=30, random_state=0)
    clf.fit(X16, TARGETS[target])
    assert all(w.dtype == np.float64 for w in clf.coefs_)
    assert_valid_probabilities(clf, X16)
    assert clf.predict_proba(X16).dtype == np.float64
    # float16 is only a storage format: the same numbers in float64 give the same model.
    same = TinyMLPClassifier((5,), solver=solver, max_iter=30, random_state=0)
    same.fit(X16.astype(np.float64), TARGETS[target])
    np.testing.assert_array_equal(clf.coefs_[0], same.coefs_[0])


def test_float16_extremes_are_finite_after_conversion():
    """float16's largest and smallest numbers are ordinary float64 values: the fit succeeds
    (as with the extreme single values above)."""
    X16 = X.astype(np.float16)
    X16[0, 0] = np.finfo(np.float16).max
    X16[1, 1] = np.finfo(np.float16).smallest_subnormal
    clf = TinyMLPClassifier((5,), solver="adam", max_iter=30, random_state=0)
    assert_fits(clf, X16, y_multiclass)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_probabilities_keep_the_training_dtype(dtype):
    clf = TinyMLPClassifier((5,), max_iter=20, random_state=0).fit(X.astype(dtype), y_multiclass)
    assert clf.predict_proba(X.astype(dtype)).dtype == dtype
    assert_valid_probabilities(clf, X.astype(dtype))


# --- the output functions and the loss, at the extremes ------------------------------

EXTREME_LOGITS = [-1e300, -1e4, -745.2, -40.0, 0.0, 40.0, 745.2, 1e4, 1e300]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logistic_never_overflows(dtype):
    info = np.finfo(dtype)
    z = np.clip(EXTREME_LOGITS, -info.max, info.max).astype(dtype)
    a = logistic(z.copy())
    assert np.isfinite(a).all() and ((a >= 0) & (a <= 1)).all()
    assert a[0] == 0.0 and a[-1] == 1.0 and a[4] == 0.5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_never_overflows(dtype):
    big = np.finfo(dtype).max / 4
    z = np.array(
        [[big, 0.0, -big], [1e4, 1e4, 1e4], [-1e4, -1e4 - 1, 0.0], [0.0, 0.0, 0.0]], dtype=dtype
    )
    p = softmax(z.copy())
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(p[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(p[1], [1 / 3] * 3, rtol=1e-6)


def test_binary_log_loss_is_computed_from_logits_without_log_of_zero():
    z = np.array(EXTREME_LOGITS)[:, None]
    right = (z > 0).astype(float)  # y agrees with the sign of z
    wrong = 1.0 - right
    loss_right = binary_log_loss_per_sample(z.copy(), right)  # z is overwritten with ŷ
    loss_wrong = binary_log_loss_per_sample(z.copy(), wrong)
    assert np.isfinite(loss_right).all() and np.isfinite(loss_wrong).all()
    assert (loss_right >= 0).all()
    # A confident wrong answer costs |z| (log σ(−|z|) ≈ −|z|), not inf.
    np.testing.assert_allclose(loss_wrong[[0, 1, -2, -1]], np.abs(z[[0, 1, -2, -1], 0]))
    # A confident right answer costs about e^−|z|, not log(1 − 1) = −inf.
    np.testing.assert_allclose(loss_right[[1, -2]], np.exp(-1e4), atol=0)
    np.testing.assert_allclose(loss_right[3], -np.log(expit(40.0)), rtol=1e-12)


def test_softmax_log_loss_is_computed_from_logits_without_log_of_zero():
    z = np.array([[1e300, 0.0, -1e300], [1e4, -1e4, 0.0], [0.0, 0.0, 0.0]])
    y = np.eye(3)
    losses = np.array([softmax_log_loss_per_sample(z.copy(), y[[k] * 3]) for k in range(3)])
    assert np.isfinite(losses).all()
    # losses[k, i]: sample i (row i of z) with true class k.
    np.testing.assert_allclose(losses[0], [0.0, 0.0, np.log(3)])
    np.testing.assert_allclose(losses[1], [1e300, 2e4, np.log(3)])
    np.testing.assert_allclose(losses[2], [2e300, 1e4, np.log(3)])


@pytest.mark.parametrize("out_activation", ["logistic", "softmax"])
def test_weighted_log_loss_is_finite_at_the_extremes(out_activation):
    n_outputs = 1 if out_activation == "logistic" else 3
    z = np.resize(np.array(EXTREME_LOGITS), (9, n_outputs)) * np.arange(1, n_outputs + 1)
    y = np.zeros_like(z)
    y[np.arange(9), np.arange(9) % n_outputs] = 1
    loss = data_loss(z, y, out_activation, np.linspace(0, 2, 9))
    assert np.isfinite(loss) and loss >= 0


def test_predict_log_proba_is_finite_where_probabilities_underflow():
    clf = TinyMLPClassifier((4,), solver="lbfgs", max_iter=50, random_state=0)
    clf.fit(X, y_multiclass)
    clf.coefs_[-1] *= 1e3  # very confident: most probabilities underflow to 0
    proba = clf.predict_proba(X)
    log_proba = clf.predict_log_proba(X)
    assert (proba == 0).any()
    assert np.isfinite(log_proba).all()
    np.testing.assert_allclose(np.exp(log_proba), proba, atol=1e-300)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
