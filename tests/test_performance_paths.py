"""The fast training kernels give the reference loop's numbers.

``_training.reference_epoch`` is the derivation as written in ``_network``;
``_fast.minibatch_epoch`` (flat parameters, preallocated buffers, row chunks)
and ``_fast_scalar.per_sample_epoch`` (Python floats for ``batch_size=1``)
must produce the same parameters, optimizer state and epoch loss.
"""

import numpy as np
import pytest

from sklearn_tinymlp import TinyMLPClassifier, _fast, _fast_scalar, _training
from sklearn_tinymlp._activations import softmax
from sklearn_tinymlp._lbfgs import pack
from sklearn_tinymlp._network import forward, init_params, loss_and_gradients
from sklearn_tinymlp._optimizers import AdamOptimizer, SGDOptimizer
from sklearn_tinymlp._training import batch_indices, epoch_order, reference_epoch

OPTIMIZERS = {
    "sgd": lambda p: SGDOptimizer(p, 0.05, momentum=0.0),
    "momentum": lambda p: SGDOptimizer(p, 0.05, momentum=0.9, nesterov=False),
    "nesterov": lambda p: SGDOptimizer(p, 0.05, momentum=0.9, nesterov=True),
    "adam": lambda p: AdamOptimizer(p, 0.01),
}


def problem(n, n_features, hidden, target, dtype=np.float64, weighted=False, seed=0):
    """Data, 0/1 targets and freshly initialised parameters."""
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n, n_features)).astype(dtype)
    if target == "binary":
        Y, out = (X[:, :1] + 0.3 * rng.standard_normal((n, 1)) > 0).astype(dtype), "logistic"
    elif target == "multilabel":
        Y, out = (rng.standard_normal((n, 3)) > 0).astype(dtype), "logistic"
    else:
        Y = np.eye(4, dtype=dtype)[rng.randint(0, 4, n)]
        out = "softmax"
    sample_weight = rng.uniform(0.2, 3.0, n).astype(dtype) if weighted else None
    units = [n_features, *hidden, Y.shape[1]]
    return X, Y, sample_weight, units, out


def run(epoch_fn, X, Y, sw, units, activation, out, optimizer, alpha, dtype, epochs=2):
    """Train from a fixed start; return parameters, optimizer state and losses."""
    coefs, intercepts = init_params(units, activation, np.random.RandomState(1), dtype)
    opt = OPTIMIZERS[optimizer](coefs + intercepts)
    rng = np.random.RandomState(2)
    losses = [
        epoch_fn(X, Y, sw, coefs, intercepts, opt, rng, activation, out, alpha)
        for _ in range(epochs)
    ]
    state = []
    for name in ("velocities", "ms", "vs"):
        state += getattr(opt, name, None) or []
    return coefs + intercepts, state, losses


def assert_same(a, b, rtol, atol):
    params_a, state_a, losses_a = a
    params_b, state_b, losses_b = b
    np.testing.assert_allclose(losses_a, losses_b, rtol=rtol, atol=atol)
    assert len(params_a) == len(params_b) and len(state_a) == len(state_b)
    for x, y in zip(params_a + state_a, params_b + state_b):
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol)


def reference(batch_size, shuffle=True):
    def epoch(X, Y, sw, coefs, intercepts, opt, rng, activation, out, alpha):
        order = epoch_order(None, X.shape[0], shuffle, rng)
        batches = batch_indices(order, X.shape[0], batch_size)
        return reference_epoch(X, Y, sw, batches, coefs, intercepts, opt, activation, out, alpha)

    return epoch


def per_sample(X, Y, sw, coefs, intercepts, opt, rng, activation, out, alpha):
    order = epoch_order(None, X.shape[0], True, rng)
    return _fast_scalar.per_sample_epoch(
        X, Y, sw, order, X.shape[0], coefs, intercepts, opt, activation, out, alpha
    )


def minibatch(batch_size, shuffle=True):
    def epoch(X, Y, sw, coefs, intercepts, opt, rng, activation, out, alpha):
        order = epoch_order(None, X.shape[0], shuffle, rng)
        batches = batch_indices(order, X.shape[0], batch_size)
        return _fast.minibatch_epoch(
            X, Y, sw, batches, coefs, intercepts, opt, batch_size, activation, out, alpha
        )

    return epoch


@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "identity"])
@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_per_sample_loop_equals_reference(activation, target, optimizer):
    X, Y, sw, units, out = problem(60, 3, (4,), target, weighted=optimizer == "momentum")
    args = (X, Y, sw, units, activation, out, optimizer, 1e-3, np.float64)
    assert_same(run(per_sample, *args), run(reference(1), *args), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("hidden", [(2,), (3, 2)])
def test_per_sample_loop_equals_reference_derivation_network(monkeypatch, hidden):
    """The derivation's 2-2-1 network (and a deeper one), plain SGD, no penalty, 5 epochs."""
    monkeypatch.setattr(_fast_scalar, "ROWS_PER_BLOCK", 7)  # rows are converted in blocks
    X, Y, sw, units, out = problem(200, 2, hidden, "binary")
    args = (X, Y, sw, units, "logistic", out, "sgd", 0.0, np.float64)
    assert_same(
        run(per_sample, *args, epochs=5),
        run(reference(1), *args, epochs=5),
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "identity"])
@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("weighted", [False, True])
def test_minibatch_kernel_equals_reference(activation, target, optimizer, weighted):
    # 7 is not a divisor of 100: the last batch is short
    X, Y, sw, units, out = problem(100, 5, (6, 4), target, weighted=weighted)
    args = (X, Y, sw, units, activation, out, optimizer, 1e-3, np.float64)
    assert_same(run(minibatch(7), *args), run(reference(7), *args), rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("optimizer", ["nesterov", "adam"])
def test_minibatch_kernel_float32_stays_float32_and_agrees(optimizer):
    X, Y, sw, units, out = problem(120, 5, (8,), "multiclass", dtype=np.float32)
    args = (X, Y, sw, units, "logistic", out, optimizer, 1e-3, np.float32)
    fast, ref = run(minibatch(16), *args), run(reference(16), *args)
    assert all(p.dtype == np.float32 for p in fast[0] + fast[1])
    assert_same(fast, ref, rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shuffle", [False, True])
def test_full_batch_in_chunks_equals_one_batch(monkeypatch, weighted, shuffle):
    """A batch bigger than a chunk is summed chunk by chunk, to the same gradient."""
    monkeypatch.setattr(_fast, "CHUNK_ELEMENTS", 64)  # 8 rows per chunk for width 8
    X, Y, sw, units, out = problem(90, 4, (8,), "multiclass", weighted=weighted)
    args = (X, Y, sw, units, "relu", out, "sgd", 1e-2, np.float64)
    assert_same(
        run(minibatch(90, shuffle), *args, epochs=3),
        run(reference(90, shuffle), *args, epochs=3),
        rtol=1e-11,
        atol=1e-13,
    )


def test_train_epoch_dispatch_matches_reference():
    """train_epoch (which picks a fast path) and the reference loop agree for every solver
    shape: per-sample, mini-batch, full batch visited in storage order, zero-weight rows."""
    X, Y, sw, units, out = problem(50, 3, (4,), "binary", weighted=True)
    sw[::5] = 0
    rows = np.flatnonzero(sw)
    for batch_size in (1, 8, 50):
        results = []
        for fn in ("fast", "reference"):
            coefs, intercepts = init_params(units, "tanh", np.random.RandomState(1))
            opt = SGDOptimizer(coefs + intercepts, 0.05, momentum=0.9)
            rng = np.random.RandomState(3)
            losses = []
            for _ in range(2):
                if fn == "fast":
                    loss = _training.train_epoch(
                        X,
                        Y,
                        sw,
                        rows,
                        50,
                        coefs,
                        intercepts,
                        opt,
                        batch_size,
                        True,
                        rng,
                        "tanh",
                        out,
                        1e-3,
                    )
                else:
                    order = epoch_order(rows, 50, True, rng)
                    if batch_size >= rows.size:
                        order = rows
                    loss = reference_epoch(
                        X,
                        Y,
                        sw,
                        batch_indices(order, 50, batch_size),
                        coefs,
                        intercepts,
                        opt,
                        "tanh",
                        out,
                        1e-3,
                    )
                losses.append(loss)
            results.append((coefs + intercepts, opt.velocities, losses))
        assert_same(*results, rtol=1e-12, atol=1e-12)


def test_divergence_is_reported_and_parameters_written_back():
    X, Y, sw, units, out = problem(40, 3, (4,), "binary")
    X *= 1e150
    for fn in (per_sample, minibatch(4), reference(4)):
        coefs, intercepts = init_params(units, "identity", np.random.RandomState(1))
        opt = SGDOptimizer(coefs + intercepts, 1e3, momentum=0.0)
        with np.errstate(all="ignore"):
            loss = fn(
                X, Y, sw, coefs, intercepts, opt, np.random.RandomState(0), "identity", out, 0.0
            )
        assert not np.isfinite(loss)
        assert not np.array_equal(
            coefs[0], init_params(units, "identity", np.random.RandomState(1))[0][0]
        )


def test_flat_optimizer_state_round_trip():
    coefs, intercepts = init_params([3, 4, 2], "relu", np.random.RandomState(0))
    params = coefs + intercepts
    layout = _fast.FlatLayout([3, 4, 2])
    opt = AdamOptimizer(params, 0.01)
    for m in opt.ms:
        m[...] = np.random.RandomState(1).standard_normal(m.shape)
    before = [m.copy() for m in opt.ms]
    opt.flatten_state(layout)
    assert len(opt.ms) == 1 and opt.ms[0].shape == (layout.size,)
    opt.unflatten_state(layout)
    assert [m.shape for m in opt.ms] == [p.shape for p in params]
    for m, b in zip(opt.ms, before):
        np.testing.assert_array_equal(m, b)


@pytest.mark.parametrize(
    "params",
    [
        dict(hidden_layer_sizes=(2,), solver="sgd", batch_size=1, momentum=0.0),
        dict(hidden_layer_sizes=(5,), solver="adam", batch_size=16),
        dict(hidden_layer_sizes=(5,), solver="sgd", batch_size=1000, activation="relu"),
    ],
)
def test_classifier_fast_and_reference_fits_agree(monkeypatch, params):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((120, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    est = TinyMLPClassifier(max_iter=5, random_state=0, learning_rate_init=0.05, **params)
    with pytest.warns(Warning):  # max_iter reached
        fast = est.fit(X, y)
    fast_coefs = [c.copy() for c in fast.coefs_]
    fast_curve = list(fast.loss_curve_)
    monkeypatch.setattr(_training, "flat_optimizer_supported", lambda opt: False)
    with pytest.warns(Warning):
        slow = TinyMLPClassifier(max_iter=5, random_state=0, learning_rate_init=0.05, **params)
        slow.fit(X, y)
    np.testing.assert_allclose(fast_curve, slow.loss_curve_, rtol=1e-12)
    for a, b in zip(fast_coefs, slow.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "identity"])
@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("chunk_elements", [64, _fast.CHUNK_ELEMENTS])
def test_full_batch_objective_equals_loss_and_gradients(
    monkeypatch, activation, target, weighted, chunk_elements
):
    """What L-BFGS minimises: the same loss and gradient as the derivation's function."""
    monkeypatch.setattr(_fast, "CHUNK_ELEMENTS", chunk_elements)
    X, Y, sw, units, out = problem(70, 4, (8, 5), target, weighted=weighted)
    coefs, intercepts = init_params(units, activation, np.random.RandomState(1))
    loss, coef_grads, intercept_grads = loss_and_gradients(
        X, Y, coefs, intercepts, activation, out, 1e-2, sw
    )
    objective = _fast.FullBatchObjective(X, Y, sw, units, activation, out, 1e-2, np.float64)
    with objective:  # one BLAS thread; chunks' lanes on worker threads
        fast_loss, fast_grad = objective(pack(coefs, intercepts))
    assert fast_grad.dtype == np.float64
    np.testing.assert_array_equal(objective(pack(coefs, intercepts))[1], fast_grad)
    np.testing.assert_allclose(fast_loss, loss, rtol=1e-13)
    np.testing.assert_allclose(fast_grad, pack(coef_grads, intercept_grads), rtol=1e-11, atol=1e-15)


def test_softmax_far_from_zero_is_shifted_like_the_reference():
    """Logits beyond exp's safe range take the max-shift branch, with the same numbers."""
    X, Y, sw, units, out = problem(30, 3, (4,), "multiclass")
    coefs, intercepts = init_params(units, "identity", np.random.RandomState(1))
    coefs[1] *= 1e3
    intercepts[1] += 800.0
    loss, coef_grads, intercept_grads = loss_and_gradients(
        X, Y, coefs, intercepts, "identity", out, 0.0
    )
    assert np.isfinite(loss)
    objective = _fast.FullBatchObjective(X, Y, sw, units, "identity", out, 0.0, np.float64)
    fast_loss, fast_grad = objective(pack(coefs, intercepts))
    np.testing.assert_allclose(fast_loss, loss, rtol=1e-12)
    np.testing.assert_allclose(fast_grad, pack(coef_grads, intercept_grads), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "identity"])
@pytest.mark.parametrize("n", [1, 50, 3000])  # one row, one piece, many chunks over threads
@pytest.mark.parametrize("x_dtype", [np.float64, np.float32])
def test_forward_logits_equals_forward(monkeypatch, activation, n, x_dtype):
    monkeypatch.setattr(_fast, "PREDICT_CHUNK_ELEMENTS", 64)  # 64 rows per chunk
    rng = np.random.RandomState(0)
    X = rng.standard_normal((n, 5)).astype(x_dtype)
    coefs, intercepts = init_params([5, 7, 6, 3], activation, rng)
    _, expected = forward(X, coefs, intercepts, activation, "softmax")
    logits = _fast.forward_logits(X, coefs, intercepts, activation)
    assert logits.shape == (n, 3) and logits.dtype == expected.dtype
    np.testing.assert_allclose(logits, expected, rtol=1e-12, atol=1e-13)


def test_forward_logits_leaves_blas_threads_as_they_were():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = [i["num_threads"] for i in threadpoolctl.threadpool_info()]
    rng = np.random.RandomState(0)
    coefs, intercepts = init_params([5, 300, 2], "relu", rng)
    _fast.forward_logits(rng.standard_normal((5000, 5)), coefs, intercepts, "relu")
    assert [i["num_threads"] for i in threadpoolctl.threadpool_info()] == before


@pytest.mark.parametrize("scale", [1.0, 1e3])  # the second needs the shift by the row maximum
def test_softmax_rows_equals_reference(scale):
    rng = np.random.RandomState(0)
    z = rng.standard_normal((40, 5)) * scale
    expected = softmax(z.copy())
    np.testing.assert_allclose(_fast.softmax_rows(z), expected, rtol=1e-12, atol=1e-300)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix
def test_plain_float_array_only_passes_what_validate_data_returns_unchanged():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((30, 3))
    est = TinyMLPClassifier(hidden_layer_sizes=(4,), max_iter=300, random_state=0)
    est.fit(X, (X[:, 0] > 0).astype(int))
    assert _fast.plain_float_array(est, X) is X
    assert _fast.plain_float_array(est, X.astype(np.float32)) is not None
    nan, inf = X.copy(), X.copy()
    nan[3, 1], inf[0, 0] = np.nan, -np.inf
    for other in (
        X.tolist(),
        X.astype(np.int64),
        X.astype(np.float16),
        X[:, :2],
        X[0],
        X[:0],
        np.asmatrix(X),
        nan,
        inf,
    ):
        assert _fast.plain_float_array(est, other) is None
    # What falls back gets validate_data's usual handling: the same numbers or the same error.
    np.testing.assert_array_equal(est.predict_proba(X.tolist()), est.predict_proba(X))
    with pytest.raises(ValueError, match="NaN"):
        est.predict_proba(nan)
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    named = TinyMLPClassifier(hidden_layer_sizes=(4,), max_iter=300, random_state=0)
    named.fit(df, (X[:, 0] > 0).astype(int))
    assert _fast.plain_float_array(named, X) is None
    with pytest.warns(UserWarning, match="feature names"):
        named.predict(X)


@pytest.mark.parametrize("weighted", [False, True])
def test_lanes_give_the_same_bits_on_any_number_of_threads(monkeypatch, weighted):
    """A multi-chunk batch is summed in fixed lanes: 1, 2 or 3 threads, identical results."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(_fast, "CHUNK_ELEMENTS", 40)  # 5 rows per chunk for width 8
    X, Y, sw, units, out = problem(103, 4, (8,), "multiclass", weighted=weighted)
    coefs, intercepts = init_params(units, "tanh", np.random.RandomState(1))
    results = []
    for workers in (1, 2, 3):
        layout = _fast.FlatLayout(units)
        theta = layout.pack(coefs + intercepts)
        grad = np.empty_like(theta)
        workspace = _fast.GradientWorkspace(units, 103, np.float64, "tanh", out, theta, grad)
        with ThreadPoolExecutor(workers) as pool:
            workspace.pool, workspace.workers = pool, workers
            loss, _ = workspace.loss_and_gradient(X, Y, sw, np.arange(103)[::-1], 1e-3)
        results.append((loss, grad))
    for loss, grad in results[1:]:
        assert loss == results[0][0]
        np.testing.assert_array_equal(grad, results[0][1])


def test_flat_views_are_recognised_and_anything_else_is_copied():
    coefs, intercepts = init_params([3, 4, 2], "relu", np.random.RandomState(0))
    layout = _fast.FlatLayout([3, 4, 2])
    assert layout.base_of(coefs + intercepts) is None  # separate arrays
    flat_coefs, flat_intercepts = _fast.as_flat_views(coefs, intercepts)
    for a, b in zip(flat_coefs + flat_intercepts, coefs + intercepts):
        np.testing.assert_array_equal(a, b)
    base = layout.base_of(flat_coefs + flat_intercepts)
    assert base is not None and base.shape == (layout.size,)
    assert layout.base_of(flat_intercepts + flat_coefs) is None  # wrong order
    assert layout.base_of([flat_coefs[0], coefs[1], *flat_intercepts]) is None  # one replaced


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_optimizer_scratch_gives_the_same_step(optimizer):
    rng = np.random.RandomState(0)
    params = [rng.standard_normal((3, 2)), rng.standard_normal(2)]
    grads = [rng.standard_normal((3, 2)), rng.standard_normal(2)]
    a, b = [p.copy() for p in params], [p.copy() for p in params]
    opt_a, opt_b = OPTIMIZERS[optimizer](a), OPTIMIZERS[optimizer](b)
    for _ in range(3):
        opt_a.update_params(a, [g.copy() for g in grads])
        opt_b.update_params(b, [g.copy() for g in grads], [np.empty_like(p) for p in b])
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("hidden", [(2,), (9,)])  # narrower and wider than the 4 classes
def test_softmax_error_both_ways_equals_reference(hidden):
    """ŷ from e^(z − log Σ e^z) (a spare buffer wide enough) or e^z / Σ e^z (not)."""
    X, Y, sw, units, out = problem(50, 3, hidden, "multiclass")
    args = (X, Y, sw, units, "relu", out, "adam", 1e-3, np.float64)
    assert_same(run(minibatch(16), *args), run(reference(16), *args), rtol=1e-11, atol=1e-13)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("batch_size", [1, 16])  # the Python-float path and the flat kernels
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_training_continues_the_same_after_a_pickle_round_trip(batch_size, solver):
    """Unpickled parameters and optimizer state are separate arrays, not views of one
    vector; training from them must give exactly what training on would have."""
    import pickle

    rng = np.random.RandomState(0)
    X = rng.standard_normal((80, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    est = TinyMLPClassifier(
        hidden_layer_sizes=(3,),
        solver=solver,
        batch_size=batch_size,
        max_iter=2,
        learning_rate_init=0.05,
        random_state=0,
    ).fit(X, y)
    copy = pickle.loads(pickle.dumps(est))
    for model in (est, copy):
        for _ in range(2):
            model.partial_fit(X, y)
    for a, b in zip(est.coefs_ + est.intercepts_, copy.coefs_ + copy.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert est.loss_curve_ == copy.loss_curve_
