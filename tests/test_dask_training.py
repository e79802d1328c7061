"""Training on Dask input (issue 14): one model fitted where the blocks live, on a real cluster.

The cluster tests (marked slow) run on the ``client`` fixture of conftest.py:
``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` bound to 127.0.0.1; the
input checks run on Dask's local scheduler.
"""

import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.fixes import parse_version
from threadpoolctl import threadpool_limits

from sklearn_tinymlp import TinyMLPClassifier, TinyMLPRegressor

from helpers import assert_same_weights, quiet_convergence

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

pytestmark = [
    quiet_convergence,
    # distributed warns about the ports it picks and about slow event loops on busy machines
    pytest.mark.filterwarnings("ignore::UserWarning:distributed", "ignore::ResourceWarning"),
]


X, y = make_classification(3000, 12, n_informative=8, n_redundant=0, n_classes=3, random_state=0)
W = np.random.RandomState(1).uniform(0, 3, len(y))
W[::7] = 0.0  # rows to skip, as the in-memory fit skips them


@pytest.mark.slow
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample_weight+balanced"])
def test_lbfgs_on_chunked_dask_array_equals_numpy_fit(client, weighted):
    params = dict(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=30, tol=0, random_state=0)
    fit_kw = {}
    if weighted:
        params["class_weight"] = "balanced"
        fit_kw = dict(sample_weight=W)
    in_memory = TinyMLPClassifier(**params).fit(X, y, **fit_kw)

    # Blocks of 500 rows, columns split in two, half of them on each worker (as data read
    # by the workers would be); y and the weights chunked differently.
    workers = sorted(client.scheduler_info()["workers"])
    halves = [
        client.persist(da.from_array(part, chunks=(500, 6)), workers=[worker])
        for part, worker in zip((X[:1500], X[1500:]), workers)
    ]
    X_dask = da.concatenate(halves)
    dask_kw = {k: da.from_array(v, chunks=700) for k, v in fit_kw.items()}
    with distributed.get_task_stream(client) as stream:
        on_dask = TinyMLPClassifier(**params).fit(X_dask, da.from_array(y, chunks=900), **dask_kw)

    assert on_dask.n_iter_ == in_memory.n_iter_ == 30
    assert_same_weights(on_dask, in_memory, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(on_dask.loss_curve_, in_memory.loss_curve_, rtol=1e-10)
    np.testing.assert_array_equal(on_dask.classes_, in_memory.classes_)
    # The per-block sums ran on both worker processes, once per block per evaluation.
    block_tasks = [t for t in stream.data if "block_sums" in str(t["key"])]
    assert {t["worker"] for t in block_tasks} == set(workers)
    assert len(block_tasks) % 6 == 0 and len(block_tasks) >= 6 * 30


@pytest.mark.slow
def test_full_batch_gradient_descent_equals_numpy_fit(client):
    # early_stopping=False: 'auto' holds out rows in memory, not of a Dask array
    params = dict(
        hidden_layer_sizes=(8,), solver="sgd", batch_size=len(y), max_iter=15, early_stopping=False
    )
    in_memory = TinyMLPClassifier(random_state=0, **params).fit(X, y)
    on_dask = TinyMLPClassifier(random_state=0, **params).fit(da.from_array(X, chunks=400), y)
    assert on_dask.n_iter_ == in_memory.n_iter_ == 15
    assert_same_weights(on_dask, in_memory, rtol=1e-10, atol=1e-10)
    assert on_dask.t_ == in_memory.t_ == 15 * len(y)


@pytest.mark.slow
def test_client_memory_does_not_grow_by_X(client):
    # X is generated on the workers (25 MB); the client never holds it.
    n_rows, n_features = 160_000, 20
    X_dask = da.random.RandomState(0).standard_normal((n_rows, n_features), chunks=(20_000, -1))
    y_dask = (X_dask[:, 0] - X_dask[:, 1] > 0).astype(int)
    clf = TinyMLPClassifier((8,), solver="lbfgs", max_iter=5, random_state=0)
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        clf.fit(X_dask, y_dask)
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert clf.n_iter_ == 5
    assert peak < X_dask.nbytes / 4, f"the client's memory grew by {peak / 1e6:.1f} MB"


@pytest.mark.slow
def test_predictions_are_lazy_and_equal_numpy(client):
    clf = TinyMLPClassifier((8,), solver="lbfgs", max_iter=50, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    X_dask = da.from_array(X, chunks=(700, 5))
    with distributed.get_task_stream(client) as stream:
        lazy = {
            m: getattr(clf, m)(X_dask) for m in ("predict", "predict_proba", "predict_log_proba")
        }
    assert stream.data == []  # nothing ran: each result is a graph, not yet computed
    for method, result in lazy.items():
        assert isinstance(result, da.Array)
        assert result.chunks[0] == X_dask.chunks[0]
        computed = result.compute()
        expected = getattr(clf, method)(X)
        if method == "predict":
            np.testing.assert_array_equal(computed, expected)
        else:
            np.testing.assert_allclose(computed, expected, rtol=1e-12, atol=1e-300)
    assert clf.score(X_dask, da.from_array(y, chunks=500)) == clf.score(X, y)
    # The lazy result is the model's at the call, even if it is refitted before compute.
    expected = clf.predict_proba(X)
    with pytest.warns(ConvergenceWarning):
        clf.set_params(max_iter=5, hidden_layer_sizes=(3,)).fit(X, y)
    np.testing.assert_array_equal(lazy["predict_proba"].compute(), expected)
    weighted = clf.score(X_dask, y, sample_weight=da.from_array(W, chunks=900))
    assert weighted == pytest.approx(clf.score(X, y, sample_weight=W), rel=1e-12)


@pytest.mark.slow
def test_adam_streams_blocks_and_matches_numpy_accuracy(client):
    X_all, y_all = make_classification(
        6000, 10, n_informative=6, n_redundant=0, n_classes=2, random_state=3
    )
    X_train, y_train, X_test, y_test = X_all[:4000], y_all[:4000], X_all[4000:], y_all[4000:]
    # early_stopping=False: 'auto' holds out rows in memory, not of a Dask array
    params = dict(
        hidden_layer_sizes=(16,), solver="adam", max_iter=20, early_stopping=False, random_state=0
    )

    # Without shuffling, the stream is the in-memory epoch: blocks of whole batches give
    # the same batches, in the same order, hence the same weights.
    exact = dict(params, shuffle=False, batch_size=100)
    in_memory = TinyMLPClassifier(**exact).fit(X_train, y_train)
    streamed = TinyMLPClassifier(**exact).fit(da.from_array(X_train, chunks=500), y_train)
    assert_same_weights(streamed, in_memory, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(streamed.loss_curve_, in_memory.loss_curve_, rtol=1e-12)

    # One block, one epoch: its rows are shuffled as the in-memory epoch shuffles them.
    one = dict(params, max_iter=1)
    in_memory = TinyMLPClassifier(**one).fit(X_train, y_train)
    streamed = TinyMLPClassifier(**one).fit(da.from_array(X_train, chunks=-1), y_train)
    assert_same_weights(streamed, in_memory, rtol=1e-12, atol=1e-12)

    # Shuffled: blocks in a new order each epoch, rows shuffled within each block.
    in_memory = TinyMLPClassifier(**params).fit(X_train, y_train)
    streamed = TinyMLPClassifier(**params).fit(da.from_array(X_train, chunks=500), y_train)
    assert streamed.n_iter_ == in_memory.n_iter_ == 20
    assert streamed.t_ == 20 * 4000
    # another order, another path
    assert not np.allclose(streamed.coefs_[0], in_memory.coefs_[0], rtol=1e-3)
    accuracy = in_memory.score(X_test, y_test)
    assert accuracy > 0.85
    assert abs(streamed.score(da.from_array(X_test, chunks=500), y_test) - accuracy) <= 0.01


@pytest.mark.slow
def test_adam_holds_about_two_blocks_on_the_client(client):
    X_dask = da.random.RandomState(1).standard_normal((40_000, 50), chunks=(5_000, -1))
    y_dask = (X_dask[:, 0] > 0).astype(int)
    clf = TinyMLPClassifier((4,), solver="adam", batch_size=500, max_iter=2, random_state=0)
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        clf.fit(X_dask, y_dask)
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    block_bytes = X_dask.nbytes / X_dask.numblocks[0]  # 2 MB of a 16 MB X
    assert clf.n_iter_ == 2
    # The block being trained, the next one arriving, and that transfer's buffers
    # (measured: 2.8 to 3.6 blocks at the peak; 4.0 once with the oldest supported Dask,
    # 2024.8, whose transfers keep one more copy); X has 8 blocks: far from all of it.
    import dask

    old_dask = parse_version(dask.__version__) < parse_version("2025.1")
    limit = (5 if old_dask else 4) * block_bytes
    assert peak < limit, f"the client held {peak / block_bytes:.1f} blocks"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Dask currently has limited support:UserWarning")
def test_dask_dataframe_input(client):
    columns = [f"f{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=columns)
    labels = pd.Series(np.array(["ant", "bee", "cat"])[y], name="label")
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=20, tol=0, random_state=0)
    in_memory = TinyMLPClassifier(**params).fit(df, labels)

    ddf = dd.from_pandas(df.assign(label=labels), npartitions=5)
    on_dask = TinyMLPClassifier(**params).fit(ddf[columns], ddf["label"])
    assert_same_weights(on_dask, in_memory, rtol=1e-8, atol=1e-8)
    assert list(on_dask.feature_names_in_) == columns
    assert list(on_dask.classes_) == ["ant", "bee", "cat"]

    predicted = on_dask.predict(ddf[columns])
    assert isinstance(predicted, da.Array)
    np.testing.assert_array_equal(predicted.compute(), in_memory.predict(df))
    assert on_dask.score(ddf[columns], ddf["label"]) == in_memory.score(df, labels)
    with pytest.raises(ValueError, match="feature names should match"):
        on_dask.predict_proba(ddf[columns[::-1]])


@pytest.mark.slow
def test_block_tasks_run_where_their_blocks_are(client):
    from sklearn_tinymlp._dask import BlockSums, block_holders

    holder, other = sorted(client.scheduler_info()["workers"])
    X_dask = client.persist(da.from_array(X, chunks=(500, -1)), workers=[holder])
    Y_dask = client.persist(da.from_array((y == 1)[:, np.newaxis], chunks=(500, -1)))
    distributed.wait([X_dask, Y_dask])
    assert block_holders(X_dask)() == [[holder]] * 6

    # Pinned to the other worker, every block's task runs there (its blocks fetched to
    # it): the scheduler follows the pins, whatever it would choose.
    blocks = list(zip(X_dask.to_delayed().ravel(), Y_dask.to_delayed().ravel(), [None] * 6))
    network = ([12, 1], "relu", "logistic")
    objective = BlockSums(np.zeros(13), blocks, network, 0.0, len(y), lambda: [[other]] * 6)
    with distributed.get_task_stream(client) as stream:
        objective()
    assert {t["worker"] for t in stream.data if "block_sums" in str(t["key"])} == {other}


# ------------------------------------------------ input checks (local scheduler)


def _dask_X():
    return da.from_array(X, chunks=500)


def test_blocks_of_the_in_memory_chunks_give_the_in_memory_fit_bit_for_bit():
    from sklearn_tinymlp import _network

    # Blocks of the rows the in-memory objective puts in one chunk: the same sums, in
    # the same order, so the same L-BFGS iterates.
    hidden = 256
    units = [6, hidden, 1]
    theta = np.zeros(_network.Layout(units).size)
    chunk_rows = _network.Objective(theta, units, "logistic", "logistic", 0.0).max_rows
    X_all, y_all = make_classification(3 * chunk_rows + 17, 6, random_state=0)
    params = dict(hidden_layer_sizes=(hidden,), solver="lbfgs", max_iter=30, random_state=0)
    # One BLAS thread here as in the workers of the module's cluster (threads_per_worker=1),
    # where the blocks are summed while its client is open: a matrix product split over
    # threads adds in another order, which changes the last bit.
    with threadpool_limits(limits=1, user_api="blas"):
        in_memory = TinyMLPClassifier(**params).fit(X_all, y_all)
        on_dask = TinyMLPClassifier(**params).fit(
            da.from_array(X_all, chunks=(chunk_rows, 3)), da.from_array(y_all, chunks=1000)
        )
    assert on_dask.n_iter_ == in_memory.n_iter_
    # Bit for bit; NumPy < 1.25 was seen to round the last bit of a sum differently in a
    # worker's block than in the client's chunk (1 ulp), which L-BFGS's 30 iterations grow
    # to 1e-11: there, the 1e-8 of the other Dask-against-memory tests.
    rtol = 0 if np.lib.NumpyVersion(np.__version__) >= "1.25.0" else 1e-8
    np.testing.assert_allclose(on_dask.loss_curve_, in_memory.loss_curve_, rtol=rtol, atol=0)
    assert_same_weights(on_dask, in_memory, rtol=rtol, atol=rtol)


@pytest.mark.parametrize(
    "case", ["multilabel", "class_weight dict", "float32", "warm start", "numpy y and weights"]
)
def test_targets_weights_and_dtypes_as_in_memory(case):
    params = dict(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=15, tol=0, random_state=0)
    X_fit, y_fit, fit_kw, rtol = X, y, {}, 1e-8
    if case == "multilabel":
        y_fit = np.stack([y == 0, y == 1, X[:, 0] > 0], axis=1).astype(int)
    elif case == "class_weight dict":
        params["class_weight"] = {0: 3.0, 2: 0.5}
    elif case == "float32":
        X_fit, rtol = X.astype(np.float32), 1e-3
    elif case == "numpy y and weights":
        fit_kw = dict(sample_weight=W)
    in_memory = TinyMLPClassifier(**params).fit(X_fit, y_fit, **fit_kw)
    on_dask = TinyMLPClassifier(**params)
    if case == "warm start":  # continues from the weights of a first fit, as in memory
        in_memory.set_params(warm_start=True, max_iter=5).fit(X_fit, y_fit)
        on_dask.fit(da.from_array(X_fit, chunks=700), da.from_array(y_fit, chunks=700))
        on_dask.set_params(warm_start=True, max_iter=5)
    y_given = y_fit if fit_kw else da.from_array(y_fit, chunks=700)
    on_dask.fit(da.from_array(X_fit, chunks=700), y_given, **fit_kw)
    assert_same_weights(on_dask, in_memory, rtol=rtol, atol=rtol)
    assert on_dask.coefs_[0].dtype == X_fit.dtype
    X_dask = da.from_array(X_fit, chunks=700)
    np.testing.assert_array_equal(on_dask.predict(X_dask).compute(), on_dask.predict(X_fit))
    proba = on_dask.predict_proba(X_dask)
    assert proba.dtype == X_fit.dtype and proba.shape == (len(y), len(on_dask.classes_))
    assert on_dask.score(X_dask, y_fit) == on_dask.score(X_fit, y_fit)


@pytest.mark.parametrize("as_dask", [False, True], ids=["numpy X_val", "dask X_val"])
def test_early_stopping_on_a_given_validation_set_equals_the_in_memory_fit(as_dask):
    from sklearn.metrics import log_loss

    X_fit = X / np.abs(X).max(axis=0)
    X_train, y_train, X_val, y_val = X_fit[:1500], y[:1500], X_fit[1500:], y[1500:]
    params = dict(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        shuffle=False,
        batch_size=50,
        learning_rate_init=0.01,
        max_iter=60,
        random_state=0,
    )
    given = (da.from_array(X_val, chunks=250), da.from_array(y_val, chunks=250))
    in_memory = TinyMLPClassifier(**params).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    on_dask = TinyMLPClassifier(**params).fit(
        da.from_array(X_train, chunks=500),
        da.from_array(y_train, chunks=500),
        **dict(zip(["X_val", "y_val"], given if as_dask else (X_val, y_val))),
    )
    assert on_dask.n_iter_ == in_memory.n_iter_
    np.testing.assert_allclose(on_dask.validation_scores_, in_memory.validation_scores_)
    restored = -log_loss(y_val, on_dask.predict_proba(X_val))
    assert on_dask.best_validation_score_ == pytest.approx(restored, rel=1e-10)


def test_unknown_chunk_sizes_explain_compute_chunk_sizes():
    X_dask = _dask_X()
    keep = X_dask[:, 0] > 0
    with pytest.raises(ValueError, match=r"compute_chunk_sizes\(\)"):
        TinyMLPClassifier(solver="lbfgs").fit(X_dask[keep], da.from_array(y, chunks=500)[keep])
    kept = X_dask[keep].compute_chunk_sizes()
    labels = da.from_array(y, chunks=500)[keep]
    with pytest.raises(ValueError, match=r"y is a Dask array .* y\.compute_chunk_sizes\(\)"):
        TinyMLPClassifier(solver="lbfgs").fit(kept, labels)


def test_bad_dask_input_is_refused_clearly():
    sparse = pytest.importorskip("scipy.sparse")
    X_dask, y_dask = _dask_X(), da.from_array(y, chunks=500)
    with pytest.raises(ValueError, match="needs a validation set: pass fit's X_val and y_val"):
        TinyMLPClassifier(early_stopping=True).fit(X_dask, y_dask)
    with pytest.raises(TypeError, match="sparse .* blocks"):
        TinyMLPClassifier().fit(X_dask.map_blocks(sparse.csr_matrix), y_dask)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        TinyMLPClassifier().fit(X_dask, y_dask[:-1])
    with pytest.raises(TypeError, match="dask_ml.wrappers.Incremental"):
        TinyMLPClassifier(solver="sgd").partial_fit(X_dask, y_dask, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="NaN or infinity"):
        TinyMLPClassifier().fit(da.where(X_dask > 3, np.nan, X_dask), y_dask)


@pytest.mark.parametrize("shuffle", [True, False])
def test_each_epoch_visits_every_block_once(monkeypatch, shuffle):
    from sklearn_tinymlp import _dask

    X_dask = _dask_X()
    first_rows = {float(X_dask[i * 500, 0].compute()): i for i in range(X_dask.numblocks[0])}
    visited, original = [], _dask._fetch

    def fetch(block):
        X_b, Y_b, sw_b = original(block)
        visited.append(first_rows[float(X_b[0, 0])])
        return X_b, Y_b, sw_b

    monkeypatch.setattr(_dask, "_fetch", fetch)
    params = dict(solver="adam", batch_size=100, max_iter=3, shuffle=shuffle, random_state=0)
    TinyMLPClassifier((4,), **params).fit(X_dask, da.from_array(y, chunks=500))
    epochs = [visited[i : i + 6] for i in range(0, 18, 6)]
    assert len(visited) == 18
    assert all(sorted(epoch) == list(range(6)) for epoch in epochs)
    if shuffle:  # a new order each epoch
        assert len({tuple(epoch) for epoch in epochs}) == 3
    else:
        assert epochs == [list(range(6))] * 3


class _Recorder:
    """A scikit-learn callback (sklearn.callback protocol) recording the subtasks."""

    def __init__(self):
        self.subtasks = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        if context.task_name != "fit":
            self.subtasks.append(context.task_name)
        return len(self.subtasks) >= 3  # stop after 3


@pytest.mark.parametrize(
    "params, task",
    [
        (dict(solver="lbfgs"), "iteration"),
        (dict(solver="adam", batch_size=100), "epoch"),
        (dict(solver="sgd", batch_size=3000), "epoch"),
    ],
    ids=["lbfgs", "streamed adam", "full-batch sgd"],
)
def test_callbacks_run_on_dask_input(params, task):
    pytest.importorskip("sklearn.callback", reason="sklearn.callback needs scikit-learn 1.9")
    recorder, seen = _Recorder(), []
    clf = TinyMLPClassifier(
        (4,), max_iter=20, random_state=0, callbacks=[lambda est, info: seen.append(info)], **params
    )
    clf.set_callbacks(recorder).fit(_dask_X(), da.from_array(y, chunks=500))
    assert clf.n_iter_ == len(clf.loss_curve_) == len(seen) == 3
    assert recorder.subtasks == [task] * 3


def test_dropout_streams_but_does_not_sum_blocks():
    X_dask, y_dask = _dask_X(), da.from_array(y, chunks=500)
    clf = TinyMLPClassifier((8,), solver="adam", dropout=0.2, max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_dask, y_dask)
    assert clf.n_iter_ == 2
    with pytest.raises(ValueError, match="dropout=0.2 needs mini-batches"):
        TinyMLPClassifier((8,), solver="sgd", batch_size=3000, dropout=0.2).fit(X_dask, y_dask)
    with pytest.raises(ValueError, match="dropout=0.2 needs solver='sgd' or 'adam'"):
        TinyMLPClassifier((8,), solver="lbfgs", dropout=0.2).fit(X_dask, y_dask)


def test_dask_is_not_imported_without_dask_input():
    code = (
        "import sys\n"
        "from sklearn.datasets import make_classification\n"
        "from sklearn_tinymlp import TinyMLPClassifier\n"
        "X, y = make_classification(100, 4, random_state=0)\n"
        "clf = TinyMLPClassifier((4,), max_iter=5).fit(X, y)\n"
        "clf.predict_proba(X); clf.score(X, y)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'dask'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# ------------------------------------------------------------------ TinyMLPRegressor

X_REG, Y_REG = make_regression(3000, 12, n_informative=8, n_targets=2, noise=5.0, random_state=0)
Y_REG /= Y_REG.std(axis=0)
COUNTS = np.random.RandomState(2).poisson(np.exp(0.3 * X_REG[:, :2]))


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", ["squared_error multi-output", "poisson", "absolute_error", "sample_weight"]
)
def test_regressor_lbfgs_on_dask_equals_numpy_fit(client, case):
    params = dict(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=30, tol=0, random_state=0)
    targets, fit_kw = Y_REG, {}
    if case == "poisson":
        params["loss"], targets = "poisson", COUNTS[:, 0]
    elif case == "absolute_error":
        params["loss"], targets = "absolute_error", Y_REG[:, 0]
    elif case == "sample_weight":
        fit_kw = dict(sample_weight=W)
    in_memory = TinyMLPRegressor(**params).fit(X_REG, targets, **fit_kw)
    dask_kw = {k: da.from_array(v, chunks=700) for k, v in fit_kw.items()}
    on_dask = TinyMLPRegressor(**params).fit(
        da.from_array(X_REG, chunks=(500, 6)), da.from_array(targets, chunks=900), **dask_kw
    )
    assert on_dask.n_iter_ == in_memory.n_iter_ == 30
    assert on_dask.n_outputs_ == in_memory.n_outputs_
    assert_same_weights(on_dask, in_memory, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(on_dask.loss_curve_, in_memory.loss_curve_, rtol=1e-10)


@pytest.mark.slow
def test_regressor_full_batch_gradient_descent_equals_numpy_fit(client):
    # early_stopping=False: 'auto' holds out rows in memory, not of a Dask array
    params = dict(
        hidden_layer_sizes=(8,), solver="sgd", batch_size=len(Y_REG), max_iter=15,
        early_stopping=False,
    )  # fmt: skip
    in_memory = TinyMLPRegressor(random_state=0, **params).fit(X_REG, Y_REG)
    on_dask = TinyMLPRegressor(random_state=0, **params).fit(
        da.from_array(X_REG, chunks=400), da.from_array(Y_REG, chunks=(400, -1))
    )
    assert on_dask.n_iter_ == in_memory.n_iter_ == 15
    assert_same_weights(on_dask, in_memory, rtol=1e-8, atol=1e-8)
    assert on_dask.t_ == in_memory.t_ == 15 * len(Y_REG)


@pytest.mark.slow
def test_regressor_adam_streams_blocks_and_matches_numpy_r2(client):
    X_train, y_train = X_REG[:2000], Y_REG[:2000, 0]
    X_test, y_test = X_REG[2000:], Y_REG[2000:, 0]
    params = dict(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=20, early_stopping=False,
        random_state=0,
    )  # fmt: skip

    # Without shuffling, blocks of whole batches are the in-memory epoch: the same weights.
    exact = dict(params, shuffle=False, batch_size=100)
    in_memory = TinyMLPRegressor(**exact).fit(X_train, y_train)
    streamed = TinyMLPRegressor(**exact).fit(da.from_array(X_train, chunks=500), y_train)
    assert_same_weights(streamed, in_memory, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(streamed.loss_curve_, in_memory.loss_curve_, rtol=1e-12)

    # Shuffled: another order of the rows, another path, the same quality.
    in_memory = TinyMLPRegressor(**params).fit(X_train, y_train)
    streamed = TinyMLPRegressor(**params).fit(da.from_array(X_train, chunks=500), y_train)
    assert streamed.n_iter_ == in_memory.n_iter_ == 20
    assert streamed.t_ == 20 * 2000
    assert not np.allclose(streamed.coefs_[0], in_memory.coefs_[0], rtol=1e-3)
    r2 = in_memory.score(X_test, y_test)
    assert r2 > 0.9
    assert abs(streamed.score(da.from_array(X_test, chunks=500), y_test) - r2) <= 0.01


@pytest.mark.slow
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_predictions_are_lazy_and_equal_numpy(client, loss):
    targets = Y_REG if loss == "squared_error" else COUNTS
    params = dict(loss=loss, solver="lbfgs", random_state=0)
    model = TinyMLPRegressor(hidden_layer_sizes=(8,), max_iter=20, **params)
    with pytest.warns(ConvergenceWarning):
        model.fit(X_REG, targets)
    X_dask = da.from_array(X_REG, chunks=(700, 5))
    with distributed.get_task_stream(client) as stream:
        lazy = model.predict(X_dask)
    assert stream.data == []  # a graph, not yet computed
    assert isinstance(lazy, da.Array) and lazy.chunks[0] == X_dask.chunks[0]
    np.testing.assert_allclose(lazy.compute(), model.predict(X_REG), rtol=1e-12)
    single = TinyMLPRegressor(hidden_layer_sizes=(4,), max_iter=5, **params)
    with pytest.warns(ConvergenceWarning):
        single.fit(X_REG, targets[:, 0])
    assert single.predict(X_dask).shape == (len(X_REG),)  # one output: 1-D, as in memory
    np.testing.assert_allclose(single.predict(X_dask).compute(), single.predict(X_REG), rtol=1e-12)
    score = model.score(X_dask, da.from_array(targets, chunks=(500, -1)))
    assert score == pytest.approx(model.score(X_REG, targets), rel=1e-12)


def test_regressor_dask_targets_are_checked_per_block():
    with pytest.raises(ValueError, match="loss='poisson' needs non-negative targets"):
        TinyMLPRegressor(loss="poisson", max_iter=1).fit(
            da.from_array(X_REG, chunks=500), da.from_array(Y_REG, chunks=(500, -1))
        )
    bad = Y_REG.copy()
    bad[2500, 1] = np.nan
    with pytest.raises(ValueError, match=r"y contains NaN or infinity in 1 value"):
        TinyMLPRegressor(max_iter=1).fit(
            da.from_array(X_REG, chunks=500), da.from_array(bad, chunks=(500, -1))
        )
