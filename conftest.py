"""Doctests that import an optional extra skip, with the reason, where it is not installed.

pytest collects the package's docstrings (``--doctest-modules``) beside ``tests/``, and the
source distribution's own tests run with the ``test`` extra alone: a docstring that imports
matplotlib, Dask or ONNX must skip there, as the tests of those integrations do. The same check
is the ``skip_missing_imports`` fixture, for the documentation pages' code (tests/test_docs.py).
"""

import ast
import importlib.util

import pytest

# The extra that installs each optional module a doctest or a page imports.
EXTRAS = {
    "matplotlib": "docs",
    "dask": "dask",
    "dask_ml": "dask",
    "distributed": "dask",
    "onnx": "onnx",
    "onnxruntime": "onnx",
    "skl2onnx": "onnx",
    "skops": "skops",
    "polars": "polars",
    "rich": "progress",
}


def missing_imports(source):
    """The top-level modules that ``source`` imports and that are not installed."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # not Python: the test itself says so
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    tops = dict.fromkeys(name.split(".")[0] for name in names)
    return [name for name in tops if importlib.util.find_spec(name) is None]


def skip_reason(missing):
    """Why a test of code that imports the ``missing`` modules is skipped, and what to install."""
    named = [f"{name} (the '{EXTRAS[name]}' extra)" if name in EXTRAS else name for name in missing]
    return f"needs {', '.join(named)}: not installed"


def pytest_collection_modifyitems(config, items):
    for item in items:
        doctest = getattr(item, "dtest", None)  # a DoctestItem: one docstring's examples
        if doctest is not None:
            missing = missing_imports("".join(example.source for example in doctest.examples))
            if missing:
                item.add_marker(pytest.mark.skip(reason=skip_reason(missing)))


@pytest.fixture
def skip_missing_imports():
    """``skip_missing_imports(source)`` skips the test, saying why, where ``source`` imports
    an optional module that is not installed."""

    def skip(source):
        missing = missing_imports(source)
        if missing:
            pytest.skip(skip_reason(missing))

    return skip
