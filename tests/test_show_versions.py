"""``show_versions()`` prints what a bug report needs: each package at the version installed."""

import ast
import platform
import subprocess
import sys
from importlib import metadata

import numpy
import scipy
import sklearn

import sklearn_tinymlp


def _sections(text):
    """{title: {name: value}} for each 'Title:' line of the output and its 'name: value' lines."""
    sections, entries = {}, None
    for line in text.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            entries = sections.setdefault(line[:-1], {})
        elif line.strip():
            name, _, value = line.strip().partition(": ")
            entries[name] = value
    return sections


def _installed(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _packages(sections):
    """The packages reported, with the version reported (our own package's aside)."""
    packages = {**sections["Python dependencies"], **sections["Optional integrations"]}
    del packages["sklearn-tinymlp"]
    return packages


def test_prints_python_platform_dependencies_and_blas(capsys):
    sklearn_tinymlp.show_versions()
    sections = _sections(capsys.readouterr().out)
    assert sections["System"] == {
        "python": sys.version,
        "executable": sys.executable,
        "machine": platform.platform(),
    }
    dependencies = sections["Python dependencies"]
    assert dependencies["sklearn-tinymlp"] == sklearn_tinymlp.__version__
    # what this process runs on, read from the imported modules themselves
    assert dependencies["scikit-learn"] == sklearn.__version__
    assert dependencies["numpy"] == numpy.__version__
    assert dependencies["scipy"] == scipy.__version__
    # and every package reported, at the version installed (or reported missing)
    packages = _packages(sections)
    assert any(version != "not installed" for version in sections["Optional integrations"].values())
    assert packages == {name: _installed(name) for name in packages}
    # numpy's BLAS is loaded (numpy is imported), so threadpoolctl reports at least one library
    blas = sections["BLAS/OpenMP library 1"]
    assert blas["user_api"] in ("blas", "openmp")
    assert blas["num_threads"].isdigit()


def test_a_package_that_is_missing_is_reported_not_installed(capsys, monkeypatch):
    def version(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", version)
    sklearn_tinymlp.show_versions()
    sections = _sections(capsys.readouterr().out)
    assert set(_packages(sections).values()) == {"not installed"}
    # the package's own version comes from the running copy, not from metadata
    assert sections["Python dependencies"]["sklearn-tinymlp"] == sklearn_tinymlp.__version__


def test_imports_no_optional_package_to_read_its_version():
    code = (
        "import sys, sklearn_tinymlp; before = set(sys.modules); sklearn_tinymlp.show_versions(); "
        "print(sorted({m.split('.')[0] for m in set(sys.modules) - before}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    *report, imported = result.stdout.strip().splitlines()
    optional = _sections("\n".join(report))["Optional integrations"]
    modules = {name.replace("-", "_") for name in optional}
    assert optional and not modules & set(ast.literal_eval(imported)), imported
