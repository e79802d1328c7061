"""Every Python code block of the README runs on its own, in a fresh interpreter.

A reader copies one block into a new file or session: each must carry its own imports. The
bash blocks install things and are not run here (.ci/run runs the test command).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sklearn_tinymlp

README = Path(__file__).resolve().parent.parent / "README.md"
# The folder holding the package these tests import, so that the new interpreter imports it too
# (and not another copy installed elsewhere).
PACKAGE_PARENT = str(Path(sklearn_tinymlp.__file__).resolve().parent.parent)
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def python_blocks(text):
    """The code of each ```python block of a Markdown text, in order."""
    return BLOCK.findall(text)


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_python_blocks_and_they_are_all_found():
    assert len(BLOCKS) >= 2  # the quick start and the regression example
    fences = re.findall(r"^```python$", README.read_text(encoding="utf-8"), re.M)
    assert len(BLOCKS) == len(fences)


def test_a_block_that_relies_on_an_earlier_block_fails_alone(tmp_path):
    """The check below can fail: code using a name from another block does not run alone."""
    first, second = python_blocks("```python\nimport math\n```\n\n```python\nmath.pi\n```\n")
    assert run_alone(first, tmp_path).returncode == 0
    assert "NameError: name 'math'" in run_alone(second, tmp_path).stderr


def run_alone(code, folder):
    """Run ``code`` in a new interpreter in an empty folder, as a reader pasting it would."""
    path = os.pathsep.join(filter(None, [PACKAGE_PARENT, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": path}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=folder,
        env=env,
        timeout=600,  # a watchdog against a hang, not a time limit
    )


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i + 1}" for i in range(len(BLOCKS))])
def test_each_python_block_runs_alone(code, tmp_path, skip_missing_imports):
    skip_missing_imports(code)
    run = run_alone(code, tmp_path)
    assert run.returncode == 0, f"this README block fails on its own:\n{code}\n{run.stderr}"
