"""Helpers shared by the test files, each written once; imported by name
(``from helpers import assert_same_weights``: pytest puts ``tests/``, which holds no
``__init__.py``, on ``sys.path`` before it imports a test file).

* ``quiet_convergence``, the one warning filter, for fits cut short on purpose.
* ``outputs`` and ``classes_of``: what the two estimators predict, and what ``partial_fit`` needs.
* ``weights`` and ``assert_same_weights``, the one way to snapshot and compare fitted weights.
* ``PARITY``, ``fit_both`` and the ``assert_same_*`` of fitted models: fits side by side with
  scikit-learn's ``MLPClassifier`` and ``MLPRegressor`` (the two parity files).
"""

import numpy as np
import pytest
from sklearn.base import is_classifier

quiet_convergence = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
"""Silences the ConvergenceWarning of fits stopped by a small ``max_iter``: put it in a module's
``pytestmark`` or on a test. A test about the warning itself catches it with ``pytest.warns``."""


def outputs(model, X):
    """What a fitted model predicts, as numbers: the classifier's probabilities, the
    regressor's values."""
    return model.predict_proba(X) if is_classifier(model) else model.predict(X)


def classes_of(estimator, y):
    """The ``classes`` keyword a first ``partial_fit`` call of ``estimator`` needs (or none)."""
    return {"classes": np.unique(y)} if is_classifier(estimator) else {}


# --- weights -----------------------------------------------------------------------------


def weights(model):
    """Copies of a fitted model's ``coefs_`` then ``intercepts_``: a snapshot that later
    training does not change."""
    return [w.copy() for w in model.coefs_ + model.intercepts_]


def assert_same_weights(a, b, rtol=0.0, atol=0.0):
    """``coefs_`` and ``intercepts_`` of ``a`` and ``b`` are equal: bit for bit by default, or
    within ``np.testing.assert_allclose``'s ``rtol`` and ``atol``.

    Each of ``a`` and ``b`` is a fitted estimator or a list of arrays (``weights(model)``).
    """
    a, b = [w if isinstance(w, list) else w.coefs_ + w.intercepts_ for w in (a, b)]
    assert len(a) == len(b), f"{len(a)} weight arrays against {len(b)}"
    for k, (p, q) in enumerate(zip(a, b)):
        np.testing.assert_allclose(p, q, rtol=rtol, atol=atol, err_msg=f"weight array {k}")


# --- side by side with scikit-learn's MLPClassifier and MLPRegressor ----------------------

# Both estimators get every parameter explicitly (the default activation differs).
PARITY = dict(hidden_layer_sizes=(5, 3), activation="tanh", learning_rate_init=0.01, random_state=0)
NEVER_CONVERGES = dict(tol=0.0, n_iter_no_change=10_000)  # runs exactly max_iter epochs


def fit_both(Reference, Ours, X, y, **params):
    """scikit-learn's ``Reference`` and our ``Ours``, each fitted with ``PARITY`` and ``params``.

    scikit-learn's ``early_stopping=False`` is passed explicitly (ours is 'auto') unless given.
    """
    params = {**PARITY, "early_stopping": False, **params}
    return Reference(**params).fit(X, y), Ours(**params).fit(X, y)


def assert_same_structure(ref, ours):
    """What a fitted model must share whatever the training: shapes, dtypes, classes, sizes."""
    if hasattr(ref, "classes_"):
        np.testing.assert_array_equal(ours.classes_, ref.classes_)
        assert ours.classes_.dtype == ref.classes_.dtype
    for name in ("n_layers_", "n_outputs_", "out_activation_", "n_features_in_"):
        assert getattr(ours, name) == getattr(ref, name), name
    assert hasattr(ours, "feature_names_in_") == hasattr(ref, "feature_names_in_")
    for name in ("coefs_", "intercepts_"):
        assert [a.shape for a in getattr(ours, name)] == [a.shape for a in getattr(ref, name)]
        assert [a.dtype for a in getattr(ours, name)] == [a.dtype for a in getattr(ref, name)]


def assert_same_predictions(ref, ours, X, rtol):
    """The same predictions, of the same shapes and dtypes: the same labels, and probabilities
    or values within ``rtol``."""
    for method in ("predict", "predict_proba", "predict_log_proba"):
        if hasattr(ref, method):
            expected, got = getattr(ref, method)(X), getattr(ours, method)(X)
            assert got.shape == expected.shape and got.dtype == expected.dtype, method
    if is_classifier(ref):
        np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(outputs(ours, X), outputs(ref, X), rtol=rtol, atol=rtol * 1e-2)


def assert_same_training(ref, ours, rtol):
    """The same losses and weights: the same initial weights and update rules, up to rounding.

    The curve is compared where scikit-learn records one (not with ``solver='lbfgs'``).
    """
    if hasattr(ref, "loss_curve_"):
        assert len(ours.loss_curve_) == len(ref.loss_curve_)
        np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=rtol)
    np.testing.assert_allclose(ours.loss_, ref.loss_, rtol=rtol)
    assert_same_weights(ours, ref, rtol=rtol, atol=rtol * 1e-2)
