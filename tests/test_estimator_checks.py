"""scikit-learn's API-compliance checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_tinymlp import TinyMLPClassifier

CONFIGURATIONS = [
    TinyMLPClassifier(),
    TinyMLPClassifier(solver="sgd"),
    TinyMLPClassifier(solver="lbfgs"),
    TinyMLPClassifier(hidden_layer_sizes=(10, 10), activation="relu"),
    TinyMLPClassifier(early_stopping=True),
    TinyMLPClassifier(solver="sgd", early_stopping=True),
    TinyMLPClassifier(class_weight="balanced"),
    # Several checks refit one instance on the same data and compare predictions, or compare
    # two fits to 1e-7; with warm_start both hold when each fit converges tightly, which a
    # strong penalty ensures on the checks' tiny data sets.
    TinyMLPClassifier(warm_start=True, solver="lbfgs", alpha=10.0),
]


@parametrize_with_checks(CONFIGURATIONS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
