"""``show_versions()`` prints what a bug report needs."""

import ast
import platform
import subprocess
import sys
from importlib import metadata

import numpy
import scipy
import sklearn

import sklearn_tinymlp

OPTIONAL = (
    "dask", "distributed", "dask-ml", "onnx", "onnxruntime", "skl2onnx", "skops",
    "polars", "pandas", "rich", "matplotlib",
)  # fmt: skip


def _entries(text):
    """{name: value} for each 'name: value' line of the output (the first of a repeated name)."""
    entries = {}
    for line in text.splitlines():
        name, sep, value = line.strip().partition(": ")
        if sep:
            entries.setdefault(name, value)
    return entries


def test_prints_python_platform_dependencies_and_blas(capsys):
    sklearn_tinymlp.show_versions()
    out = capsys.readouterr().out
    entries = _entries(out)
    assert entries["python"] == sys.version
    assert entries["machine"] == platform.platform()
    assert entries["sklearn-tinymlp"] == sklearn_tinymlp.__version__
    assert entries["scikit-learn"] == sklearn.__version__
    assert entries["numpy"] == numpy.__version__
    assert entries["scipy"] == scipy.__version__
    assert entries["threadpoolctl"] == metadata.version("threadpoolctl")
    for name in OPTIONAL:
        assert name in entries, f"{name} is not reported"
    # numpy's BLAS is loaded (numpy is imported), so threadpoolctl reports at least one library
    assert "BLAS/OpenMP library 1:" in out
    assert entries["user_api"] in ("blas", "openmp")


def test_an_optional_package_that_is_missing_is_reported_not_installed(capsys, monkeypatch):
    real_version = metadata.version

    def version(name):
        if name == "onnx":
            raise metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(metadata, "version", version)
    sklearn_tinymlp.show_versions()
    entries = _entries(capsys.readouterr().out)
    assert entries["onnx"] == "not installed"
    assert entries["numpy"] == numpy.__version__  # the others are still read


def test_imports_no_optional_package_to_read_its_version():
    code = (
        "import sys, sklearn_tinymlp; before = set(sys.modules); sklearn_tinymlp.show_versions(); "
        "print(sorted({m.split('.')[0] for m in set(sys.modules) - before}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    imported = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    optional_modules = {name.replace("-", "_") for name in OPTIONAL}
    assert not optional_modules & set(imported), f"show_versions imported {imported}"
