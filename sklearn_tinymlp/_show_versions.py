"""``show_versions()``: what to paste into a bug report."""

import platform
import sys
from importlib import metadata

REQUIRED = ("scikit-learn", "numpy", "scipy", "threadpoolctl")
OPTIONAL = (
    "dask", "distributed", "dask-ml", "onnx", "onnxruntime", "skl2onnx", "skops",
    "polars", "pandas", "rich", "matplotlib",
)  # fmt: skip
THREADPOOL_KEYS = ("user_api", "internal_api", "version", "num_threads", "filepath")


def _version(distribution):
    """The installed version of a distribution, read from its metadata (nothing is imported)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def show_versions():
    """Print the versions of Python, the platform, the dependencies and the BLAS in use.

    Paste the output into a bug report. Versions come from the packages' metadata (nothing
    is imported for them); threadpoolctl's ``threadpool_info()`` lists the loaded BLAS.

    Examples
    --------
    >>> import sklearn_tinymlp
    >>> sklearn_tinymlp.show_versions()  # doctest: +ELLIPSIS
    System:
    ...
    """
    from threadpoolctl import threadpool_info  # scikit-learn's own dependency

    from . import __version__  # the running copy's (an editable install's metadata can lag)

    sections = {
        "System": {
            "python": sys.version,
            "executable": sys.executable,
            "machine": platform.platform(),
        },
        "Python dependencies": {
            "sklearn-tinymlp": __version__,
            **{name: _version(name) for name in REQUIRED},
        },
        "Optional integrations": {name: _version(name) for name in OPTIONAL},
    }
    for number, library in enumerate(threadpool_info(), start=1):
        sections[f"BLAS/OpenMP library {number}"] = {k: library.get(k) for k in THREADPOOL_KEYS}
    for title, entries in sections.items():
        print(f"{title}:")
        for name, value in entries.items():
            print(f"{name:>24}: {value}")
        print()
