"""sklearn-tinymlp: small, fast multi-layer perceptrons for scikit-learn.

Its training code is the backpropagation derivation written as pure array
functions (``sklearn_tinymlp._network``), wrapped in an estimator that follows
the scikit-learn API.
"""

from ._classifier import TinyMLPClassifier
from ._display import TrainingCurveDisplay
from ._onnx import register_onnx_converter, to_onnx
from ._optimizers import AdamOptimizer, SGDOptimizer
from ._regressor import TinyMLPRegressor
from ._show_versions import show_versions
from ._training import TrainingState

__version__ = "0.2.0"

#: The types of this package a skops file of a model may contain: pass them as
#: ``skops.io.load(path, trusted=SKOPS_TRUSTED_TYPES)``. See :doc:`/ecosystem`.
SKOPS_TRUSTED_TYPES = [
    f"{cls.__module__}.{cls.__qualname__}"
    for cls in (TinyMLPClassifier, TrainingState, SGDOptimizer, AdamOptimizer, TinyMLPRegressor)
]

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
