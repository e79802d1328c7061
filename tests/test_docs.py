"""The documentation agrees with the code.

* every public class and function documents exactly the parameters of its
  signature (numpydoc ``Parameters`` section) and has an ``Examples`` section;
* the derivation's modules, where a function documents its parameters, list
  the right ones;
* every public name is in the API reference, and every cross-reference to
  ``sklearn_tinymlp`` in the pages and the gallery names something that exists;
* the code in the pages runs (doctests of ``docs/*.rst``);
* each gallery script has the title block sphinx-gallery needs;
* the whole site builds with warnings as errors (slow; needs the ``docs`` extra), and its
  mathematics page typesets its equations in headless Chromium with no network.
"""

import ast
import doctest
import importlib
import importlib.util
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sklearn
from sklearn.utils.fixes import parse_version

import sklearn_tinymlp

try:  # the docstring checks need numpydoc (the docs extra); the rest do not
    from numpydoc import docscrape
except ImportError:
    docscrape = None
needs_numpydoc = pytest.mark.skipif(
    docscrape is None, reason="numpydoc is not installed (pip install -e '.[docs]')"
)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"

DERIVATION_MODULES = [
    "sklearn_tinymlp._network",
    "sklearn_tinymlp._activations",
    "sklearn_tinymlp._heads",
    "sklearn_tinymlp._optimizers",
    "sklearn_tinymlp._training",
    "sklearn_tinymlp._targets",
    "sklearn_tinymlp._weights",
]


def _public_objects():
    """(name, object) for each class and function in ``sklearn_tinymlp.__all__``."""
    for name in sklearn_tinymlp.__all__:
        obj = getattr(sklearn_tinymlp, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            yield name, obj


def _public_methods(cls):
    """Public methods defined by this package (not inherited from scikit-learn)."""
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") or not callable(member):
            continue
        module = getattr(member, "__module__", "") or ""
        if module.startswith("sklearn_tinymlp"):
            yield name, member


def _documented_parameters(doc):
    """Names in a numpydoc Parameters section; 'a, b : float' documents both."""
    names = []
    for param in doc["Parameters"]:
        names += [part.strip().lstrip("*") for part in param.name.split(",")]
    return [name for name in names if name]


def _signature_parameters(func):
    params = inspect.signature(func).parameters.values()
    return [
        p.name
        for p in params
        if p.name not in ("self", "cls")
        and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]


def _doc_and_signature(obj):
    if inspect.isclass(obj):
        return docscrape.ClassDoc(obj, config={"show_class_members": False}), obj.__init__
    return docscrape.FunctionDoc(obj), obj


def _parameter_cases():
    for name, obj in _public_objects():
        yield pytest.param(obj, id=name)
        if inspect.isclass(obj):
            for method_name, method in _public_methods(obj):
                yield pytest.param(method, id=f"{name}.{method_name}")


@needs_numpydoc
@pytest.mark.parametrize("obj", list(_parameter_cases()))
def test_public_documented_parameters_match_signature(obj):
    doc, func = _doc_and_signature(obj)
    documented = _documented_parameters(doc)
    expected = _signature_parameters(func)
    assert documented == expected, (
        f"{obj.__qualname__}: the docstring's Parameters section lists {documented}, "
        f"the signature has {expected} (same names, same order)"
    )


@needs_numpydoc
@pytest.mark.parametrize(
    "name, obj", [pytest.param(name, obj, id=name) for name, obj in _public_objects()]
)
def test_public_items_have_examples(name, obj):
    doc, _ = _doc_and_signature(obj)
    examples = "\n".join(doc["Examples"]).strip()
    assert ">>>" in examples, f"{name} has no runnable Examples section in its docstring"


def _derivation_cases():
    for module_name in DERIVATION_MODULES:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
                continue
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if docscrape is None or _documented_parameters(_doc_and_signature(obj)[0]):
                yield pytest.param(obj, id=f"{module_name.rsplit('.', 1)[1]}.{name}")


@needs_numpydoc
@pytest.mark.parametrize("obj", list(_derivation_cases()))
def test_derivation_documented_parameters_match_signature(obj):
    doc, func = _doc_and_signature(obj)
    documented = _documented_parameters(doc)
    expected = _signature_parameters(func)
    assert documented == expected, (
        f"{obj.__module__}.{obj.__qualname__}: Parameters lists {documented}, "
        f"the signature has {expected}"
    )


@needs_numpydoc
def test_docstring_parameter_check_catches_a_mismatch():
    def documented_wrongly(a, b):
        """Do nothing.

        Parameters
        ----------
        a : int
            First.
        c : int
            Not in the signature.
        """

    doc, func = _doc_and_signature(documented_wrongly)
    assert _documented_parameters(doc) == ["a", "c"]
    assert _signature_parameters(func) == ["a", "b"]


def test_every_public_name_is_in_the_api_reference():
    api = (DOCS / "api.rst").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\s+([A-Za-z_][A-Za-z0-9_]*)\s*$", api, flags=re.MULTILINE))
    listed |= set(re.findall(r"^\.\. auto\w+:: (?:sklearn_tinymlp\.)?(\w+)", api, re.MULTILINE))
    missing = [n for n in sklearn_tinymlp.__all__ if n != "__version__" and n not in listed]
    assert not missing, f"public names missing from docs/api.rst: {missing}"


XREF = re.compile(r":(?:py:)?(?:func|class|meth|mod|attr|data):`~?(sklearn_tinymlp[\w.]*)`")


def _resolve(dotted):
    """Import the longest module prefix of ``dotted`` and getattr the rest."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attr in parts[split:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def _documentation_sources():
    return sorted(DOCS.glob("*.rst")) + sorted(EXAMPLES.glob("*.py"))


def test_cross_references_to_the_package_resolve():
    broken = []
    for path in _documentation_sources():
        for target in XREF.findall(path.read_text(encoding="utf-8")):
            try:
                _resolve(target)
            except (ImportError, AttributeError):
                broken.append(f"{path.relative_to(ROOT)}: {target}")
    assert not broken, "references to things that do not exist:\n" + "\n".join(broken)


# The ecosystem page's snippets need optional services and packages and are
# exercised by the ecosystem tests and examples instead.
PAGES_WITHOUT_DOCTESTS = {"ecosystem.rst"}


@pytest.mark.parametrize(
    "page",
    [
        p
        for p in sorted(DOCS.glob("*.rst"))
        if p.name not in PAGES_WITHOUT_DOCTESTS and ">>>" in p.read_text(encoding="utf-8")
    ],
    ids=lambda p: p.name,
)
def test_code_in_the_pages_runs(page, skip_missing_imports):
    examples = doctest.DocTestParser().get_examples(page.read_text(encoding="utf-8"))
    skip_missing_imports("".join(example.source for example in examples))  # e.g. matplotlib
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {page.name}"


@pytest.mark.parametrize("script", sorted(EXAMPLES.glob("plot_*.py")), ids=lambda p: p.name)
def test_gallery_scripts_have_a_title_block(script):
    # sphinx-gallery reads the title from the docstring's first lines; a rule
    # shorter than the title is a warning, and the build treats warnings as errors.
    lines = inspect.cleandoc(
        re.match(r'\s*(?:r?""")(.*?)"""', script.read_text(encoding="utf-8"), re.S).group(1)
    ).splitlines()
    assert len(lines) >= 3, f"{script.name}: no title block"
    over, title, under = lines[0], lines[1], lines[2]
    assert set(over) == {"="} and set(under) == {"="}, f"{script.name}: title not in '=' rules"
    assert len(over) >= len(title) and len(under) >= len(title), (
        f"{script.name}: the '=' rules must be at least as long as the title"
    )


def _imports_available(script):
    """Whether every module the script imports at top level is installed."""
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(importlib.util.find_spec(name.split(".")[0]) is None for name in names):
            return False
    return True


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory):
    """Build the site once for this module, offline with -W, running every example (about a
    minute); return the finished process and the folder holding ``docs/`` and ``html/``."""
    for package in ("sphinx", "sphinx_gallery", "pydata_sphinx_theme", "myst_parser"):
        pytest.importorskip(package)
    if parse_version(sklearn.__version__) < parse_version("1.7"):
        pytest.skip("the gallery runs MLPRegressor(loss='poisson'), scikit-learn >= 1.7")
    pytest.importorskip("matplotlib")
    root = tmp_path_factory.mktemp("site")
    ignore = shutil.ignore_patterns(
        "_build", "auto_examples", "gen_modules", "sg_execution_times.rst"
    )
    shutil.copytree(DOCS, root / "docs", ignore=ignore)
    shutil.copytree(EXAMPLES, root / "examples")
    if (ROOT / "benchmarks").is_dir():
        shutil.copytree(ROOT / "benchmarks", root / "benchmarks")
    shutil.copyfile(ROOT / "CHANGELOG.md", root / "CHANGELOG.md")  # docs/changes.rst includes it
    env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(root / "docs"),
            str(root / "html"),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
    )
    return result, root


@pytest.mark.slow
def test_documentation_builds_without_warnings(built_docs):
    """The site builds offline with -W, running every example."""
    result, root = built_docs
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-8000:]
    pages = ("index", "getting_started", "math", "user_guide", "migrating", "performance")
    for page in (*pages, "changes"):
        assert (root / "html" / f"{page}.html").is_file()
    figures = sorted(p.name for p in (root / "docs/auto_examples/images").glob("sphx_glr_*.png"))
    for script in EXAMPLES.glob("plot_*.py"):
        if not _imports_available(script):
            continue  # shown in the gallery but not run (see docs/conf.py)
        assert any(f.startswith(f"sphx_glr_{script.stem}_0") for f in figures), (
            f"{script.name} drew no figure"
        )


@pytest.mark.slow
@pytest.mark.parametrize(
    "estimator, methods",
    [
        (
            "TinyMLPClassifier",
            ["fit", "partial_fit", "predict", "predict_log_proba", "predict_proba", "score"],
        ),
        ("TinyMLPRegressor", ["fit", "partial_fit", "predict"]),
    ],
)
def test_api_pages_document_the_estimators_own_methods(built_docs, estimator, methods):
    """Each estimator's API page has its methods, those it inherits from BaseTinyMLP included,
    and not those of every scikit-learn estimator (the API page names those)."""
    result, root = built_docs
    page = root / "html" / "gen_modules" / f"sklearn_tinymlp.{estimator}.html"
    assert page.is_file(), result.stdout[-4000:] + result.stderr[-8000:]
    documented = re.findall(rf'id="sklearn_tinymlp\.{estimator}\.(\w+)"', page.read_text("utf-8"))
    assert sorted(documented) == sorted(methods)


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def _browser():
    """A Chromium-family browser binary on PATH, or None."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.slow
def test_mathematics_page_typesets_its_equations_offline(built_docs, tmp_path):
    """The built mathematics page, opened in headless Chromium with every network request
    refused, typesets its equations: MathJax comes with the build, not from a CDN."""
    browser = _browser()
    if browser is None:
        pytest.skip(f"no Chromium-family browser on PATH (looked for {', '.join(BROWSERS)})")
    result, root = built_docs
    page = root / "html" / "math.html"
    assert page.is_file(), result.stdout[-4000:] + result.stderr[-8000:]
    html = page.read_text(encoding="utf-8")
    remote = re.findall(r'<script[^>]*\ssrc="(?:https?:)?//[^"]*"', html)
    assert not remote, f"math.html loads scripts from the network: {remote}"
    equations = len(re.findall(r'class="math[ "]', html))
    assert equations >= 10, f"math.html holds only {equations} equations"

    # Chromium sends every http(s) request to a closed local port through the proxy, and
    # resolves no host name; file:// pages and their files load as usual. The virtual time
    # budget lets the page's scripts run to completion before the DOM is written out.
    dom = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=20000",
            "--dump-dom",
            page.as_uri(),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert dom.returncode == 0, dom.stderr[-4000:]
    typeset = dom.stdout.count("<mjx-container")
    assert typeset >= 10, f"{typeset} equations typeset in math.html (expected at least 10)"
    assert typeset >= equations, f"{typeset} of the {equations} equations typeset in math.html"
    assert "<mjx-merror" not in dom.stdout, "MathJax could not typeset an equation"
