"""sklearn-tinymlp: small, fast multi-layer perceptrons for scikit-learn.

Its training code is the backpropagation derivation written as pure array
functions (``sklearn_tinymlp._network``), wrapped in an estimator that follows
the scikit-learn API.
"""

from ._classifier import TinyMLPClassifier
from ._display import TrainingCurveDisplay
from ._ecosystem_skops import SKOPS_TRUSTED_TYPES as _SKOPS_TRUSTED_TYPES
from ._onnx import register_onnx_converter, to_onnx
from ._regressor import TinyMLPRegressor
from ._show_versions import show_versions

__version__ = "0.2.0"

#: The types of this package a skops file of a model may contain: pass them as
#: ``skops.io.load(path, trusted=SKOPS_TRUSTED_TYPES)``. See :doc:`/ecosystem`.
SKOPS_TRUSTED_TYPES = _SKOPS_TRUSTED_TYPES

__all__ = [
    "SKOPS_TRUSTED_TYPES",
    "TinyMLPClassifier",
    "TinyMLPRegressor",
    "TrainingCurveDisplay",
    "__version__",
    "register_onnx_converter",
    "show_versions",
    "to_onnx",
]
