"""scikit-learn's own MLP test module, run against TinyMLPClassifier.

The module is ``sklearn/neural_network/tests/test_mlp.py`` of the installed
scikit-learn, read from the installation (nothing is copied into this
repository). It is loaded while ``sklearn.neural_network.MLPClassifier`` is
TinyMLPClassifier, so its ``from sklearn.neural_network import MLPClassifier``
binds our class, in the test bodies and in the ``parametrize`` lists alike: the
only adaptation is that swap. Its test functions are then collected here:

* a case is a classifier case when it uses ``MLPClassifier``: in its body, or
  as a value of one of its ``parametrize`` lists. The other cases
  (``MLPRegressor`` only) are not collected, and neither are the
  ``MLPRegressor`` values of a list shared by both estimators;
* parametrized cases keep their parameters, one test per combination, with ids
  in pytest's order (``test_mlp_param_dtypes[TinyMLPClassifier-float32]``);
* every case passes except those in ``EXPECTED_FAILURES``, which are marked
  ``xfail(strict=True)`` with the reason: a case listed there that starts to
  pass fails the suite, so the list cannot go stale. Reasons beginning
  "TODO-parity:" are behaviours still to be brought in line with
  ``MLPClassifier``; the others are the deliberate differences of
  ``docs/migrating.rst``.
"""

import importlib.util
import itertools
import types
from pathlib import Path

import pytest
import sklearn
import sklearn.neural_network

from sklearn_tinymlp import TinyMLPClassifier

SKLEARN_TEST_MLP = Path(sklearn.__file__).parent / "neural_network" / "tests" / "test_mlp.py"

# {case: reason}: a function name covers all its parameter combinations, a name
# with "[ids]" one combination. Checked against the test modules of scikit-learn
# 1.6.1 (the oldest supported) and 1.9.1, where the same cases fail.
EXPECTED_FAILURES = {
    # --- deliberate differences (the table in docs/migrating.rst) ------------------------------
    "test_predict_proba_multilabel": (
        "predict_log_proba is computed from the logits, more precisely than np.log(predict_proba): "
        "where a probability is within 1e-10 of 1 the two differ by more than the case's rtol=1e-7"
    ),
    "test_early_stopping_stratified": (
        "a class too small to split is kept in training instead of raising ValueError"
    ),
    "test_preserve_feature_names": "y with a single class is refused with a ValueError",
    "test_gradient": (
        "calls MLPClassifier's private method _loss_grad_lbfgs, which TinyMLPClassifier does not "
        "have (its gradients are checked in tests/test_gradients.py)"
    ),
}


def _load_module_with_tinymlp():
    """Execute scikit-learn's test_mlp.py with MLPClassifier bound to TinyMLPClassifier."""
    if not SKLEARN_TEST_MLP.is_file():
        raise FileNotFoundError(
            f"scikit-learn {sklearn.__version__} is installed without its tests "
            f"({SKLEARN_TEST_MLP} is missing); install it from a wheel, which ships them."
        )
    spec = importlib.util.spec_from_file_location("_sklearn_test_mlp_on_tinymlp", SKLEARN_TEST_MLP)
    module = importlib.util.module_from_spec(spec)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sklearn.neural_network, "MLPClassifier", TinyMLPClassifier)
        spec.loader.exec_module(module)
    assert module.MLPClassifier is TinyMLPClassifier
    return module


def _global_names(code):
    """Global names a function's code (nested functions and lambdas included) looks up."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _value_id(argname, value, index):
    # pytest's own ids for these values: names for classes, str() for scalars,
    # argname + index for anything else (arrays).
    if isinstance(value, type):
        return value.__name__
    if value is None or isinstance(value, (str, int, float, bool)):
        return str(value)
    return f"{argname}{index}"


def _axis(mark, regressor):
    """One parametrize mark as [(argnames, values, id, marks)], without MLPRegressor values."""
    argnames, argvalues = mark.args[0], list(mark.args[1])
    names = [n.strip() for n in argnames.split(",")] if isinstance(argnames, str) else argnames
    ids = mark.kwargs.get("ids")
    rows = []
    for index, value in enumerate(argvalues):
        marks, given_id = (), None
        if hasattr(value, "values") and hasattr(value, "marks"):  # pytest.param(...)
            value, marks, given_id = value.values, tuple(value.marks), value.id
        values = tuple(value) if len(names) > 1 else (value,)
        if any(v is regressor for v in values):
            continue
        if given_id is None and isinstance(ids, (list, tuple)):
            given_id = ids[index]
        elif given_id is None and callable(ids):
            given_id = ids(value)
        if given_id is None:
            given_id = "-".join(_value_id(n, v, index) for n, v in zip(names, values))
        rows.append((names, values, str(given_id), marks))
    return rows


def _xfail_marks(name, case_id=None):
    reason = EXPECTED_FAILURES.get(name)
    if case_id is not None:
        reason = EXPECTED_FAILURES.get(f"{name}[{case_id}]", reason)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


CASE_NAMES = set()  # every classifier case: function names and "name[ids]"


def _classifier_case(function, regressor):
    """The test adapted for collection here, or None for a regressor-only case."""
    marks = list(getattr(function, "pytestmark", []))
    parametrize = [m for m in marks if m.name == "parametrize"]
    others = [m for m in marks if m.name != "parametrize"]
    axes = [_axis(m, regressor) for m in parametrize]
    uses_classifier = "MLPClassifier" in _global_names(function.__code__) or any(
        any(v is TinyMLPClassifier for v in row[1]) for axis in axes for row in axis
    )
    if not uses_classifier or any(not axis for axis in axes):
        return None
    case = types.FunctionType(
        function.__code__,
        function.__globals__,
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    case.__doc__ = function.__doc__
    case.__dict__.update(function.__dict__)
    name = function.__name__
    CASE_NAMES.add(name)
    if axes:
        # The cartesian product in pytest's order (the innermost decorator's ids first),
        # as one parametrize mark so that each combination can carry its own xfail.
        argnames = [n for axis in axes for n in axis[0][0]]
        params = []
        for combo in itertools.product(*axes):
            case_id = "-".join(row[2] for row in combo)
            CASE_NAMES.add(f"{name}[{case_id}]")
            values = [v for row in combo for v in row[1]]
            row_marks = [m for row in combo for m in row[3]] + _xfail_marks(name, case_id)
            params.append(pytest.param(*values, id=case_id, marks=row_marks))
        others.append(pytest.mark.parametrize(",".join(argnames), params).mark)
    else:
        others.extend(m.mark for m in _xfail_marks(name))
    case.pytestmark = others
    return case


def _collect():
    module = _load_module_with_tinymlp()
    regressor = module.MLPRegressor
    cases, regressor_only = {}, []
    for name, function in vars(module).items():
        if name.startswith("test_") and isinstance(function, types.FunctionType):
            case = _classifier_case(function, regressor)
            if case is None:
                regressor_only.append(name)
            else:
                cases[name] = case
    return cases, regressor_only


CLASSIFIER_CASES, REGRESSOR_ONLY_CASES = _collect()
globals().update(CLASSIFIER_CASES)


@pytest.fixture
def global_random_seed():
    """scikit-learn's conftest fixture, at its default seed (42), for cases that ask for it."""
    return 42


def test_the_expected_failures_name_classifier_cases():
    """Each EXPECTED_FAILURES key names a classifier case (a typo would silently not mark)."""
    assert set(EXPECTED_FAILURES) <= CASE_NAMES


def test_scikit_learns_module_has_classifier_and_regressor_cases():
    """The split into classifier and regressor-only cases found both kinds."""
    assert len(CLASSIFIER_CASES) >= 20
    assert REGRESSOR_ONLY_CASES
    assert "test_lbfgs_classification" in CLASSIFIER_CASES
    assert "test_lbfgs_regression" in REGRESSOR_ONLY_CASES
