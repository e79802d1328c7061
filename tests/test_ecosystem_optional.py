"""The integrations stay optional: nothing is imported until it is used."""

import subprocess
import sys

import pytest

import sklearn_tinymlp._onnx as onnx_module
from sklearn_tinymlp import register_onnx_converter

OPTIONAL = ("skl2onnx", "onnx", "onnxruntime", "skops", "dask", "distributed", "dask_ml", "polars")


def test_importing_the_package_imports_no_optional_dependency():
    code = (
        "import sys, sklearn_tinymlp\n"
        f"loaded = [m for m in {OPTIONAL!r} if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_missing_skl2onnx_gives_the_install_command(monkeypatch):
    monkeypatch.setattr(onnx_module, "_REGISTERED", False)
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # makes `import skl2onnx` fail
    with pytest.raises(ImportError, match=r'pip install "sklearn-tinymlp\[onnx\]"'):
        register_onnx_converter()
