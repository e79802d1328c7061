"""Property-based tests: whatever the data and parameters, the classifier fits and predicts
finite, normalised probabilities with labels from ``classes_``, or refuses with a ValueError or
TypeError that has a message. No other exception type, and no RuntimeWarning, ever escapes.
"""

import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402
from scipy import sparse  # noqa: E402

from sklearn_tinymlp import TinyMLPClassifier  # noqa: E402

# Bounded so the whole module runs in seconds; no example database is written.
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

X_DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int8, np.uint8, np.bool_]
LABEL_KINDS = ["int", "negative-int", "str", "bool", "float", "half", "object-str", "multilabel"]


def x_elements(dtype, allow_non_finite):
    if dtype == np.bool_:
        return st.booleans()
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return st.integers(max(info.min, -1000), min(info.max, 1000))
    width = np.finfo(dtype).bits
    bound = 1e4 if dtype == np.float16 else 1e6
    finite = st.floats(-bound, bound, width=width)
    if allow_non_finite:
        return finite | st.sampled_from([np.nan, np.inf, -np.inf])
    return finite


def labels_of(kind, codes, n_classes):
    if kind == "int":
        return codes
    if kind == "negative-int":
        return codes * 7 - 3
    if kind == "str":
        return np.array([f"class_{c}" for c in codes])
    if kind == "bool":
        return codes % 2 == 1
    if kind == "float":
        return codes * 1.0
    if kind == "half":  # 0.5 steps: continuous to scikit-learn, so refused
        return codes / 2.0
    if kind == "object-str":
        return np.array([f"c{c}" for c in codes], dtype=object)
    raise AssertionError(kind)


@st.composite
def class_weights(draw, y):
    """None, 'balanced', or a dict over some of y's labels (and maybe one it lacks)."""
    kind = draw(st.sampled_from(["none", "balanced", "dict"]))
    if kind == "none":
        return None
    if kind == "balanced":
        return "balanced"
    labels = np.unique(y).tolist() if np.ndim(y) == 1 else [0, 1]
    keys = draw(st.lists(st.sampled_from([*labels, "not-a-label"]), max_size=3, unique=True))
    return {key: draw(st.floats(0, 5)) for key in keys}


@st.composite
def problems(draw):
    n_samples = draw(st.integers(1, 30) | st.integers(4, 30))
    n_features = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from(X_DTYPES))
    allow_non_finite = draw(st.booleans()) and np.issubdtype(dtype, np.floating)
    X = draw(arrays(dtype, (n_samples, n_features), elements=x_elements(dtype, allow_non_finite)))
    if draw(st.booleans()):
        # scipy.sparse has no float16; bool becomes a number like any dense input
        X = sparse.csr_matrix(X if dtype in (np.float64, np.float32) else X.astype(np.float64))

    kind = draw(st.sampled_from(LABEL_KINDS))
    n_classes = draw(st.sampled_from([2, 1, 2, 3, 4]))
    if kind == "multilabel":
        y = draw(arrays(np.int64, (n_samples, n_classes + 1), elements=st.integers(0, 1)))
    else:
        codes = draw(arrays(np.int64, n_samples, elements=st.integers(0, n_classes - 1)))
        # Mostly every class present, so that most examples get to train.
        if n_samples >= n_classes and draw(st.sampled_from([True, True, True, False])):
            codes[:n_classes] = np.arange(n_classes)
        y = labels_of(kind, codes, n_classes)

    # Subnormal weights included: 'balanced' class weights divide by a class's total.
    weight = st.floats(0, 10)
    sample_weight = draw(
        st.none()
        | arrays(np.float64, n_samples, elements=weight)
        | arrays(np.float64, n_samples, elements=weight | st.floats(-1, 0) | st.just(np.nan))
        | arrays(np.int64, n_samples, elements=st.integers(0, 3))
    )
    params = {
        "hidden_layer_sizes": draw(st.lists(st.integers(1, 6), min_size=1, max_size=2).map(tuple)),
        "activation": draw(st.sampled_from(["identity", "logistic", "tanh", "relu"])),
        "solver": draw(st.sampled_from(["adam", "sgd", "lbfgs"])),
        "alpha": draw(st.sampled_from([0.0, 1e-4, 1.0])),
        "batch_size": draw(st.sampled_from(["auto", 1, 7, 64])),
        "learning_rate": draw(st.sampled_from(["constant", "invscaling", "adaptive"])),
        "learning_rate_init": draw(st.sampled_from([1e-4, 1e-2, 1.0])),
        "max_iter": draw(st.integers(1, 5)),
        "early_stopping": draw(st.booleans()),
        "validation_fraction": draw(st.sampled_from([0.1, 0.5])),
        "class_weight": draw(class_weights(y)),
        "random_state": draw(st.integers(0, 2**32 - 1)),
    }
    return X, y, sample_weight, params


def assert_valid_predictions(clf, X):
    """The invariant on success; an overflow at predict time may be refused clearly."""
    try:
        proba = clf.predict_proba(X)
        pred = clf.predict(X)
        log_proba = clf.predict_log_proba(X)
    except ValueError as exc:
        assert "overflowed" in str(exc), str(exc)
        return
    n_samples = X.shape[0]
    assert proba.shape == (n_samples, len(clf.classes_))
    assert np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    assert not np.isnan(log_proba).any()
    if clf.out_activation_ == "softmax" or proba.shape[1] == 2 and pred.ndim == 1:
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    if pred.ndim == 1:
        assert np.isin(pred, clf.classes_).all()
        assert pred.dtype == clf.classes_.dtype
    else:  # multilabel indicator
        assert set(np.unique(pred)) <= {0, 1}


def fit_or_refuse(clf, fit):
    try:
        with warnings.catch_warnings():
            # Only RuntimeWarnings are errors here; convergence and batch-size
            # notices are expected with a handful of epochs.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", RuntimeWarning)
            fit()
    except (ValueError, TypeError) as exc:
        assert str(exc).strip(), f"{type(exc).__name__} without a message"
        return False
    return True


@SETTINGS
@given(problems())
def test_fit_predicts_valid_probabilities_or_refuses_clearly(problem):
    X, y, sample_weight, params = problem
    clf = TinyMLPClassifier(**params)
    if fit_or_refuse(clf, lambda: clf.fit(X, y, sample_weight=sample_weight)):
        assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)
        assert_valid_predictions(clf, X)


@SETTINGS
@given(problems(), st.integers(1, 4))
def test_partial_fit_in_chunks_predicts_valid_probabilities_or_refuses_clearly(problem, chunks):
    X, y, sample_weight, params = problem
    params = {**params, "solver": "sgd" if params["solver"] == "lbfgs" else params["solver"]}
    clf = TinyMLPClassifier(**params)
    multilabel = np.ndim(y) == 2
    classes = None if multilabel else np.unique(y)

    def stream():
        for rows in np.array_split(np.arange(X.shape[0]), chunks):
            if rows.size:
                sw = None if sample_weight is None else sample_weight[rows]
                clf.partial_fit(X[rows], y[rows], classes=classes, sample_weight=sw)

    if fit_or_refuse(clf, stream) and hasattr(clf, "coefs_"):
        assert_valid_predictions(clf, X)


@SETTINGS
@given(
    problems(),
    st.sampled_from(X_DTYPES),
    st.integers(1, 10),
)
def test_predict_on_new_data_of_any_dtype(problem, dtype, n_new):
    X, y, sample_weight, params = problem
    clf = TinyMLPClassifier(**{**params, "early_stopping": False})
    if not fit_or_refuse(clf, lambda: clf.fit(X, y)):
        return
    rng = np.random.RandomState(0)
    X_new = (rng.standard_normal((n_new, X.shape[1])) * 3).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert_valid_predictions(clf, X_new)


@SETTINGS
@given(problems(), st.integers(0, 2**32 - 1))
def test_warm_start_refit_on_a_subset_keeps_the_invariant(problem, seed):
    X, y, sample_weight, params = problem
    clf = TinyMLPClassifier(**{**params, "warm_start": True})
    if not fit_or_refuse(clf, lambda: clf.fit(X, y, sample_weight=sample_weight)):
        return
    rows = np.random.RandomState(seed).permutation(X.shape[0])[: max(1, X.shape[0] // 2)]
    sw = None if sample_weight is None else sample_weight[rows]
    if fit_or_refuse(clf, lambda: clf.fit(X[rows], y[rows], sample_weight=sw)):
        assert_valid_predictions(clf, X)
