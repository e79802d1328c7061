"""One step of each update rule against its closed form."""

import numpy as np
import pytest

from sklearn_tinymlp._optimizers import AdamOptimizer, SGDOptimizer


def arrays():
    """A flat parameter vector, as the network's parameters are."""
    return np.array([0.5, -1.0, 2.0, 0.25, 0.1, -0.2])


def grads():
    return np.array([0.3, -0.6, 1.2, 0.0, -0.5, 0.4])


def test_plain_gradient_step():
    theta = arrays()
    SGDOptimizer(theta, 0.1, momentum=0.0).step(theta, grads())
    np.testing.assert_allclose(theta, arrays() - 0.1 * grads(), rtol=0, atol=1e-15)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_two_steps(nesterov):
    lr, mu = 0.1, 0.9
    theta = arrays()
    opt = SGDOptimizer(theta, lr, momentum=mu, nesterov=nesterov)
    opt.step(theta, grads())
    opt.step(theta, grads())
    for p, p0, g in [(theta, arrays(), grads())]:
        v1 = -lr * g
        v2 = mu * v1 - lr * g
        if nesterov:
            expected = p0 + (mu * v1 - lr * g) + (mu * v2 - lr * g)
        else:
            expected = p0 + v1 + v2
        np.testing.assert_allclose(p, expected, rtol=0, atol=1e-14)


def test_adam_two_steps():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    theta = arrays()
    opt = AdamOptimizer(theta, lr, b1, b2, eps)
    opt.step(theta, grads())
    opt.step(theta, grads())
    for p, p0, gi in [(theta, arrays(), grads())]:
        expected = p0.copy()
        m = np.zeros_like(p0)
        v = np.zeros_like(p0)
        for t in (1, 2):
            m = b1 * m + (1 - b1) * gi
            v = b2 * v + (1 - b2) * gi**2
            # bias correction folded into the step (scikit-learn's form: ε added to √v)
            expected -= lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
        np.testing.assert_allclose(p, expected, rtol=1e-12, atol=1e-15)


def test_invscaling_and_adaptive_schedules():
    opt = SGDOptimizer(np.zeros(1), 0.5, "invscaling", momentum=0.0, power_t=0.5)
    opt.iteration_ends(99)
    assert opt.learning_rate == pytest.approx(0.05)
    opt = SGDOptimizer(np.zeros(1), 0.5, "adaptive", momentum=0.0)
    assert opt.trigger_stopping("no progress.", verbose=False) is False
    assert opt.learning_rate == pytest.approx(0.1)
    opt.learning_rate = 1e-7
    assert opt.trigger_stopping("no progress.", verbose=False) is True
    assert SGDOptimizer(np.zeros(1), 0.5).trigger_stopping("x", False) is True


@pytest.mark.parametrize(
    "optimizer, learning_rate, printed",
    [
        (AdamOptimizer(np.zeros(1), 0.5), None, ["Stalled. Stopping."]),
        (SGDOptimizer(np.zeros(1), 0.5, "constant"), None, ["Stalled. Stopping."]),
        (SGDOptimizer(np.zeros(1), 0.5, "invscaling"), None, ["Stalled. Stopping."]),
        (
            SGDOptimizer(np.zeros(1), 0.5, "adaptive"),
            0.5,
            ["Stalled. Setting learning rate to 0.100000"],
        ),
        (
            SGDOptimizer(np.zeros(1), 0.5, "adaptive"),
            1e-6,
            ["Stalled. Learning rate too small. Stopping."],
        ),
    ],
)
def test_verbose_stop_message_is_printed_once_per_call(optimizer, learning_rate, printed, capsys):
    if learning_rate is not None:
        optimizer.learning_rate = learning_rate
    stops = optimizer.trigger_stopping("Stalled.", verbose=True)
    assert capsys.readouterr().out.splitlines() == printed
    assert stops == printed[0].endswith("Stopping.")
    optimizer.trigger_stopping("Stalled.", verbose=False)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_verbose_fit_says_stopping_once(solver, capsys):
    from sklearn.datasets import make_classification

    from sklearn_tinymlp import TinyMLPClassifier

    X, y = make_classification(60, 4, random_state=0)
    clf = TinyMLPClassifier((3,), solver=solver, tol=1e3, n_iter_no_change=2, max_iter=50)
    clf.set_params(verbose=True, random_state=0).fit(X, y)
    stops = [line for line in capsys.readouterr().out.splitlines() if "Stopping." in line]
    assert stops == [
        "Training loss did not improve more than tol=1000.0 for 2 consecutive epochs. Stopping."
    ]
