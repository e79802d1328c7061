"""The README's demo, ``python -m sklearn_tinymlp``, runs and reports what it promises."""

import re
import warnings

from sklearn.exceptions import ConvergenceWarning

from sklearn_tinymlp.__main__ import NAMES, main


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
    held_out = float(re.search(r"held-out accuracy of the best pipeline: (\d\.\d+)", out).group(1))
    assert held_out > 0.95
