"""The output heads: each loss against its error, MLPClassifier's and MLPRegressor's losses,
and ``classify`` (what the classifier's predict methods return)."""

import numpy as np
import pytest
import sklearn
from scipy.special import expit, softmax
from sklearn.metrics import mean_absolute_error, mean_pinball_loss
from sklearn.neural_network._base import LOSS_FUNCTIONS
from sklearn.utils.fixes import parse_version

from sklearn_tinymlp._heads import HEADS, classify, get_head
from sklearn_tinymlp._network import Layout, Objective, data_loss, init_params, output_error

rng = np.random.RandomState(0)
Z = rng.normal(scale=2.0, size=(7, 3))
TARGETS = {
    "logistic": (rng.rand(7, 3) > 0.5).astype(float),
    "softmax": np.eye(3)[rng.randint(0, 3, 7)],
    "squared_error": rng.normal(size=(7, 3)),
    "poisson": rng.poisson(2.0, size=(7, 3)).astype(float),  # zeros included
    "absolute_error": rng.normal(size=(7, 3)),
    ("quantile", 0.1): rng.normal(size=(7, 3)),
    ("quantile", 0.9): rng.normal(size=(7, 3)),
}
HEAD_IDS = [str(head) for head in TARGETS]


def test_every_head_is_tested():
    assert {h if isinstance(h, str) else h[0] for h in TARGETS} == set(HEADS)


@pytest.mark.parametrize(
    "head, n_outputs",
    [(h, k) for h in TARGETS for k in (1, 3) if (h, k) != ("softmax", 1)],
    ids=str,
)
def test_error_is_the_derivative_of_the_loss(head, n_outputs):
    """∂(Σ_i ℓ_i)/∂z_ik by central differences equals the head's error (away from the kinks)."""
    z, y = Z[:, :n_outputs], TARGETS[head][:, :n_outputs]
    _, loss, error = get_head(head)
    y_hat = z.copy()
    loss(y_hat, y)  # the error is written over ŷ, which the loss leaves
    analytic = error(y_hat, y)
    h = 1e-6
    numeric = np.empty_like(z)
    for index in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[index] = h
        numeric[index] = (loss(z + step, y).sum() - loss(z - step, y).sum()) / (2 * h)
    if head == "squared_error":
        # MLPRegressor's loss averages over the outputs; its error is the sum's gradient.
        numeric *= z.shape[1]
    assert np.abs(z - y).min() > 1e-3  # no kink of |r| or ρ_q(r) within h
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("head", TARGETS, ids=HEAD_IDS)
def test_loss_leaves_the_output_in_the_logits(head):
    output, loss, _ = get_head(head)
    z = Z.copy()
    loss(z, TARGETS[head])
    np.testing.assert_allclose(z, output(Z.copy()), rtol=1e-14, atol=1e-300)


def test_outputs_are_the_links():
    np.testing.assert_allclose(HEADS["logistic"].output(Z.copy()), expit(Z), rtol=1e-14)
    np.testing.assert_allclose(HEADS["softmax"].output(Z.copy()), softmax(Z, axis=1), rtol=1e-14)
    np.testing.assert_allclose(HEADS["poisson"].output(Z.copy()), np.exp(Z), rtol=1e-14)
    for head in ("squared_error", "absolute_error", "quantile"):
        assert HEADS[head].output(Z.copy()).tolist() == Z.tolist()


@pytest.mark.skipif(
    parse_version(sklearn.__version__) < parse_version("1.7"),
    reason="scikit-learn's MLP loss functions take sample_weight, and have 'poisson', from 1.7",
)
@pytest.mark.parametrize(
    "head, theirs",
    [
        ("logistic", lambda y, z, w: LOSS_FUNCTIONS["binary_log_loss"](y, expit(z), w)),
        ("softmax", lambda y, z, w: LOSS_FUNCTIONS["log_loss"](y, softmax(z, axis=1), w)),
        ("squared_error", lambda y, z, w: LOSS_FUNCTIONS["squared_error"](y, z, w)),
        ("poisson", lambda y, z, w: LOSS_FUNCTIONS["poisson"](y, np.exp(z), w)),
        ("absolute_error", lambda y, z, w: 3 * mean_absolute_error(y, z, sample_weight=w)),
        (
            ("quantile", 0.1),
            lambda y, z, w: 3 * mean_pinball_loss(y, z, sample_weight=w, alpha=0.1),
        ),
    ],
    ids=str,
)
def test_weighted_mean_loss_is_scikit_learns(head, theirs):
    """Σ s_i ℓ_i / S is MLPClassifier's and MLPRegressor's loss (and the metrics' sums)."""
    weights = np.random.RandomState(1).uniform(0.5, 2.0, len(Z))
    y = TARGETS[head]
    ours = data_loss(Z, y, head, weights) / weights.sum()
    assert ours == pytest.approx(theirs(y, Z, weights), rel=1e-12)


@pytest.mark.parametrize("head", ["squared_error", "poisson", "absolute_error", ("quantile", 0.8)])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_backward_matches_central_finite_differences(head, weighted):
    """The whole network's gradient with a regression head, weights and the L2 penalty.

    Squared error has one output here: with more, its error is the gradient of
    the outputs' sum, not of the reported mean (MLPRegressor's scaling, above).
    """
    rng = np.random.RandomState(2)
    X = rng.normal(size=(9, 3))
    n_outputs = 1 if head == "squared_error" else 2
    Y = rng.poisson(1, (9, n_outputs)) if head == "poisson" else rng.normal(size=(9, n_outputs))
    units = [3, 4, n_outputs]
    coefs, intercepts = init_params(units, "tanh", np.random.RandomState(1))
    theta = Layout(units).flat_of(coefs, intercepts)
    sample_weight = rng.uniform(0.5, 2.0, 9) if weighted else None
    objective = Objective(theta, units, "tanh", head, 0.3, (X, Y.astype(float), sample_weight))
    analytic = objective().grad.copy()
    h = 1e-6

    def loss_at(t):
        theta[...] = t
        return objective().loss

    start = theta.copy()
    numeric = [
        (loss_at(start + h * e) - loss_at(start - h * e)) / (2 * h) for e in np.eye(start.size)
    ]
    assert np.abs(analytic).max() > 1e-2
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_output_error_weights_and_normalises_the_error():
    z, y = Z[:4, :2], TARGETS[("quantile", 0.9)][:4, :2]
    weights = np.array([1.0, 0.0, 2.0, 3.0])
    loss, delta = output_error(z.copy(), y, ("quantile", 0.9), weights, 4.0)
    np.testing.assert_allclose(delta, ((z > y) - 0.9) * weights[:, None] / 4.0)
    assert loss == pytest.approx(float(get_head(("quantile", 0.9)).loss(z.copy(), y) @ weights))


@pytest.mark.parametrize("n_outputs, out", [(1, "logistic"), (3, "softmax"), (3, "logistic")])
def test_classify_reads_the_logits_as_mlpclassifier_does(n_outputs, out):
    """Binary [1 − p, p] and the class z > 0; multiclass softmax and argmax; multilabel σ, z > 0."""
    z = np.vstack([Z[:, :n_outputs], np.full((1, n_outputs), 800.0), np.zeros((1, n_outputs))])
    proba = classify(z.copy(), out, "predict_proba")
    log_proba = classify(z.copy(), out, "predict_log_proba")
    predicted = classify(z.copy(), out, "predict")
    if n_outputs == 1:
        np.testing.assert_allclose(proba, np.hstack([1 - expit(z), expit(z)]), atol=1e-15)
        assert predicted.tolist() == (z[:, 0] > 0).astype(int).tolist()
    elif out == "softmax":
        np.testing.assert_allclose(proba, softmax(z, axis=1), rtol=1e-14)
        assert predicted.tolist() == z.argmax(axis=1).tolist()
    else:
        np.testing.assert_allclose(proba, expit(z), rtol=1e-14)
        assert predicted.tolist() == (z > 0).astype(int).tolist()
    assert np.isfinite(log_proba).all()  # from the logits: finite where a probability is 0
    np.testing.assert_allclose(np.exp(log_proba), proba, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("head", TARGETS, ids=HEAD_IDS)
def test_float32_stays_float32(head):
    z, y = Z.astype(np.float32), TARGETS[head].astype(np.float32)
    _, delta = output_error(z, y, head, np.ones(len(z), np.float32), float(len(z)))
    assert delta.dtype == np.float32 and np.isfinite(delta).all()
