"""Sphinx configuration for the sklearn-tinymlp documentation.

Build (examples executed, warnings are errors), from the repository root::

    python -m sphinx -W -b html docs docs/_build/html

Add ``-D sphinx_gallery_conf.plot_gallery=0`` to skip running the examples.
The build needs no network (there is no intersphinx), and neither do the pages: MathJax
comes with the build (``sphinx-mathjax-offline``), not from a CDN.
"""

import ast
import importlib.util
import os
import re
import shutil
import sys
from pathlib import Path

# The examples fit small networks, for which BLAS threads add only overhead (and
# on a busy machine, oversubscription can slow a fit tenfold): run them on one
# thread. Set before numpy is first imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from threadpoolctl import threadpool_limits  # noqa: E402

import sklearn_tinymlp  # noqa: E402

threadpool_limits(limits=1)  # in case numpy was imported before this file

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
EXAMPLES = ROOT / "examples"
BENCHMARKS = ROOT / "benchmarks"
GENERATED = DOCS / "gen_modules"  # build products only (ignored by git)

sys.path.insert(0, str(DOCS / "sphinxext"))
os.environ.setdefault("MPLBACKEND", "Agg")

# -- Project ------------------------------------------------------------------

project = "sklearn-tinymlp"
author = "The sklearn-tinymlp developers"
copyright = "The sklearn-tinymlp developers"
version = release = sklearn_tinymlp.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax 3 shipped with the build (copied into _static/mathjax, mathjax_path set to it),
    # so the pages typeset their mathematics with no network.
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",  # the network diagram on the mathematics page
    "myst_parser",  # only to render benchmarks/results.md on the performance page
]

source_suffix = {".rst": "restructuredtext"}  # Markdown is included, never a page
templates_path = ["_templates"]
exclude_patterns = ["_build", "**.md", "**.ipynb_checkpoints"]  # Markdown is only included
default_role = "literal"
nitpicky = False

# -- autodoc / autosummary / numpydoc -----------------------------------------

autosummary_generate = True
# Stub pages from earlier builds would outlive renamed or removed functions and
# then fail to import: start from none, autosummary writes them again.
for _stub in GENERATED.glob("sklearn_tinymlp.*.rst"):
    _stub.unlink()
autodoc_typehints = "none"
numpydoc_show_class_members = False  # methods are listed by the class template
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False  # would need intersphinx for numpy/sklearn types
numpydoc_use_plots = False

plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]

# -- HTML -----------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-tinymlp {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path = []
html_show_sourcelink = True

# -- sphinx-gallery ---------------------------------------------------------------


def _missing_imports(script):
    """Top-level modules a script imports (at module level) that are not installed."""
    missing = []
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if importlib.util.find_spec(top) is None and top not in missing:
                missing.append(top)
    return missing


def _executable_pattern():
    """Run every ``plot_*.py`` example whose imports are installed.

    Examples that need an optional package which is missing (the ecosystem
    examples, say) still appear in the gallery with their code, but are not
    run, so the build works with only the ``docs`` extra installed.
    """
    skipped = {}
    for script in sorted(EXAMPLES.glob("plot_*.py")):
        missing = _missing_imports(script)
        if missing:
            skipped[script.stem[len("plot_") :]] = missing
    for name, missing in skipped.items():
        print(f"sphinx-gallery: not running plot_{name}.py (missing: {', '.join(missing)})")
    if not skipped:
        return r"/plot_[^/]*\.py$"
    names = "|".join(re.escape(name) for name in skipped)
    return rf"/plot_(?!(?:{names})\.py$)[^/]*\.py$"


sphinx_gallery_conf = {
    "examples_dirs": str(EXAMPLES),
    "gallery_dirs": "auto_examples",
    "filename_pattern": _executable_pattern(),
    "within_subsection_order": "gallery_order.GalleryOrder",
    "doc_module": ("sklearn_tinymlp",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"sklearn_tinymlp": None},
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "remove_config_comments": True,
    "show_memory": False,
    "download_all_examples": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "capture_repr": (),
}

# -- Benchmark results (produced by benchmarks/bench.py) -------------------------


def _write_benchmark_include():
    """Write the part of the performance page that shows the benchmark results.

    ``benchmarks/results.md`` and ``benchmarks/results.png`` are produced by
    ``python benchmarks/bench.py``; the page builds whether or not they exist.
    They are copied into ``docs/gen_modules/`` and included from there (paths
    starting with ``/`` are relative to the documentation's source folder).
    """
    GENERATED.mkdir(exist_ok=True)
    lines = []
    for suffix in (".png", ".md"):
        source = BENCHMARKS / f"results{suffix}"
        copy = GENERATED / f"benchmark_results{suffix}"
        if not source.exists():
            copy.unlink(missing_ok=True)
            continue
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            shutil.copyfile(source, copy)
        if suffix == ".png":
            lines += [
                f".. image:: /gen_modules/{copy.name}",
                "   :alt: Benchmark chart: TinyMLPClassifier against MLPClassifier",
                "   :width: 100%",
                "",
            ]
        else:
            lines += [
                f".. include:: /gen_modules/{copy.name}",
                "   :parser: myst_parser.sphinx_",
                "",
            ]
    if not lines:
        lines = [
            ".. note::",
            "",
            "   No benchmark results are in this checkout yet: run",
            "   ``python benchmarks/bench.py`` to produce ``benchmarks/results.md`` and",
            "   ``benchmarks/results.png``, then rebuild the documentation.",
            "",
        ]
    target = GENERATED / "benchmark_results.rst.inc"
    text = "\n".join(lines)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


_write_benchmark_include()


def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    """Leave out the ``set_*_request`` methods scikit-learn generates on every
    estimator: the API page says they exist, and their docstrings point into
    scikit-learn's own documentation, which this offline build cannot link."""
    if what == "class" and name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)
