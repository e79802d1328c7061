"""The derivation's update rules, checked by hand in its own notation.

Network (backprop-derivation.md): inputs x1, x2; hidden units
a1 = σ(w11 x1 + w21 x2 + b1) and a2 = σ(w12 x1 + w22 x2 + b2); output
ŷ = σ(w1 a1 + w2 a2 + b); loss L = −[y log ŷ + (1 − y) log(1 − ŷ)].
"""

import math

import numpy as np
import pytest

from sklearn_tinymlp import TinyMLPClassifier
from sklearn_tinymlp._network import Layout, Objective


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


# chosen weights, in the derivation's names
w11, w21, b1 = 0.15, -0.40, 0.05
w12, w22, b2 = -0.30, 0.25, -0.10
w1, w2, b = 0.60, -0.45, 0.20


def set_derivation_weights(clf):
    """coefs_[0][j, k]: input j → hidden k; coefs_[1][k, 0]: hidden k → output."""
    clf.coefs_ = [np.array([[w11, w12], [w21, w22]]), np.array([[w1], [w2]])]
    clf.intercepts_ = [np.array([b1, b2]), np.array([b])]


def derivation_classifier(eta, batch_size=1):
    return TinyMLPClassifier(
        hidden_layer_sizes=(2,),
        activation="logistic",
        solver="sgd",
        batch_size=batch_size,
        learning_rate_init=eta,
        momentum=0.0,
        alpha=0.0,
        shuffle=False,
        random_state=0,
    )


@pytest.mark.parametrize("x1, x2, y", [(0.7, -1.2, 1), (-0.3, 0.9, 0), (2.0, 1.5, 1)])
def test_one_per_sample_step_follows_the_derivations_update_rules(x1, x2, y):
    eta = 0.5
    clf = derivation_classifier(eta)
    clf.partial_fit(np.array([[x1, x2]]), np.array([y]), classes=[0, 1])  # initialise
    set_derivation_weights(clf)

    # Forward pass, by hand.
    a1 = sigma(w11 * x1 + w21 * x2 + b1)
    a2 = sigma(w12 * x1 + w22 * x2 + b2)
    y_hat = sigma(w1 * a1 + w2 * a2 + b)
    error = y_hat - y  # (ŷ − y)

    # The derivation's summary of update rules (green node: the same with w12, w22, b2, w2, a2).
    expected = {
        "w1": w1 - eta * error * a1,
        "w2": w2 - eta * error * a2,
        "b": b - eta * error,
        "w11": w11 - eta * error * w1 * a1 * (1 - a1) * x1,
        "w21": w21 - eta * error * w1 * a1 * (1 - a1) * x2,
        "b1": b1 - eta * error * w1 * a1 * (1 - a1),
        "w12": w12 - eta * error * w2 * a2 * (1 - a2) * x1,
        "w22": w22 - eta * error * w2 * a2 * (1 - a2) * x2,
        "b2": b2 - eta * error * w2 * a2 * (1 - a2),
    }

    clf.partial_fit(np.array([[x1, x2]]), np.array([y]))

    (W_hidden, W_out), (b_hidden, b_out) = clf.coefs_, clf.intercepts_
    actual = {
        "w11": W_hidden[0, 0],
        "w21": W_hidden[1, 0],
        "b1": b_hidden[0],
        "w12": W_hidden[0, 1],
        "w22": W_hidden[1, 1],
        "b2": b_hidden[1],
        "w1": W_out[0, 0],
        "w2": W_out[1, 0],
        "b": b_out[0],
    }
    for name, value in expected.items():
        assert actual[name] == pytest.approx(value, abs=1e-12, rel=0), name
    # Every one of the nine parameters moved.
    before = {"w11": w11, "w21": w21, "b1": b1, "w12": w12, "w22": w22, "b2": b2}
    before.update({"w1": w1, "w2": w2, "b": b})
    assert all(actual[k] != before[k] for k in before)
    # The predicted probability of the sample's class is the derivation's ŷ.
    probability = clf.predict_proba(np.array([[x1, x2]]))[0, 1]
    assert probability != pytest.approx(y_hat)  # the step changed the prediction ...
    assert abs(probability - y) < abs(y_hat - y)  # ... towards the target


def test_full_batch_step_is_the_mean_of_per_sample_gradients():
    rng = np.random.RandomState(3)
    X = rng.normal(size=(6, 2))
    y = np.array([0, 1, 1, 0, 1, 0])
    eta = 0.3
    clf = derivation_classifier(eta, batch_size=len(X))
    clf.partial_fit(X, y, classes=[0, 1])
    set_derivation_weights(clf)
    coefs = [c.copy() for c in clf.coefs_]
    intercepts = [c.copy() for c in clf.intercepts_]
    layout = Layout([2, 2, 1])
    data = (X, y[:, None].astype(float), None)
    theta = layout.pack(coefs, intercepts)
    objective = Objective(theta, [2, 2, 1], "logistic", "logistic", 0.0, data)

    per_sample = []
    for i in range(len(X)):
        objective(slice(i, i + 1))
        per_sample.append(layout.views(objective.grad.copy()))
    mean_coef_grads = [np.mean([g[0][layer] for g in per_sample], axis=0) for layer in range(2)]
    mean_intercept_grads = [
        np.mean([g[1][layer] for g in per_sample], axis=0) for layer in range(2)
    ]

    clf.partial_fit(X, y)
    for layer in range(2):
        np.testing.assert_allclose(
            clf.coefs_[layer], coefs[layer] - eta * mean_coef_grads[layer], rtol=0, atol=1e-12
        )
        np.testing.assert_allclose(
            clf.intercepts_[layer],
            intercepts[layer] - eta * mean_intercept_grads[layer],
            rtol=0,
            atol=1e-12,
        )


def test_fit_with_batch_size_one_is_repeated_per_sample_steps():
    """fit(batch_size=1, shuffle=False) for one epoch = one derivation step per sample, in order."""
    X = np.array([[0.7, -1.2], [-0.3, 0.9], [2.0, 1.5]])
    y = np.array([1, 0, 1])
    eta = 0.2
    clf = derivation_classifier(eta)
    clf.partial_fit(X, y, classes=[0, 1])
    set_derivation_weights(clf)
    clf.partial_fit(X, y)  # one epoch, three per-sample steps

    p = dict(w11=w11, w21=w21, b1=b1, w12=w12, w22=w22, b2=b2, w1=w1, w2=w2, b=b)
    for (x1, x2), target in zip(X, y):
        a1 = sigma(p["w11"] * x1 + p["w21"] * x2 + p["b1"])
        a2 = sigma(p["w12"] * x1 + p["w22"] * x2 + p["b2"])
        e = sigma(p["w1"] * a1 + p["w2"] * a2 + p["b"]) - target
        d1, d2 = e * p["w1"] * a1 * (1 - a1), e * p["w2"] * a2 * (1 - a2)
        p = dict(
            w11=p["w11"] - eta * d1 * x1,
            w21=p["w21"] - eta * d1 * x2,
            b1=p["b1"] - eta * d1,
            w12=p["w12"] - eta * d2 * x1,
            w22=p["w22"] - eta * d2 * x2,
            b2=p["b2"] - eta * d2,
            w1=p["w1"] - eta * e * a1,
            w2=p["w2"] - eta * e * a2,
            b=p["b"] - eta * e,
        )
    np.testing.assert_allclose(
        clf.coefs_[0], [[p["w11"], p["w12"]], [p["w21"], p["w22"]]], rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(clf.coefs_[1].ravel(), [p["w1"], p["w2"]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(clf.intercepts_[0], [p["b1"], p["b2"]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(clf.intercepts_[1], [p["b"]], rtol=0, atol=1e-12)
