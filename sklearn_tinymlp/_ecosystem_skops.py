"""The types skops must be told to trust to load a TinyMLPClassifier or TinyMLPRegressor.

``skops.io.load`` refuses to build any type it does not know to be safe;
scikit-learn's and numpy's own types are trusted by default, ours are not.
A fitted model stores itself and its training state (for the stochastic
solvers with their optimizer: what ``partial_fit`` and ``warm_start`` continue
from), so these are the only types ``skops.io.get_untrusted_types`` reports for it. Trusting
them lets skops create these objects without calling ``__init__`` and restore
their attributes (through ``BaseEstimator.__setstate__`` for the estimators);
every attribute value is itself loaded by skops's loaders, which accept only
trusted types, so no code from the file runs.
"""

from ._classifier import TinyMLPClassifier
from ._optimizers import AdamOptimizer, SGDOptimizer
from ._regressor import TinyMLPRegressor
from ._training import TrainingState

#: Fully qualified names of this package's types that a skops file of a
#: TinyMLPClassifier or TinyMLPRegressor (alone or in a Pipeline) may contain; pass them as
#: ``skops.io.load(path, trusted=SKOPS_TRUSTED_TYPES)``.
SKOPS_TRUSTED_TYPES = [
    f"{cls.__module__}.{cls.__qualname__}"
    for cls in (TinyMLPClassifier, TrainingState, SGDOptimizer, AdamOptimizer, TinyMLPRegressor)
]
