"""The README's demo, ``python -m sklearn_tinymlp``, runs and reports what it promises."""

import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_tinymlp.__main__ import DESCRIPTION, NAMES, main


def test_demo_runs_and_learns(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # the demo's fits converge
        main()
    out = capsys.readouterr().out
    for name in NAMES:  # the nine parameters, before and after
        assert re.search(rf"^\s+{name}\s+[+-]\d+\.\d+\s+[+-]\d+\.\d+$", out, re.M), name
    before = float(re.search(r"accuracy before training: (\d\.\d+)", out).group(1))
    after = float(re.search(r"accuracy after training:\s+(\d\.\d+)", out).group(1))
    assert after > before + 0.2
    # the derivation's updates: one per training row (375) in every epoch, no row held out
    epochs, updates = map(int, re.search(r"(\d+) epochs = (\d+) per-sample updates", out).groups())
    assert updates == 375 * epochs
    held_out = float(re.search(r"held-out accuracy of the best pipeline: (\d\.\d+)", out).group(1))
    assert held_out > 0.95


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_prints_usage_and_trains_nothing(flag):
    run = subprocess.run(
        [sys.executable, "-m", "sklearn_tinymlp", flag],
        capture_output=True,
        text=True,
        timeout=60,  # a watchdog: a demo that trained would still finish, and fail below
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("usage: python -m sklearn_tinymlp [-h]")
    assert "make_moons" in run.stdout and "GridSearchCV" in run.stdout  # what the demo does
    assert "accuracy before training" not in run.stdout  # the demo did not run
    assert "Iteration" not in run.stdout and run.stderr == ""


def test_what_the_help_says_of_the_readme_is_there():
    """--help sends the reader to the README's "Run the demo" section for how to run it: the
    section exists and holds that command (it shows no output, and the help claims none)."""
    help_text = " ".join(DESCRIPTION.split())
    assert 'the README\'s "Run the demo" section shows how to run it' in help_text
    assert "output" not in help_text.split("README")[1]
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Run the demo**", 1)[1].split("**Run the tests**", 1)[0]
    assert re.search(r"^```bash\n.*python -m sklearn_tinymlp\n```$", section, re.M | re.S)


def test_an_unknown_argument_is_an_error_that_shows_the_usage():
    run = subprocess.run(
        [sys.executable, "-m", "sklearn_tinymlp", "--fast"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "unrecognized arguments: --fast" in run.stderr and "usage:" in run.stderr
    assert run.stdout == ""
