"""A catalogue of bad inputs: each gets one exact error type and a message that says what is wrong.

Every row is ``(call, error type, regular expression the message must match)``.
The regular expressions accept the wording of every supported scikit-learn
version where scikit-learn's own validation produces the message.
"""

import re

import numpy as np
import pytest
from scipy import sparse
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_tinymlp import TinyMLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.RandomState(0)
X = RNG.standard_normal((30, 3))
y = np.array([0, 1, 2] * 10)
y_binary = np.array([0, 1] * 15)


def _with(value, row=0, col=0, data=X):
    bad = data.copy()
    bad[row, col] = value
    return bad


def quick(**params):
    """A classifier that fails or fits in milliseconds."""
    return TinyMLPClassifier(**{"hidden_layer_sizes": (3,), "max_iter": 2, **params})


def fitted(X_fit=X, y_fit=y):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quick().fit(X_fit, y_fit)


def fitted_on_frame():
    pd = pytest.importorskip("pandas")
    return fitted(pd.DataFrame(X, columns=["a", "b", "c"]))


def renamed_frame():
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(X, columns=["a", "b", "z"])


def fit(X_fit=X, y_fit=y, **fit_params):
    return lambda: quick().fit(X_fit, y_fit, **fit_params)


NAN = "Input X contains NaN"
INF = "Input X contains infinity"

CATALOGUE = [
    # --- X at fit time ---------------------------------------------------------
    ("X-nan-dense", fit(_with(np.nan)), ValueError, NAN),
    ("X-inf-dense", fit(_with(np.inf)), ValueError, INF),
    ("X-neg-inf-dense", fit(_with(-np.inf)), ValueError, INF),
    # +inf and −inf together: the clear error, not a RuntimeWarning from inf − inf
    ("X-both-infs-dense", fit(_with(-np.inf, row=1, data=_with(np.inf))), ValueError, INF),
    ("X-nan-csr", fit(sparse.csr_matrix(_with(np.nan))), ValueError, NAN),
    ("X-inf-csr", fit(sparse.csr_matrix(_with(np.inf))), ValueError, INF),
    ("X-nan-csc", fit(sparse.csc_matrix(_with(np.nan))), ValueError, NAN),
    ("X-no-rows", fit(np.empty((0, 3)), np.array([])), ValueError, r"0 sample\(s\)"),
    ("X-no-columns", fit(np.empty((30, 0))), ValueError, r"0 feature\(s\)"),
    ("X-1d", fit(X[:, 0]), ValueError, "Expected 2D array, got 1D array"),
    ("X-3d", fit(X[:, :, None]), ValueError, "Found array with dim 3"),
    ("X-none", fit(None), ValueError, "Expected 2D array, got scalar array"),
    ("X-ragged", fit([[1.0, 2.0], [3.0]], [0, 1]), ValueError, "inhomogeneous"),
    ("X-strings", fit(np.full((30, 3), "a")), ValueError, "could not convert string to float"),
    ("X-objects", fit(np.full((30, 3), {}, dtype=object)), TypeError, "must be a string or a"),
    ("X-complex", fit(X + 1j), ValueError, "Complex data not supported"),
    # --- y at fit time ---------------------------------------------------------
    ("y-continuous", fit(X, X[:, 0]), ValueError, "Unknown label type: '?continuous"),
    (
        "y-nan",
        fit(X, _with(np.nan, data=y.astype(float)[:, None]).ravel()),
        ValueError,
        "Input y contains NaN",
    ),
    (
        "y-inf",
        fit(X, _with(np.inf, data=y.astype(float)[:, None]).ravel()),
        ValueError,
        "Input y contains infinity",
    ),
    (
        "y-single-class",
        fit(X, np.zeros(30)),
        ValueError,
        "needs at least 2 classes.*only one class: 0.0",
    ),
    (
        "y-single-string-class",
        fit(X, np.full(30, "spam")),
        ValueError,
        "needs at least 2 classes.*only one class: 'spam'",
    ),
    ("y-too-short", fit(X, y[:-1]), ValueError, r"inconsistent numbers of samples: \[30, 29\]"),
    ("y-too-long", fit(X[:-1], y), ValueError, r"inconsistent numbers of samples: \[29, 30\]"),
    ("y-none", fit(X, None), ValueError, "requires y to be passed"),
    (
        "y-mixed-types",
        fit(X, np.array(["a", 1, 2.0] * 10, dtype=object)),
        ValueError,
        "y mixes string labels with labels of other types",
    ),
    (
        "y-multiclass-multioutput",
        fit(X, np.c_[y, y]),
        ValueError,
        "Multioutput target data is not supported",
    ),
    # --- sample_weight ---------------------------------------------------------
    (
        "sw-negative",
        fit(sample_weight=np.r_[-1.0, np.ones(29)]),
        ValueError,
        "Negative values in data passed to `sample_weight`",
    ),
    (
        "sw-nan",
        fit(sample_weight=np.r_[np.nan, np.ones(29)]),
        ValueError,
        "Input sample_weight contains NaN",
    ),
    (
        "sw-inf",
        fit(sample_weight=np.r_[np.inf, np.ones(29)]),
        ValueError,
        "Input sample_weight contains infinity",
    ),
    (
        "sw-all-zero",
        fit(sample_weight=np.zeros(30)),
        ValueError,
        "(at least one non-zero|zero for every sample)",
    ),
    (
        "sw-one-class-left",
        fit(sample_weight=(y == 0).astype(float)),
        ValueError,
        "Only one class has a positive sample_weight",
    ),
    (
        "sw-wrong-length",
        fit(sample_weight=np.ones(29)),
        ValueError,
        r"sample_weight.shape == \(29,\), expected \(30,\)",
    ),
    (
        "sw-2d",
        fit(sample_weight=np.ones((30, 2))),
        ValueError,
        "Sample weights must be 1D array or scalar",
    ),
    (
        "sw-strings",
        fit(sample_weight=np.full(30, "heavy")),
        ValueError,
        "could not convert string to float",
    ),
    # --- class_weight ----------------------------------------------------------
    (
        "cw-unknown-label",
        lambda: quick(class_weight={0: 1.0, 7: 2.0}).fit(X, y),
        ValueError,
        r"class_weight names labels that are not in the data: \[7\]",
    ),
    (
        "cw-negative",
        lambda: quick(class_weight={0: -1.0}).fit(X, y),
        ValueError,
        "class_weight values must be finite and non-negative",
    ),
    (
        "cw-nan",
        lambda: quick(class_weight={0: np.nan}).fit(X, y),
        ValueError,
        "class_weight values must be finite and non-negative",
    ),
    (
        "cw-balanced-overflows",
        lambda: quick(class_weight="balanced").fit(
            X, y, sample_weight=np.where(y == 0, 5e-324, 1.0)
        ),
        ValueError,
        r"sample_weight × class_weight overflows float64 for some samples",
    ),
    (
        "cw-dict-overflows-float32",
        lambda: quick(class_weight={0: 1e38}).fit(
            X.astype(np.float32), y, sample_weight=[10.0] * 30
        ),
        ValueError,
        r"sample_weight × class_weight overflows float32 for some samples",
    ),
    (
        "sw-overflows-float32",
        fit(X.astype(np.float32), y, sample_weight=np.r_[1e300, np.ones(29)]),
        ValueError,
        "Input sample_weight contains infinity",
    ),
    (
        "cw-multilabel",
        lambda: quick(class_weight={0: 2.0}).fit(X, np.c_[y_binary, 1 - y_binary]),
        ValueError,
        # a {label: weight} dict has no meaning for independent labels
        r"class_weight (is not supported )?for multilabel targets",
    ),
    # --- partial_fit -----------------------------------------------------------
    (
        "pf-no-classes",
        lambda: quick().partial_fit(X, y),
        ValueError,
        "classes must be passed on the first call to partial_fit",
    ),
    (
        "pf-unseen-class",
        lambda: quick().partial_fit(X, y, classes=[0, 1, 2]).partial_fit(X, np.r_[3, y[1:]]),
        ValueError,
        r"y contains labels not seen before: \[3\]",
    ),
    (
        "dropout-with-lbfgs",
        lambda: quick(solver="lbfgs", dropout=0.5).fit(X, y),
        ValueError,
        r"dropout=0.5 needs solver='sgd' or 'adam'",
    ),
    (
        "pf-label-outside-classes",
        lambda: quick().partial_fit(X, y, classes=[0, 1]),
        ValueError,
        r"y contains labels not seen before: \[2\]",
    ),
    (
        "pf-changed-classes",
        lambda: (
            quick().partial_fit(X, y, classes=[0, 1, 2]).partial_fit(X, y, classes=[0, 1, 2, 3])
        ),
        ValueError,
        re.escape(
            "classes=[0, 1, 2, 3] differs from the classes of the first partial_fit call, [0, 1, 2]"
        ),
    ),
    (
        "pf-single-class",
        lambda: quick().partial_fit(X, np.zeros(30), classes=[0]),
        ValueError,
        "needs at least 2 classes",
    ),
    (
        "pf-changed-feature-count",
        lambda: quick().partial_fit(X, y, classes=[0, 1, 2]).partial_fit(X[:, :2], y),
        ValueError,
        "X has 2 features, but TinyMLPClassifier is expecting 3",
    ),
    (
        "pf-multilabel-changed-width",
        lambda: (
            quick()
            .partial_fit(X, np.c_[y_binary, 1 - y_binary])
            .partial_fit(X, np.c_[y_binary, y_binary, y_binary])
        ),
        ValueError,
        "fitted on multilabel targets with 2 labels",
    ),
    # --- refitting ---------------------------------------------------------------
    (
        "warm-start-changed-feature-count",
        lambda: quick(warm_start=True).fit(X, y).fit(X[:, :2], y),
        ValueError,
        "X has 2 features, but TinyMLPClassifier is expecting 3",
    ),
    # --- predict-time X ----------------------------------------------------------
    (
        "predict-wrong-feature-count",
        lambda: fitted().predict(X[:, :2]),
        ValueError,
        "X has 2 features, but TinyMLPClassifier is expecting 3 features",
    ),
    (
        "predict-proba-wrong-feature-count",
        lambda: fitted().predict_proba(X[:, :4][:, [0, 1, 2, 0]]),
        ValueError,
        "X has 4 features, but TinyMLPClassifier is expecting 3 features",
    ),
    (
        "predict-log-proba-wrong-feature-count",
        lambda: fitted().predict_log_proba(X[:, :1]),
        ValueError,
        "X has 1 features, but TinyMLPClassifier is expecting 3 features",
    ),
    (
        "score-wrong-feature-count",
        lambda: fitted().score(X[:, :2], y),
        ValueError,
        "X has 2 features, but TinyMLPClassifier is expecting 3 features",
    ),
    (
        "predict-wrong-feature-names",
        lambda: fitted_on_frame().predict(renamed_frame()),
        ValueError,
        "(?s)feature names should match.*unseen at fit time:\n- z",
    ),
    ("predict-nan", lambda: fitted().predict(_with(np.nan)), ValueError, NAN),
    (
        "predict-both-infs",
        lambda: fitted().predict(_with(-np.inf, row=1, data=_with(np.inf))),
        ValueError,
        INF,
    ),
    (
        "predict-proba-inf-csr",
        lambda: fitted().predict_proba(sparse.csr_matrix(_with(np.inf))),
        ValueError,
        INF,
    ),
    ("predict-1d", lambda: fitted().predict(X[0]), ValueError, "Expected 2D array, got 1D array"),
    ("predict-no-rows", lambda: fitted().predict(np.empty((0, 3))), ValueError, r"0 sample\(s\)"),
    (
        "predict-strings",
        lambda: fitted().predict(np.full((2, 3), "a")),
        ValueError,
        "could not convert string to float",
    ),
    ("predict-before-fit", lambda: quick().predict(X), NotFittedError, "is not fitted yet"),
    (
        "predict-proba-before-fit",
        lambda: quick().predict_proba(X),
        NotFittedError,
        "is not fitted yet",
    ),
    (
        "predict-log-proba-before-fit",
        lambda: quick().predict_log_proba(X),
        NotFittedError,
        "is not fitted yet",
    ),
    ("score-before-fit", lambda: quick().score(X, y), NotFittedError, "is not fitted yet"),
]


@pytest.mark.parametrize(
    "call, error, match", [row[1:] for row in CATALOGUE], ids=[row[0] for row in CATALOGUE]
)
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match) as excinfo:
        call()
    assert excinfo.type is error


# --- invalid parameter values: every entry of _parameter_constraints ------------------
#
# scikit-learn's declarative validation names the parameter, the accepted values
# and the value given; hidden_layer_sizes sequences and callbacks contents are
# checked by the estimator itself.

INVALID_PARAMETERS = {
    "hidden_layer_sizes": [0, -1, 2.5, "abc", None],
    "activation": ["softmax", None],
    "solver": ["newton", None],
    "alpha": [-1.0, np.nan, np.inf, "a"],
    "batch_size": [0, -5, 2.5, "big", None],
    "learning_rate": ["fast"],
    "learning_rate_init": [0, 0.0, -0.1, np.nan, np.inf],
    "power_t": [-0.5],
    "max_iter": [0, -1, 2.5, np.inf],
    "shuffle": ["yes", 1],
    "random_state": ["seed", -1, 2.5],
    "tol": [-1e-4, np.nan],
    "verbose": ["loud", -1],
    "warm_start": ["no"],
    "momentum": [-0.1, 1.1],
    "nesterovs_momentum": [None],
    "early_stopping": ["yes"],
    "validation_fraction": [0, 0.0, 1, 1.0, -0.1, 1.5],
    "beta_1": [1, 1.0, -0.1],
    "beta_2": [1, 1.0, -0.1],
    "epsilon": [0, -1e-8],
    "n_iter_no_change": [0, -1, 2.5, -np.inf],
    "max_fun": [0, -1],
    "class_weight": ["bal", [1.0, 2.0], 3],
    "callbacks": ["f", print, (print,)],
    "dropout": [-0.1, 1, 1.0, 1.5, np.nan, "half"],
    "scoring": [1, ["accuracy"]],
}


def test_catalogue_covers_every_constrained_parameter():
    assert set(INVALID_PARAMETERS) == set(TinyMLPClassifier._parameter_constraints)


# partial_fit exists only for the stochastic solvers (test_mlp_parity.py's
# test_partial_fit_is_hidden_for_lbfgs), so
# an invalid solver is tested through fit alone.
INVALID_CALLS = [
    (method, name, value)
    for name, values in INVALID_PARAMETERS.items()
    for value in values
    for method in ("fit", "partial_fit")
    if not (method == "partial_fit" and name == "solver")
]


@pytest.mark.parametrize(
    "method, name, value",
    INVALID_CALLS,
    ids=[f"{method}-{name}={value!r}" for method, name, value in INVALID_CALLS],
)
def test_invalid_parameter_value_is_refused(method, name, value):
    clf = quick(solver="sgd", **{name: value}) if name != "solver" else quick(solver=value)
    call = (
        (lambda: clf.fit(X, y))
        if method == "fit"
        else (lambda: clf.partial_fit(X, y, classes=[0, 1, 2]))
    )
    expected = rf"The '{name}' parameter of TinyMLPClassifier must be .* Got "
    if not callable(value):
        expected += re.escape(repr(value))
    with pytest.raises(InvalidParameterError, match=expected) as excinfo:
        call()
    assert excinfo.type is InvalidParameterError


@pytest.mark.parametrize(
    "sizes",
    [(0,), (3, 0), (-2,), (2.5,), (3, 2.0), ("a",), [[2, 3]], True, (True,), (4, False)],
    ids=repr,
)
def test_invalid_hidden_layer_sequence_is_refused(sizes):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "hidden_layer_sizes must be a positive integer or a sequence of positive "
            f"integers (empty for no hidden layer), got {sizes!r}."
        ),
    ) as excinfo:
        quick(hidden_layer_sizes=sizes).fit(X, y)
    assert excinfo.type is ValueError


@pytest.mark.parametrize("callbacks", [["not callable"], [print, 3]], ids=repr)
def test_non_callable_callback_is_refused_before_training(callbacks):
    clf = quick(callbacks=callbacks)
    with pytest.raises(TypeError, match="callbacks must be a list of callables"):
        clf.fit(X, y)
    assert not hasattr(clf, "coefs_")


def test_valid_parameter_edges_are_accepted():
    """The boundaries the constraints allow really train (the table is not over-strict)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for params in [
            {"hidden_layer_sizes": 1, "alpha": 0.0, "batch_size": 1, "max_iter": 1},
            {"hidden_layer_sizes": np.array([3, 2]), "momentum": 0.0, "solver": "sgd"},
            {"momentum": 1.0, "solver": "sgd", "beta_1": 0.0, "beta_2": 0.0, "tol": 0.0},
            {"n_iter_no_change": np.inf, "power_t": 0.0, "learning_rate": "invscaling"},
            {"validation_fraction": 0.5, "early_stopping": True},
            {"class_weight": {0: 0.0, 1: 1.0, 2: 1.0}, "callbacks": []},
        ]:
            clf = quick(**params).fit(X, y)
            assert np.isfinite(clf.predict_proba(X)).all(), params
