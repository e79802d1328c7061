"""A catalogue of bad inputs: each gets one exact error type and a message that says what is wrong.

Every row is ``(id, call, error type, regular expression the message must match)``; ``call``
takes the estimator class, and ``{name}`` in the expression stands for its name. The rows of
``SHARED`` run for both estimators, those of ``CLASSIFIER`` and ``REGRESSOR`` for one. The
regular expressions accept the wording of every supported scikit-learn version where
scikit-learn's own validation produces the message.
"""

import re

import numpy as np
import pytest
from scipy import sparse
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_tinymlp import TinyMLPClassifier, TinyMLPRegressor

from helpers import classes_of, outputs, quiet_convergence

pytestmark = quiet_convergence

RNG = np.random.RandomState(0)
X = RNG.standard_normal((30, 3))
y = np.array([0, 1, 2] * 10)  # three classes, or three target values
y_binary = np.array([0, 1] * 15)


def _with(value, row=0, col=0, data=X):
    bad = data.copy()
    bad[row, col] = value
    return bad


def quick(Estimator, **params):
    """An estimator that fails or fits in milliseconds."""
    return Estimator(**{"hidden_layer_sizes": (3,), "max_iter": 2, **params})


def fitted(Estimator, X_fit=X, y_fit=y):
    return quick(Estimator).fit(X_fit, y_fit)


def partially_fitted(Estimator):
    model = quick(Estimator, solver="sgd")
    return model.partial_fit(X, y, **classes_of(model, y))


def fitted_on_frame(Estimator):
    pd = pytest.importorskip("pandas")
    return fitted(Estimator, pd.DataFrame(X, columns=["a", "b", "c"]))


def renamed_frame():
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(X, columns=["a", "b", "z"])


def fit(X_fit=X, y_fit=y, **fit_params):
    return lambda E: quick(E).fit(X_fit, y_fit, **fit_params)


NAN = "Input X contains NaN"
INF = "Input X contains infinity"
MISSING_TARGET = "Drop or impute the rows whose target is missing"

SHARED = [
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
    (
        "y-nan",
        fit(X, _with(np.nan, data=y.astype(float)[:, None]).ravel()),
        ValueError,
        rf"Input y contains NaN\. {MISSING_TARGET}",
    ),
    (
        "y-inf",
        fit(X, _with(-np.inf, data=y.astype(float)[:, None]).ravel()),
        ValueError,
        rf"Input y contains infinity.* {MISSING_TARGET}",
    ),
    ("y-too-short", fit(X, y[:-1]), ValueError, r"inconsistent numbers of samples: \[30, 29\]"),
    ("y-too-long", fit(X[:-1], y), ValueError, r"inconsistent numbers of samples: \[29, 30\]"),
    ("y-none", fit(X, None), ValueError, "requires y to be passed"),
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
    (
        "sw-overflows-float32",
        fit(X.astype(np.float32), y, sample_weight=np.r_[1e300, np.ones(29)]),
        ValueError,
        "Input sample_weight contains infinity",
    ),
    # --- parameters that need each other ---------------------------------------
    (
        "dropout-with-lbfgs",
        lambda E: quick(E, solver="lbfgs", dropout=0.5).fit(X, y),
        ValueError,
        r"dropout=0.5 needs solver='sgd' or 'adam'",
    ),
    # --- training on ------------------------------------------------------------
    (
        "pf-changed-feature-count",
        lambda E: partially_fitted(E).partial_fit(X[:, :2], y),
        ValueError,
        "X has 2 features, but {name} is expecting 3",
    ),
    (
        "warm-start-changed-feature-count",
        lambda E: quick(E, warm_start=True).fit(X, y).fit(X[:, :2], y),
        ValueError,
        "X has 2 features, but {name} is expecting 3",
    ),
    # --- predict-time X ----------------------------------------------------------
    (
        "predict-wrong-feature-count",
        lambda E: fitted(E).predict(X[:, :2]),
        ValueError,
        "X has 2 features, but {name} is expecting 3 features",
    ),
    (
        "score-wrong-feature-count",
        lambda E: fitted(E).score(X[:, :2], y),
        ValueError,
        "X has 2 features, but {name} is expecting 3 features",
    ),
    (
        "predict-wrong-feature-names",
        lambda E: fitted_on_frame(E).predict(renamed_frame()),
        ValueError,
        "(?s)feature names should match.*unseen at fit time:\n- z",
    ),
    ("predict-nan", lambda E: fitted(E).predict(_with(np.nan)), ValueError, NAN),
    (
        "predict-both-infs",
        lambda E: fitted(E).predict(_with(-np.inf, row=1, data=_with(np.inf))),
        ValueError,
        INF,
    ),
    (
        "predict-inf-csr",
        lambda E: fitted(E).predict(sparse.csr_matrix(_with(np.inf))),
        ValueError,
        INF,
    ),
    ("predict-1d", lambda E: fitted(E).predict(X[0]), ValueError, "Expected 2D array, got 1D"),
    ("predict-no-rows", lambda E: fitted(E).predict(np.empty((0, 3))), ValueError, r"0 sample"),
    (
        "predict-strings",
        lambda E: fitted(E).predict(np.full((2, 3), "a")),
        ValueError,
        "could not convert string to float",
    ),
    ("predict-before-fit", lambda E: quick(E).predict(X), NotFittedError, "is not fitted yet"),
    ("score-before-fit", lambda E: quick(E).score(X, y), NotFittedError, "is not fitted yet"),
]

CLASSIFIER = [
    ("y-continuous", fit(X, X[:, 0]), ValueError, "Unknown label type: '?continuous"),
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
    (
        "sw-one-class-left",
        fit(sample_weight=(y == 0).astype(float)),
        ValueError,
        "Only one class has a positive sample_weight",
    ),
    # --- class_weight ----------------------------------------------------------
    (
        "cw-unknown-label",
        lambda E: quick(E, class_weight={0: 1.0, 7: 2.0}).fit(X, y),
        ValueError,
        r"class_weight names labels that are not in the data: \[7\]",
    ),
    (
        "cw-negative",
        lambda E: quick(E, class_weight={0: -1.0}).fit(X, y),
        ValueError,
        "class_weight values must be finite and non-negative",
    ),
    (
        "cw-nan",
        lambda E: quick(E, class_weight={0: np.nan}).fit(X, y),
        ValueError,
        "class_weight values must be finite and non-negative",
    ),
    (
        "cw-balanced-overflows",
        lambda E: quick(E, class_weight="balanced").fit(
            X, y, sample_weight=np.where(y == 0, 5e-324, 1.0)
        ),
        ValueError,
        r"sample_weight × class_weight overflows float64 for some samples",
    ),
    (
        "cw-dict-overflows-float32",
        lambda E: quick(E, class_weight={0: 1e38}).fit(
            X.astype(np.float32), y, sample_weight=[10.0] * 30
        ),
        ValueError,
        r"sample_weight × class_weight overflows float32 for some samples",
    ),
    (
        "cw-multilabel",
        lambda E: quick(E, class_weight={0: 2.0}).fit(X, np.c_[y_binary, 1 - y_binary]),
        ValueError,
        # a {label: weight} dict has no meaning for independent labels
        r"class_weight (is not supported )?for multilabel targets",
    ),
    # --- partial_fit -----------------------------------------------------------
    (
        "pf-no-classes",
        lambda E: quick(E).partial_fit(X, y),
        ValueError,
        "classes must be passed on the first call to partial_fit",
    ),
    (
        "pf-unseen-class",
        lambda E: partially_fitted(E).partial_fit(X, np.r_[3, y[1:]]),
        ValueError,
        r"y contains labels not seen before: \[3\]",
    ),
    (
        "pf-label-outside-classes",
        lambda E: quick(E).partial_fit(X, y, classes=[0, 1]),
        ValueError,
        r"y contains labels not seen before: \[2\]",
    ),
    (
        "pf-changed-classes",
        lambda E: partially_fitted(E).partial_fit(X, y, classes=[0, 1, 2, 3]),
        ValueError,
        re.escape(
            "classes=[0, 1, 2, 3] differs from the classes of the first partial_fit call, [0, 1, 2]"
        ),
    ),
    (
        "pf-single-class",
        lambda E: quick(E).partial_fit(X, np.zeros(30), classes=[0]),
        ValueError,
        "needs at least 2 classes",
    ),
    (
        "pf-multilabel-changed-width",
        lambda E: (
            quick(E)
            .partial_fit(X, np.c_[y_binary, 1 - y_binary])
            .partial_fit(X, np.c_[y_binary, y_binary, y_binary])
        ),
        ValueError,
        "fitted on multilabel targets with 2 labels",
    ),
    # --- predict-time X ----------------------------------------------------------
    (
        "predict-proba-wrong-feature-count",
        lambda E: fitted(E).predict_proba(X[:, :4][:, [0, 1, 2, 0]]),
        ValueError,
        "X has 4 features, but TinyMLPClassifier is expecting 3 features",
    ),
    (
        "predict-log-proba-wrong-feature-count",
        lambda E: fitted(E).predict_log_proba(X[:, :1]),
        ValueError,
        "X has 1 features, but TinyMLPClassifier is expecting 3 features",
    ),
    (
        "predict-proba-inf-csr",
        lambda E: fitted(E).predict_proba(sparse.csr_matrix(_with(np.inf))),
        ValueError,
        INF,
    ),
    (
        "predict-proba-before-fit",
        lambda E: quick(E).predict_proba(X),
        NotFittedError,
        "is not fitted yet",
    ),
    (
        "predict-log-proba-before-fit",
        lambda E: quick(E).predict_log_proba(X),
        NotFittedError,
        "is not fitted yet",
    ),
]

REGRESSOR = [
    (
        "y-negative-with-poisson",
        lambda E: quick(E, loss="poisson").fit(X, np.r_[-1.0, y[1:]]),
        ValueError,
        r"loss='poisson' needs non-negative targets.*1 negative value.*use loss='squared_error'",
    ),
    (
        "quantile-loss-without-a-quantile",
        lambda E: quick(E, loss="quantile").fit(X, y),
        ValueError,
        r"loss='quantile' needs the quantile to fit: pass quantile=q with 0 < q < 1",
    ),
]

CATALOGUE = [
    pytest.param(Estimator, *row[1:], id=f"{kind}-{row[0]}")
    for Estimator, kind, rows in [
        (TinyMLPClassifier, "classifier", SHARED + CLASSIFIER),
        (TinyMLPRegressor, "regressor", SHARED + REGRESSOR),
    ]
    for row in rows
]


@pytest.mark.parametrize("Estimator, call, error, match", CATALOGUE)
def test_bad_input_gets_a_clear_error(Estimator, call, error, match):
    with pytest.raises(error, match=match.replace("{name}", Estimator.__name__)) as excinfo:
        call(Estimator)
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
    "callbacks": ["f", print, (print,)],
    "dropout": [-0.1, 1, 1.0, 1.5, np.nan, "half"],
    "scoring": [1, ["accuracy"]],
}
INVALID_FOR = {
    TinyMLPClassifier: {**INVALID_PARAMETERS, "class_weight": ["bal", [1.0, 2.0], 3]},
    TinyMLPRegressor: {
        **INVALID_PARAMETERS,
        "loss": ["huber", "log_loss", None],
        "quantile": [0, 0.0, 1, 1.0, -0.1, "a"],
    },
}


def test_catalogue_covers_every_constrained_parameter(Estimator):
    assert set(INVALID_FOR[Estimator]) == set(Estimator._parameter_constraints)


# partial_fit exists only for the stochastic solvers (test_mlp_parity.py's
# test_partial_fit_is_hidden_for_lbfgs), so
# an invalid solver is tested through fit alone.
INVALID_CALLS = [
    pytest.param(Estimator, method, name, value, id=f"{kind}-{method}-{name}={value!r}")
    for Estimator, kind in [(TinyMLPClassifier, "classifier"), (TinyMLPRegressor, "regressor")]
    for name, values in INVALID_FOR[Estimator].items()
    for value in values
    for method in ("fit", "partial_fit")
    if not (method == "partial_fit" and name == "solver")
]


@pytest.mark.parametrize("Estimator, method, name, value", INVALID_CALLS)
def test_invalid_parameter_value_is_refused(Estimator, method, name, value):
    model = quick(Estimator, **{"solver": "sgd", name: value})
    fit_arguments = classes_of(model, y) if method == "partial_fit" else {}
    expected = rf"The '{name}' parameter of {Estimator.__name__} must be .* Got "
    if not callable(value):
        expected += re.escape(repr(value))
    with pytest.raises(InvalidParameterError, match=expected) as excinfo:
        getattr(model, method)(X, y, **fit_arguments)
    assert excinfo.type is InvalidParameterError


@pytest.mark.parametrize(
    "sizes",
    [(0,), (3, 0), (-2,), (2.5,), (3, 2.0), ("a",), [[2, 3]], True, (True,), (4, False)],
    ids=repr,
)
def test_invalid_hidden_layer_sequence_is_refused(Estimator, sizes):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "hidden_layer_sizes must be a positive integer or a sequence of positive "
            f"integers (empty for no hidden layer), got {sizes!r}."
        ),
    ) as excinfo:
        quick(Estimator, hidden_layer_sizes=sizes).fit(X, y)
    assert excinfo.type is ValueError


@pytest.mark.parametrize("callbacks", [["not callable"], [print, 3]], ids=repr)
def test_non_callable_callback_is_refused_before_training(Estimator, callbacks):
    model = quick(Estimator, callbacks=callbacks)
    with pytest.raises(TypeError, match="callbacks must be a list of callables"):
        model.fit(X, y)
    assert not hasattr(model, "coefs_")


VALID_EDGES = [
    {"hidden_layer_sizes": 1, "alpha": 0.0, "batch_size": 1, "max_iter": 1},
    {"hidden_layer_sizes": np.array([3, 2]), "momentum": 0.0, "solver": "sgd"},
    {"momentum": 1.0, "solver": "sgd", "beta_1": 0.0, "beta_2": 0.0, "tol": 0.0},
    {"n_iter_no_change": np.inf, "power_t": 0.0, "learning_rate": "invscaling"},
    {"validation_fraction": 0.5, "early_stopping": True, "callbacks": []},
]
VALID_EDGES_FOR = {
    TinyMLPClassifier: [*VALID_EDGES, {"class_weight": {0: 0.0, 1: 1.0, 2: 1.0}}],
    TinyMLPRegressor: [*VALID_EDGES, {"loss": "quantile", "quantile": 1e-9}],
}


def test_valid_parameter_edges_are_accepted(Estimator):
    """The boundaries the constraints allow really train (the table is not over-strict)."""
    for params in VALID_EDGES_FOR[Estimator]:
        model = quick(Estimator, **params).fit(X, y)
        assert np.isfinite(outputs(model, X)).all(), params
