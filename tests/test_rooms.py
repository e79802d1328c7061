"""Each module keeps to its room: only the estimator modules touch an estimator's state.

Counted with ``ast`` over the package: outside ``_base``, ``_classifier`` and
``_regressor``, no code assigns an attribute of an estimator or reads one of its
private attributes (directly, or through ``setattr``/``getattr``/``hasattr``
with a literal name). Estimators reach other modules as parameters named
``est``, ``estimator`` or ``model`` (``self.est`` where a helper object keeps one).
"""

import ast
from pathlib import Path

import pytest

import sklearn_tinymlp

PACKAGE = Path(sklearn_tinymlp.__file__).parent
ESTIMATOR_MODULES = {"_base.py", "_classifier.py", "_regressor.py"}
ESTIMATOR_NAMES = {"est", "estimator", "model"}


def _is_estimator(node):
    """``est``, ``estimator``, ``model``, or ``self.est``/``self.estimator``/``self.model``."""
    if isinstance(node, ast.Name):
        return node.id in ESTIMATOR_NAMES
    return (
        isinstance(node, ast.Attribute)
        and node.attr in ESTIMATOR_NAMES
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def _private(name):
    return name.startswith("_") and not name.startswith("__")


def violations(source, filename="<module>"):
    """(line, what) for every write to an estimator and every private read of one."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if hasattr(node, "targets") else [node.target]
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute) and _is_estimator(part.value):
                    found.append((node.lineno, f"assigns {part.attr}"))
        if isinstance(node, ast.Attribute) and _is_estimator(node.value) and _private(node.attr):
            found.append((node.lineno, f"reads {node.attr}"))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"setattr", "getattr", "hasattr", "delattr"}
            and node.args
            and _is_estimator(node.args[0])
        ):
            name = node.args[1] if len(node.args) > 1 else None
            literal = isinstance(name, ast.Constant) and isinstance(name.value, str)
            if node.func.id in {"setattr", "delattr"} or not literal or _private(name.value):
                found.append((node.lineno, f"{node.func.id}({ast.unparse(node.args[1])})"))
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.glob("*.py") if p.name not in ESTIMATOR_MODULES),
    ids=lambda p: p.name,
)
def test_no_module_outside_the_estimators_touches_their_state(path):
    assert violations(path.read_text(), str(path)) == []


@pytest.mark.parametrize(
    "source",
    [
        "def f(est):\n    est.coefs_ = 1",
        "def f(est):\n    est._optimizer.step()",
        "def f(estimator):\n    setattr(estimator, 'n_iter_', 0)",
        "def f(model):\n    return getattr(model, '_label_binarizer')",
        "class H:\n    def g(self):\n        self.est.t_ += 1",
    ],
)
def test_the_count_finds_each_kind_of_touch(source):
    assert violations(source)


def test_reading_public_attributes_is_allowed():
    assert (
        violations("def f(est):\n    return est.coefs_, est.classes_, getattr(est, 'n_iter_')")
        == []
    )


def _package_imports(path):
    """The package modules ``path`` imports (``from . import _x``, ``from ._x import y``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_imports_run_one_way():
    """No module imports one that imports it back, directly or through others."""
    graph = {p.stem: _package_imports(p) for p in PACKAGE.glob("*.py")}
    state = {}

    def visit(module, path):
        assert state.get(module) != "open", " → ".join([*path, module])
        if state.get(module) == "done":
            return
        state[module] = "open"
        for imported in graph.get(module, ()):
            visit(imported, [*path, module])
        state[module] = "done"

    for module in graph:
        visit(module, [])


def test_the_estimators_reach_dask_through_three_names():
    """Whether data are Dask, the training entry and the prediction entry: nothing else."""
    used = set()
    for name in ESTIMATOR_MODULES:
        for node in ast.walk(ast.parse((PACKAGE / name).read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module == "_dask":
                used.update(alias.name for alias in node.names)
            if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "_dask":
                used.add(node.attr)
    assert used == {"is_dask_collection", "training_data", "predict"}
