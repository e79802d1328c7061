"""Property-based tests, with valid and invalid inputs drawn from separate strategies.

* On valid inputs (``valid_problems``: finite X of any dtype, dense or sparse; labels of any
  kind with at least two classes carrying weight; non-negative sample weights; class weights
  naming only labels in the data; any solver, activation and schedule with a learning rate
  that cannot diverge in a few epochs) the classifier must fit, and predict finite
  probabilities of shape (n_samples, n_classes) with labels from ``classes_``.
* On invalid inputs (``invalid_problems``: a valid problem with exactly one defect) it must
  raise the error for that defect, with its message.
* On separable samples (``separable_problems``) training must do what it is for: lower the
  loss; pull a row's prediction toward its label when the row weighs more; and, for L-BFGS
  on the full batch, not depend on the order of the rows.

No RuntimeWarning may escape in either case (they are errors here and in pyproject.toml).
"""

import re
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
LABEL_KINDS = ["int", "negative-int", "str", "bool", "float", "object-str", "multilabel"]
# Features lie within ±scale. An SGD step on the weights of the first layer grows with the
# square of the features' scale, so the learning rate shrinks with it: with
# learning_rate_init · scale² ≤ 0.01, five epochs of any solver stay far from divergence
# (momentum 0.9 multiplies the step by up to 10; Adam's step is bounded by the learning
# rate alone). Divergence and overflow have their own tests in test_reliability_numerics.py.
FEATURE_SCALES = [1, 10, 100]
LEARNING_RATES = [1e-4, 1e-3, 1e-2]  # divided by scale²


def x_elements(dtype, scale):
    if dtype == np.bool_:
        return st.booleans()
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return st.integers(max(info.min, -scale), min(info.max, scale))
    return st.floats(-scale, scale, width=np.finfo(dtype).bits)


def labels_of(kind, codes):
    if kind == "int":
        return codes
    if kind == "negative-int":
        return codes * 7 - 3
    if kind == "str":
        return np.array([f"class_{c}" for c in codes])
    if kind == "bool":
        return codes == 1
    if kind == "float":
        return codes * 1.0
    if kind == "object-str":
        return np.array([f"c{c}" for c in codes], dtype=object)
    raise AssertionError(kind)


@st.composite
def valid_problems(draw):
    """(X, y, sample_weight, params) that the classifier must learn from.

    The first ``2 * n_classes`` rows hold every class twice with weight 1, so that at least
    two classes carry weight and early stopping can always hold out a sample of a class
    while keeping one to train on.
    """
    kind = draw(st.sampled_from(LABEL_KINDS))
    n_classes = 2 if kind == "bool" else draw(st.integers(2, 4))
    n_guard = 2 * n_classes
    n_samples = draw(st.integers(n_guard, 30))
    n_features = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from(X_DTYPES))
    scale = draw(st.sampled_from(FEATURE_SCALES))
    X = draw(arrays(dtype, (n_samples, n_features), elements=x_elements(dtype, scale)))
    if draw(st.booleans()):
        # scipy.sparse has no float16; bool becomes a number like any dense input
        X = sparse.csr_matrix(X if dtype in (np.float64, np.float32) else X.astype(np.float64))

    if kind == "multilabel":
        y = draw(arrays(np.int64, (n_samples, n_classes), elements=st.integers(0, 1)))
    else:
        codes = draw(arrays(np.int64, n_samples, elements=st.integers(0, n_classes - 1)))
        codes[:n_guard] = np.tile(np.arange(n_classes), 2)
        y = labels_of(kind, codes)

    sample_weight = draw(
        st.none()
        | arrays(np.float64, n_samples, elements=st.floats(0.5, 10) | st.just(0.0))
        | arrays(np.int64, n_samples, elements=st.integers(0, 3))
    )
    if sample_weight is not None:
        sample_weight[:n_guard] = 1

    if kind == "multilabel":  # a {label: weight} dict has no meaning for independent labels
        class_weight = draw(st.sampled_from([None, "balanced"]))
    else:
        labels = np.unique(y).tolist()
        class_weight = draw(
            st.none()
            | st.just("balanced")
            | st.dictionaries(st.sampled_from(labels), st.floats(0.1, 5), max_size=3)
        )
    params = {
        "hidden_layer_sizes": draw(st.lists(st.integers(1, 6), min_size=1, max_size=2).map(tuple)),
        "activation": draw(st.sampled_from(["identity", "logistic", "tanh", "relu"])),
        "solver": draw(st.sampled_from(["adam", "sgd", "lbfgs"])),
        "alpha": draw(st.sampled_from([0.0, 1e-4, 1.0])),
        "batch_size": draw(st.sampled_from(["auto", 1, 7, 64])),
        "learning_rate": draw(st.sampled_from(["constant", "invscaling", "adaptive"])),
        "learning_rate_init": draw(st.sampled_from(LEARNING_RATES)) / scale**2,
        "max_iter": draw(st.integers(1, 5)),
        "early_stopping": draw(st.booleans()),
        "validation_fraction": draw(st.sampled_from([0.1, 0.5])),
        "class_weight": class_weight,
        "random_state": draw(st.integers(0, 2**32 - 1)),
    }
    return X, y, sample_weight, params


def _dense_float(X):
    return (X.toarray() if sparse.issparse(X) else X).astype(np.float64)


def _put(X, value, row, col):
    X = _dense_float(X)
    X[row, col] = value
    return X


def _ones_or(sample_weight, n_samples):
    return np.ones(n_samples) if sample_weight is None else sample_weight.astype(np.float64)


# Each defect turns a valid problem into an invalid one and names the error it must raise:
# (name, applies(y, params), make(draw, X, y, sample_weight, params) -> (X, y, sw, params),
#  error type, regular expression for the message built from the problem).
def _nan_in_X(draw, X, y, sw, params):
    row, col = draw(st.integers(0, X.shape[0] - 1)), draw(st.integers(0, X.shape[1] - 1))
    return _put(X, np.nan, row, col), y, sw, params


def _inf_in_X(draw, X, y, sw, params):
    row, col = draw(st.integers(0, X.shape[0] - 1)), draw(st.integers(0, X.shape[1] - 1))
    return _put(X, draw(st.sampled_from([np.inf, -np.inf])), row, col), y, sw, params


def _continuous_y(draw, X, y, sw, params):
    # Half-integers: a regression target to scikit-learn, which no classifier accepts.
    y = np.arange(X.shape[0]) + 0.5
    return X, y, sw, {**params, "class_weight": None}


def _one_class(draw, X, y, sw, params):
    label = draw(st.sampled_from([0, "spam", 2.0]))
    y = np.full(X.shape[0], label)
    return X, y, sw, {**params, "class_weight": None}


def _negative_weight(draw, X, y, sw, params):
    sw = _ones_or(sw, X.shape[0])
    sw[draw(st.integers(0, X.shape[0] - 1))] = draw(st.sampled_from([-1.0, -1e-3]))
    return X, y, sw, params


def _nan_weight(draw, X, y, sw, params):
    sw = _ones_or(sw, X.shape[0])
    sw[draw(st.integers(0, X.shape[0] - 1))] = np.nan
    return X, y, sw, params


def _zero_weights(draw, X, y, sw, params):
    return X, y, np.zeros(X.shape[0]), params


def _weight_on_one_class(draw, X, y, sw, params):
    keep = y == draw(st.sampled_from(np.unique(y).tolist()))
    return X, y, np.where(keep, _ones_or(sw, X.shape[0]).clip(min=1), 0.0), params


def _weight_of_wrong_length(draw, X, y, sw, params):
    return X, y, np.ones(X.shape[0] + draw(st.sampled_from([-1, 1]))), params


def _y_of_wrong_length(draw, X, y, sw, params):
    return X, y[:-1], None, params


def _class_weight_for_a_missing_label(draw, X, y, sw, params):
    return X, y, sw, {**params, "class_weight": {"not-a-label": 2.0}}


def _negative_class_weight(draw, X, y, sw, params):
    label = draw(st.sampled_from(np.unique(y).tolist()))
    return X, y, sw, {**params, "class_weight": {label: -1.0}}


def _class_weight_dict_for_multilabel(draw, X, y, sw, params):
    return X, y, sw, {**params, "class_weight": {0: 2.0}}


def _empty_hidden_layer(draw, X, y, sw, params):
    return X, y, sw, {**params, "hidden_layer_sizes": (*params["hidden_layer_sizes"], 0)}


def _non_positive_learning_rate(draw, X, y, sw, params):
    return X, y, sw, {**params, "learning_rate_init": draw(st.sampled_from([0.0, -0.1]))}


def _too_few_samples_to_hold_out(draw, X, y, sw, params):
    # A single sample cannot be split into a training and a validation part. (Multilabel
    # targets only: a single sample of a multiclass target is one class, refused for that;
    # and one sample of each class is split at random, as the split stratifies only classes
    # of at least two rows.)
    solver = "adam" if params["solver"] == "lbfgs" else params["solver"]  # lbfgs never splits
    params = {**params, "early_stopping": True, "solver": solver, "class_weight": None}
    return X[:1], y[:1], None, params


def _multiclass(y, params):
    return np.ndim(y) == 1


def _multilabel(y, params):
    return np.ndim(y) == 2


def _always(y, params):
    return True


NAN_X = "Input X contains NaN"
INF_X = "Input X contains infinity"
DEFECTS = {
    "nan-in-X": (_always, _nan_in_X, ValueError, lambda X, y, sw: NAN_X),
    "inf-in-X": (_always, _inf_in_X, ValueError, lambda X, y, sw: INF_X),
    "continuous-y": (
        _always,
        _continuous_y,
        ValueError,
        lambda X, y, sw: "Unknown label type: '?continuous",
    ),
    "one-class": (
        _always,
        _one_class,
        ValueError,
        lambda X, y, sw: (
            "needs at least 2 classes.*only one class: " + re.escape(repr(np.unique(y).tolist()[0]))
        ),
    ),
    "negative-weight": (
        _always,
        _negative_weight,
        ValueError,
        lambda X, y, sw: "Negative values in data passed to `sample_weight`",
    ),
    "nan-weight": (
        _always,
        _nan_weight,
        ValueError,
        lambda X, y, sw: "Input sample_weight contains NaN",
    ),
    "zero-weights": (
        _always,
        _zero_weights,
        ValueError,
        # scikit-learn >= 1.7 refuses all-zero weights itself, in its own words
        lambda X, y, sw: "(sample_weight is zero for every sample|at least one non-zero)",
    ),
    "weight-on-one-class": (
        _multiclass,
        _weight_on_one_class,
        ValueError,
        lambda X, y, sw: "Only one class has a positive sample_weight",
    ),
    "weight-of-wrong-length": (
        _always,
        _weight_of_wrong_length,
        ValueError,
        lambda X, y, sw: re.escape(f"sample_weight.shape == ({len(sw)},), expected ({len(y)},)"),
    ),
    "y-of-wrong-length": (
        _always,
        _y_of_wrong_length,
        ValueError,
        lambda X, y, sw: re.escape(f"inconsistent numbers of samples: [{X.shape[0]}, {len(y)}]"),
    ),
    "class-weight-for-a-missing-label": (
        _multiclass,
        _class_weight_for_a_missing_label,
        ValueError,
        lambda X, y, sw: (
            re.escape("class_weight names labels that are not in the data: ") + r"\['not-a-label'\]"
        ),
    ),
    "negative-class-weight": (
        _multiclass,
        _negative_class_weight,
        ValueError,
        lambda X, y, sw: "class_weight values must be finite and non-negative",
    ),
    "class-weight-dict-for-multilabel": (
        _multilabel,
        _class_weight_dict_for_multilabel,
        ValueError,
        lambda X, y, sw: "class_weight for multilabel targets must be 'balanced'",
    ),
    "empty-hidden-layer": (
        _always,
        _empty_hidden_layer,
        ValueError,
        lambda X, y, sw: "hidden_layer_sizes must be a positive integer or a sequence",
    ),
    "non-positive-learning-rate": (
        _always,
        _non_positive_learning_rate,
        ValueError,  # scikit-learn's InvalidParameterError, a ValueError
        lambda X, y, sw: r"The 'learning_rate_init' parameter of TinyMLPClassifier must be",
    ),
    "too-few-samples-to-hold-out": (
        _multilabel,
        _too_few_samples_to_hold_out,
        ValueError,
        lambda X, y, sw: "Early stopping with validation_fraction=.* cannot hold out",
    ),
}
# partial_fit checks each call's data alone: it never holds out a validation set, and a
# call may hold samples of a single class (the classes are given up front).
NOT_FOR_PARTIAL_FIT = {"too-few-samples-to-hold-out", "weight-on-one-class"}


@st.composite
def invalid_problems(draw, defects=tuple(DEFECTS)):
    """(X, y, sample_weight, params, error type, message pattern): one defect in a valid
    problem, and the error it must raise."""
    X, y, sample_weight, params = draw(valid_problems())
    name = draw(st.sampled_from([d for d in defects if DEFECTS[d][0](y, params)]))
    _, make, error, message = DEFECTS[name]
    X, y, sample_weight, params = make(draw, X, y, sample_weight, params)
    return X, y, sample_weight, params, error, message(X, y, sample_weight)


def quietly(call, *args, **kwargs):
    """``call(*args, **kwargs)`` with RuntimeWarnings as errors; convergence and batch-size
    notices are expected with a handful of epochs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", RuntimeWarning)
        return call(*args, **kwargs)


def assert_valid_predictions(clf, X):
    proba = clf.predict_proba(X)
    pred = clf.predict(X)
    log_proba = clf.predict_log_proba(X)
    n_samples = X.shape[0]
    assert proba.shape == (n_samples, len(clf.classes_))
    assert log_proba.shape == proba.shape
    assert np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    assert not np.isnan(log_proba).any()
    if pred.ndim == 1:
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
        assert pred.shape == (n_samples,)
        assert np.isin(pred, clf.classes_).all()
        assert pred.dtype == clf.classes_.dtype
    else:  # multilabel indicator: one independent probability per label
        assert pred.shape == proba.shape
        assert set(np.unique(pred)) <= {0, 1}


def assert_raises(error, message, call):
    with pytest.raises(error, match=message):
        quietly(call)


# --- fit ------------------------------------------------------------------------------


@SETTINGS
@given(valid_problems())
def test_fit_on_valid_data_predicts_valid_probabilities(problem):
    X, y, sample_weight, params = problem
    clf = TinyMLPClassifier(**params)
    quietly(lambda: clf.fit(X, y, sample_weight=sample_weight))
    assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)
    assert_valid_predictions(clf, X)


@SETTINGS
@given(invalid_problems())
def test_fit_on_invalid_data_raises_the_error_for_its_defect(problem):
    X, y, sample_weight, params, error, message = problem
    clf = TinyMLPClassifier(**params)
    assert_raises(error, message, lambda: clf.fit(X, y, sample_weight=sample_weight))


# --- partial_fit ----------------------------------------------------------------------


def _stochastic(params):
    """Parameters for partial_fit: a stochastic solver, and no early stopping (one epoch per
    call holds nothing out to stop on)."""
    solver = "sgd" if params["solver"] == "lbfgs" else params["solver"]
    return {**params, "solver": solver, "early_stopping": False}


@SETTINGS
@given(valid_problems(), st.integers(1, 4))
def test_partial_fit_in_chunks_on_valid_data_predicts_valid_probabilities(problem, chunks):
    X, y, sample_weight, params = problem
    clf = TinyMLPClassifier(**_stochastic(params))
    classes = None if np.ndim(y) == 2 else np.unique(y)
    for rows in np.array_split(np.arange(X.shape[0]), chunks):
        sw = None if sample_weight is None else sample_weight[rows].astype(np.float64)
        if sw is not None:
            sw[0] = max(sw[0], 1.0)  # a call whose weights are all zero has nothing to learn
        quietly(clf.partial_fit, X[rows], y[rows], classes=classes, sample_weight=sw)
    assert_valid_predictions(clf, X)


@SETTINGS
@given(invalid_problems(tuple(d for d in DEFECTS if d not in NOT_FOR_PARTIAL_FIT)))
def test_partial_fit_on_invalid_data_raises_the_error_for_its_defect(problem):
    X, y, sample_weight, params, error, message = problem
    clf = TinyMLPClassifier(**_stochastic(params))
    classes = None if np.ndim(y) == 2 else np.unique(y)
    assert_raises(
        error,
        message,
        lambda: clf.partial_fit(X, y, classes=classes, sample_weight=sample_weight),
    )


# --- predicting on new data -----------------------------------------------------------


@SETTINGS
@given(valid_problems(), st.sampled_from(X_DTYPES), st.integers(1, 10))
def test_predict_on_new_data_of_any_dtype(problem, dtype, n_new):
    X, y, sample_weight, params = problem
    clf = TinyMLPClassifier(**params)
    quietly(lambda: clf.fit(X, y, sample_weight=sample_weight))
    rng = np.random.RandomState(0)
    X_new = (rng.standard_normal((n_new, X.shape[1])) * 3).astype(dtype)
    quietly(lambda: assert_valid_predictions(clf, X_new))


@SETTINGS
@given(
    valid_problems(),
    st.sampled_from(["nan", "inf", "other-width"]),
    st.sampled_from([-1, 1, 2]),
    st.sampled_from(["predict", "predict_proba", "predict_log_proba"]),
)
def test_predict_on_invalid_new_data_raises_the_error_for_its_defect(
    problem, defect, width_change, method
):
    X, y, sample_weight, params = problem
    clf = TinyMLPClassifier(**params)
    quietly(lambda: clf.fit(X, y, sample_weight=sample_weight))
    n_features = X.shape[1]
    X_new = np.zeros((3, n_features))
    if defect == "nan":
        X_new[1, -1], message = np.nan, NAN_X
    elif defect == "inf":
        X_new[1, -1], message = -np.inf, INF_X
    else:
        width = n_features + width_change if n_features + width_change > 0 else n_features + 1
        X_new = np.zeros((3, width))
        message = f"X has {width} features, but TinyMLPClassifier is expecting {n_features}"
    assert_raises(ValueError, message, lambda: getattr(clf, method)(X_new))


# --- refitting with warm_start --------------------------------------------------------


def _subset(X, y, sample_weight, seed):
    """About half the rows, always with the guard rows (see valid_problems), so the subset
    is a valid problem too."""
    n_guard = 4 if np.ndim(y) == 2 else 2 * len(np.unique(y))
    rest = np.random.RandomState(seed).permutation(np.arange(n_guard, X.shape[0]))
    rows = np.r_[np.arange(n_guard), rest[: len(rest) // 2]]
    return X[rows], y[rows], None if sample_weight is None else sample_weight[rows]


@SETTINGS
@given(valid_problems(), st.integers(0, 2**32 - 1))
def test_warm_start_refit_on_a_subset_keeps_the_invariant(problem, seed):
    X, y, sample_weight, params = problem
    clf = TinyMLPClassifier(**{**params, "warm_start": True})
    quietly(lambda: clf.fit(X, y, sample_weight=sample_weight))
    X_sub, y_sub, sw_sub = _subset(X, y, sample_weight, seed)
    quietly(lambda: clf.fit(X_sub, y_sub, sample_weight=sw_sub))
    assert_valid_predictions(clf, X)


def _with_a_new_label(y):
    """y with its first label replaced by one of the same type that y does not hold."""
    y = y.copy()
    if y.dtype.kind in "iuf":
        y[0] = y.max() + 1
    else:  # strings, as str or object
        y = y.astype(object)
        y[0] = "a new label"
    return y


@SETTINGS
@given(valid_problems(), st.sampled_from(["other-width", "other-targets"]))
def test_warm_start_refit_on_incompatible_data_raises_the_error_for_its_defect(problem, defect):
    X, y, sample_weight, params = problem
    clf = TinyMLPClassifier(**{**params, "warm_start": True})
    quietly(lambda: clf.fit(X, y, sample_weight=sample_weight))
    n_features = X.shape[1]
    if defect == "other-width" or y.dtype == bool:  # bool labels: no third label to add
        X_new, y_new = np.zeros((X.shape[0], n_features + 1)), y
        message = f"X has {n_features + 1} features, but TinyMLPClassifier is expecting"
    elif np.ndim(y) == 2:  # a multilabel target of another width
        X_new, y_new = X, np.c_[y, y[:, :1]]
        message = f"fitted on multilabel targets with {y.shape[1]} labels"
    else:
        X_new, y_new = X, _with_a_new_label(y)
        message = "Set warm_start=False to train a new network on these classes"
    assert_raises(ValueError, message, lambda: clf.fit(X_new, y_new))


# --- what training does ----------------------------------------------------------------

BEHAVIOUR_SETTINGS = settings(SETTINGS, max_examples=12)


@st.composite
def separable_problems(draw):
    """(X, y, params): well-separated classes (blobs three standard deviations apart) drawn
    from a seed, and a network and solver that learn them in a few epochs. Tolerance 0 and
    patience max_iter: every epoch runs."""
    rng = np.random.RandomState(draw(st.integers(0, 2**32 - 1)))
    n_classes = draw(st.integers(2, 3))
    n_samples = draw(st.integers(6 * n_classes, 40))
    n_features = draw(st.integers(2, 4))
    y = np.arange(n_samples) % n_classes
    centres = 3 * rng.standard_normal((n_classes, n_features))
    X = centres[y] + rng.standard_normal((n_samples, n_features))
    solver = draw(st.sampled_from(["sgd", "adam", "lbfgs"]))
    max_iter = draw(st.integers(5, 15))
    params = {
        "hidden_layer_sizes": (draw(st.integers(2, 6)),),
        "activation": draw(st.sampled_from(["identity", "logistic", "tanh", "relu"])),
        "solver": solver,
        "alpha": draw(st.sampled_from([0.0, 1e-4])),
        "batch_size": draw(st.sampled_from(["auto", 8])),
        "learning_rate_init": 0.01 if solver == "adam" else 0.05,
        "max_iter": max_iter,
        "tol": 0.0,
        "n_iter_no_change": max_iter,
        "random_state": draw(st.integers(0, 2**32 - 1)),
    }
    return X, y, params


@BEHAVIOUR_SETTINGS
@given(separable_problems())
def test_training_lowers_the_loss_on_a_separable_sample(problem):
    X, y, params = problem
    clf = quietly(TinyMLPClassifier(**params).fit, X, y)
    assert len(clf.loss_curve_) >= 2
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.loss_ == clf.loss_curve_[-1]


@BEHAVIOUR_SETTINGS
@given(separable_problems(), st.data())
def test_a_heavier_row_pulls_its_prediction_toward_its_label(problem, data):
    # One row's label is flipped, so the fit cannot predict it with certainty; the same fit
    # with that row weighing 20 must give the row's label more probability. At the minimum
    # of loss_rest + w · loss_row, loss_row falls as w grows: without hidden layers, with
    # alpha > 0 and L-BFGS run to convergence, that minimum is unique and is what the fit
    # finds. (A hidden layer gives several minima, and a heavier row may lead to another
    # one; a few epochs of SGD follow the rest of the data first.)
    X, y, params = problem
    row = data.draw(st.integers(0, len(y) - 1))
    y = y.copy()
    y[row] = (y[row] + 1) % len(np.unique(y))
    params = {
        **params,
        "hidden_layer_sizes": (),
        "solver": "lbfgs",
        "alpha": 0.1,
        "max_iter": 500,
        "tol": 1e-7,
    }
    heavy = np.ones(len(y))
    heavy[row] = 20.0
    plain = quietly(TinyMLPClassifier(**params).fit, X, y)
    weighted = quietly(TinyMLPClassifier(**params).fit, X, y, sample_weight=heavy)
    label = list(plain.classes_).index(y[row])
    before = plain.predict_log_proba(X[row : row + 1])[0, label]
    after = weighted.predict_log_proba(X[row : row + 1])[0, label]
    assert after > before


@BEHAVIOUR_SETTINGS
@given(separable_problems(), st.integers(0, 2**32 - 1))
def test_lbfgs_predictions_do_not_depend_on_the_order_of_the_rows(problem, seed):
    X, y, params = problem
    params = {**params, "solver": "lbfgs"}
    order = np.random.RandomState(seed).permutation(len(y))
    weights = np.random.RandomState(seed).uniform(0.5, 2.0, len(y))
    fitted = quietly(TinyMLPClassifier(**params).fit, X, y, sample_weight=weights)
    shuffled = quietly(
        TinyMLPClassifier(**params).fit, X[order], y[order], sample_weight=weights[order]
    )
    np.testing.assert_allclose(shuffled.predict_proba(X), fitted.predict_proba(X), rtol=1e-6)
