"""scikit-learn's API-compliance checks; under early stopping two are expected to fail."""

import numpy as np
import pytest
from sklearn.utils import check_array
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_tinymlp import TinyMLPClassifier, TinyMLPRegressor

CONFIGURATIONS = [
    TinyMLPClassifier(),
    TinyMLPClassifier(solver="sgd"),
    TinyMLPClassifier(solver="lbfgs"),
    # early_stopping=False keeps these two testing what they did before 'auto' was the default:
    # a small relu network and the Poisson head. With 'auto', the checks' sets of 200-300 rows
    # stop early on 20-30 validation rows, which can miss check_classifiers_train's fixed
    # accuracy bar (0.72 < 0.83 at random_state=0) and check_regressors_train's R² bar (0.45).
    TinyMLPClassifier(hidden_layer_sizes=(8, 4), activation="relu", early_stopping=False),
    TinyMLPClassifier(early_stopping=True),
    TinyMLPClassifier(solver="sgd", early_stopping=True),
    TinyMLPClassifier(class_weight="balanced"),
    # Several checks refit one instance on the same data and compare predictions, or compare
    # two fits to 1e-7; with warm_start both hold when each fit converges tightly, which a
    # strong penalty ensures on the checks' tiny data sets.
    TinyMLPClassifier(warm_start=True, solver="lbfgs", alpha=10.0),
    TinyMLPRegressor(),
    TinyMLPRegressor(solver="lbfgs"),
    TinyMLPRegressor(solver="sgd"),
    TinyMLPRegressor(loss="poisson", early_stopping=False),
    TinyMLPRegressor(early_stopping=True),
]


# The early-stopping split holds out rows, and a row's weight travels with it (as in
# MLPClassifier and HistGradientBoostingClassifier): a row of weight 3 is not three rows
# that can fall on either side of the split. scikit-learn declares the same two checks
# expected failures for HistGradientBoostingClassifier, with this reason.
SPLIT_REASON = (
    "the validation split for early stopping is done on rows, not on units of sample weight"
)


def expected_failed_checks(estimator):
    # 'auto' (the default) holds out no rows of the checks' data sets: they have < 200 rows
    if estimator.early_stopping is not True:
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": SPLIT_REASON,
        "check_sample_weight_equivalence_on_sparse_data": SPLIT_REASON,
    }


@parametrize_with_checks(CONFIGURATIONS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def as_float32(X):
    """X as float32, keeping DataFrame column names and sparse formats."""
    if hasattr(X, "columns") and hasattr(X, "astype"):
        return X.astype(np.float32)
    return check_array(
        X,
        dtype=np.float32,
        accept_sparse=["csr", "csc"],
        ensure_all_finite=False,
        ensure_2d=False,
        allow_nd=True,
        ensure_min_samples=0,
        ensure_min_features=0,
    )


class Float32TinyMLPClassifier(TinyMLPClassifier):
    """TinyMLPClassifier that receives every X in float32, to run the checks in float32."""

    def fit(self, X, y, sample_weight=None):
        return super().fit(as_float32(X), y, sample_weight=sample_weight)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        return super().partial_fit(as_float32(X), y, classes=classes, sample_weight=sample_weight)

    def predict_proba(self, X):
        return super().predict_proba(as_float32(X))

    def predict(self, X):
        return super().predict(as_float32(X))


# These two compare a weighted fit with a fit on repeated rows at rtol=1e-7, which is below
# float32's resolution (machine epsilon 1.19e-7): 200 epochs of float32 rounding differ by
# more. The float64 configurations above pass them; test_training_control.py's
# test_integer_weights_equal_repeated_rows makes the comparison in float32 at a float32
# tolerance.
BELOW_FLOAT32_RESOLUTION = {
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
}


@parametrize_with_checks([Float32TinyMLPClassifier()])
def test_sklearn_compatible_in_float32(estimator, check):
    name = getattr(check, "func", check).__name__
    if name in BELOW_FLOAT32_RESOLUTION:
        pytest.skip("compares at rtol=1e-7, below float32 resolution; see the comment above")
    check(estimator)
