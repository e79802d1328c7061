"""scikit-learn's API-compliance checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_tinymlp import TinyMLPClassifier

CONFIGURATIONS = [
    TinyMLPClassifier(),
    TinyMLPClassifier(solver="sgd"),
    TinyMLPClassifier(solver="lbfgs"),
    TinyMLPClassifier(hidden_layer_sizes=(10, 10), activation="relu"),
    TinyMLPClassifier(early_stopping=True),
]


@parametrize_with_checks(CONFIGURATIONS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
