"""A small mutation check: deliberate breakages of the package that the suite must catch.

Each mutant is applied by a pytest plugin (written to ``tmp_path``, loaded with ``-p``) that
monkeypatches the imported package in ``pytest_configure``; no file of the package is
edited. The tests named below run in a subprocess under the mutant, and each of them must
fail (pytest's exit status 1, every named test reported FAILED); the same tests, under a
plugin that patches nothing, must pass (exit status 0), so the check can fail. Each plugin
writes "applied" to a marker file when it is configured and "hit" the first time the mutated
code runs, so a mutant that patched nothing (a typo in a name) or that no test reached makes
this check fail rather than pass vacuously.

Mutant → the test that catches it:

* ``fit-raises``: ``TinyMLPClassifier._fit`` (behind both ``fit`` and ``partial_fit``)
  raises ``ValueError("broken")`` →
  ``test_reliability_properties.py::test_fit_on_valid_data_predicts_valid_probabilities``,
  ``test_reliability_properties.py::test_partial_fit_in_chunks_on_valid_data_predicts_valid_probabilities``
  and ``test_derivation.py::test_fit_with_batch_size_one_is_repeated_per_sample_steps``.
* ``output-error-sign-flipped``: ``_network.output_error`` returns δ_L = s(y − ŷ)/S instead
  of s(ŷ − y)/S →
  ``test_derivation.py::test_one_per_sample_step_follows_the_derivations_update_rules``
  ``[0.7--1.2-1]`` (the hand-worked step in the derivation's notation) and
  ``test_gradients.py::test_backward_matches_central_finite_differences`` (finite
  differences), ``[logistic-binary-0.0-unweighted]`` and ``[relu-multiclass-0.3-weighted]``;
  and the behaviour the trainer exists for, in ``test_reliability_properties.py``:
  ``test_training_lowers_the_loss_on_a_separable_sample`` and
  ``test_a_heavier_row_pulls_its_prediction_toward_its_label``.
* ``tanh-derivative-off-by-1.5``: the derivative in ``_activations.ACTIVATIONS["tanh"]``
  multiplies its result by 1.5 (tanh' off by a factor of 1.5) →
  ``test_gradients.py::test_backward_matches_central_finite_differences``
  ``[tanh-binary-0.0-unweighted]`` and ``[tanh-multiclass-0.3-weighted]``.
* ``sample-weight-ignored``: ``TinyMLPClassifier._fit`` drops ``sample_weight`` (so ``fit``
  and ``partial_fit`` train as if it were None) →
  ``test_estimator_checks.py::test_sklearn_compatible`` with scikit-learn's
  ``check_sample_weight_equivalence_on_dense_data`` (``TinyMLPClassifier()``),
  ``test_training_control.py::test_integer_weights_equal_repeated_rows``
  ``[classifier-adam]`` and ``[classifier-float32-balanced]``, and
  ``test_reliability_properties.py::test_a_heavier_row_pulls_its_prediction_toward_its_label``.
"""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Written before each mutant's body: the marker file, and ``_hit()`` for the mutated code.
PLUGIN_HEADER = """\
import os
from pathlib import Path

_MARKER = Path(os.environ["TINYMLP_MUTANT_MARKER"])
_hit_written = False


def _hit():
    global _hit_written
    if not _hit_written:
        _hit_written = True
        with _MARKER.open("a") as f:
            f.write("hit\\n")


def pytest_configure(config):
    _MARKER.write_text("applied\\n")
    _apply()
"""

MUTANTS = {
    # fit and partial_fit both call _fit; patching it keeps partial_fit's availability
    # descriptor (absent under lbfgs) and fit's parameter validation as they are.
    "fit-raises": (
        """
        def _apply():
            from sklearn_tinymlp._classifier import TinyMLPClassifier

            def _fit(self, *args, **kwargs):
                _hit()
                raise ValueError("broken")

            TinyMLPClassifier._fit = _fit
        """,
        [
            "tests/test_reliability_properties.py::"
            "test_fit_on_valid_data_predicts_valid_probabilities",
            "tests/test_reliability_properties.py::"
            "test_partial_fit_in_chunks_on_valid_data_predicts_valid_probabilities",
            "tests/test_derivation.py::test_fit_with_batch_size_one_is_repeated_per_sample_steps",
        ],
    ),
    # Objective looks output_error up in _network's globals at call time.
    "output-error-sign-flipped": (
        """
        def _apply():
            import numpy as np
            from sklearn_tinymlp import _network

            original = _network.output_error

            def output_error(*args, **kwargs):
                _hit()
                loss, delta = original(*args, **kwargs)
                return loss, np.negative(delta, out=delta)

            _network.output_error = output_error
        """,
        [
            "tests/test_derivation.py::"
            "test_one_per_sample_step_follows_the_derivations_update_rules[0.7--1.2-1]",
            "tests/test_gradients.py::"
            "test_backward_matches_central_finite_differences[logistic-binary-0.0-unweighted]",
            "tests/test_gradients.py::"
            "test_backward_matches_central_finite_differences[relu-multiclass-0.3-weighted]",
            "tests/test_reliability_properties.py::"
            "test_training_lowers_the_loss_on_a_separable_sample",
            "tests/test_reliability_properties.py::"
            "test_a_heavier_row_pulls_its_prediction_toward_its_label",
        ],
    ),
    # forward looks the derivative up in ACTIVATIONS (the same dict object) at call time.
    "tanh-derivative-off-by-1.5": (
        """
        def _apply():
            from sklearn_tinymlp import _activations

            tanh, original = _activations.ACTIVATIONS["tanh"]

            def tanh_derivative(*args, **kwargs):
                _hit()
                result = original(*args, **kwargs)  # the array that holds f'(z) (times δ)
                result *= 1.5
                return result

            _activations.ACTIVATIONS["tanh"] = (tanh, tanh_derivative)
        """,
        [
            "tests/test_gradients.py::"
            "test_backward_matches_central_finite_differences[tanh-binary-0.0-unweighted]",
            "tests/test_gradients.py::"
            "test_backward_matches_central_finite_differences[tanh-multiclass-0.3-weighted]",
        ],
    ),
    "sample-weight-ignored": (
        """
        def _apply():
            import inspect

            from sklearn_tinymlp._classifier import TinyMLPClassifier

            original = TinyMLPClassifier._fit
            signature = inspect.signature(original)

            def _fit(*args, **kwargs):
                call = signature.bind(*args, **kwargs)
                if call.arguments["sample_weight"] is not None:
                    _hit()
                call.arguments["sample_weight"] = None
                return original(*call.args, **call.kwargs)

            TinyMLPClassifier._fit = _fit
        """,
        [
            "tests/test_estimator_checks.py::test_sklearn_compatible"
            "[TinyMLPClassifier()-check_sample_weight_equivalence_on_dense_data]",
            "tests/test_training_control.py::"
            "test_integer_weights_equal_repeated_rows[classifier-adam]",
            "tests/test_training_control.py::"
            "test_integer_weights_equal_repeated_rows[classifier-float32-balanced]",
            "tests/test_reliability_properties.py::"
            "test_a_heavier_row_pulls_its_prediction_toward_its_label",
        ],
    ),
}

UNMUTATED = """
def _apply():
    import sklearn_tinymlp  # noqa: F401  (imported as the mutants import it; nothing patched)
"""


def run_under_plugin(tmp_path, name, body, test_ids):
    """Run ``test_ids`` in a subprocess with the plugin ``body``; (exit status, output, marker)."""
    module = "tinymlp_mutant_" + re.sub(r"\W", "_", name)
    (tmp_path / f"{module}.py").write_text(PLUGIN_HEADER + textwrap.dedent(body))
    marker = tmp_path / f"{module}.marker"
    env = dict(os.environ, TINYMLP_MUTANT_MARKER=str(marker))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", module]
    result = subprocess.run(
        [*command, *test_ids], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    output = result.stdout + result.stderr
    return result.returncode, output, marker.read_text() if marker.exists() else ""


def failed_ids(output):
    """The node ids of the FAILED lines of pytest's short summary (``-ra`` in pyproject)."""
    return {m.group(1) for m in re.finditer(r"^FAILED (\S+?)(?: - .*)?$", output, re.M)}


@pytest.mark.slow
@pytest.mark.parametrize("name", MUTANTS)
def test_mutant_is_caught_by_its_named_tests(tmp_path, name):
    body, test_ids = MUTANTS[name]
    status, output, marker = run_under_plugin(tmp_path, name, body, test_ids)
    assert marker.split() == ["applied", "hit"], (marker, output[-3000:])
    # 1: tests ran and some failed (not 0: all passed; not 2-5: the run itself broke).
    assert status == 1, output[-3000:]
    assert failed_ids(output) == set(test_ids), output[-3000:]


@pytest.mark.slow
def test_the_catching_tests_pass_unmutated(tmp_path):
    test_ids = sorted({test_id for _, ids in MUTANTS.values() for test_id in ids})  # one run each
    status, output, marker = run_under_plugin(tmp_path, "unmutated", UNMUTATED, test_ids)
    assert marker.split() == ["applied"], (marker, output[-3000:])
    assert status == 0, output[-3000:]
    assert f"{len(test_ids)} passed" in output, output[-3000:]
