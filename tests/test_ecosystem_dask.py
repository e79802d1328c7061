"""Dask: distributed grid search on a real process cluster, out-of-core training with dask-ml."""

import numpy as np
import pytest
from packaging.version import Version
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from sklearn_tinymlp import TinyMLPClassifier

from helpers import assert_same_weights, quiet_convergence

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

pytestmark = [
    quiet_convergence,
    # distributed warns about the ports it picks and about slow event loops on busy machines
    pytest.mark.filterwarnings("ignore::UserWarning:distributed", "ignore::ResourceWarning"),
]


def _stream_data(n_blocks=5, block_rows=60, n_features=6):
    """Blocks of a classification stream, each generated from its own seed."""
    blocks = []
    for i in range(n_blocks):
        X, y = make_classification(
            block_rows, n_features, n_informative=4, n_redundant=0, random_state=i
        )
        blocks.append((X, y))
    return blocks


def test_incremental_equals_partial_fit_block_by_block():
    wrappers = pytest.importorskip("dask_ml.wrappers")
    blocks = _stream_data()
    X = da.concatenate([da.from_array(Xb, chunks=Xb.shape) for Xb, _ in blocks])
    y = da.concatenate([da.from_array(yb, chunks=yb.shape) for _, yb in blocks])
    assert X.numblocks == (5, 1)

    params = dict(hidden_layer_sizes=(5,), solver="sgd", learning_rate_init=0.05, random_state=0)
    incremental = wrappers.Incremental(TinyMLPClassifier(**params), shuffle_blocks=False)
    incremental.fit(X, y, classes=[0, 1])

    by_hand = TinyMLPClassifier(**params)
    for Xb, yb in blocks:
        by_hand.partial_fit(Xb, yb, classes=[0, 1])

    fitted = incremental.estimator_
    assert fitted.n_iter_ == by_hand.n_iter_ == 1  # the last partial_fit call's epoch
    assert len(fitted.loss_curve_) == len(by_hand.loss_curve_) == 5
    assert fitted.t_ == by_hand.t_ == 300
    assert_same_weights(fitted, by_hand)
    # Predictions come back as a lazy dask array, block by block.
    predicted = incremental.predict(X)
    assert isinstance(predicted, da.Array)
    np.testing.assert_array_equal(predicted.compute(), by_hand.predict(X.compute()))


def test_incremental_streams_blocks_built_lazily():
    """Each block is made by its own task, so the full array is never built in one piece."""
    wrappers = pytest.importorskip("dask_ml.wrappers")
    dask = pytest.importorskip("dask")
    made = []

    def make_block(i):
        made.append(i)
        return _stream_data()[i][0]

    n_blocks = 5
    X = da.concatenate(
        [
            da.from_delayed(dask.delayed(make_block)(i), shape=(60, 6), dtype=float)
            for i in range(n_blocks)
        ]
    )
    y = da.concatenate([da.from_array(yb, chunks=yb.shape) for _, yb in _stream_data()])
    params = dict(hidden_layer_sizes=(5,), solver="sgd", random_state=0)
    with dask.config.set(scheduler="synchronous"):
        incremental = wrappers.Incremental(TinyMLPClassifier(**params), shuffle_blocks=False)
        incremental.fit(X, y, classes=[0, 1])
    assert sorted(made) == list(range(n_blocks))

    by_hand = TinyMLPClassifier(**params)
    for Xb, yb in _stream_data():
        by_hand.partial_fit(Xb, yb, classes=[0, 1])
    assert_same_weights(incremental.estimator_, by_hand)


# dask 2025.3.0 started refusing the dask.persist call that dask-ml's incremental
# searches make inside their asynchronous client loop; older dask runs them.
DASK_BREAKS_INCREMENTAL_SEARCH = Version(pytest.importorskip("dask").__version__) >= Version(
    "2025.3.0"
)


@pytest.mark.xfail(
    DASK_BREAKS_INCREMENTAL_SEARCH,
    raises=RuntimeError,
    strict=True,
    reason="dask-ml's IncrementalSearchCV fails on dask >= 2025.3.0 ('Attempting to use an "
    "asynchronous Client in a synchronous context of `dask.compute`'). When this starts "
    "passing, update docs/ecosystem.rst.",
)
def test_dask_ml_incremental_search():
    model_selection = pytest.importorskip("dask_ml.model_selection")
    blocks = _stream_data(n_blocks=3)
    X = da.concatenate([da.from_array(Xb, chunks=Xb.shape) for Xb, _ in blocks])
    y = da.concatenate([da.from_array(yb, chunks=yb.shape) for _, yb in blocks])
    with (
        distributed.LocalCluster(
            processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster),
    ):
        search = model_selection.IncrementalSearchCV(
            TinyMLPClassifier((4,), solver="sgd", random_state=0),
            {"alpha": [1e-4, 1e-2]},
            n_initial_parameters=2,
            max_iter=2,
            decay_rate=None,
            random_state=0,
        )
        search.fit(X, y, classes=[0, 1])
    assert isinstance(search.best_estimator_, TinyMLPClassifier)
    assert search.best_params_["alpha"] in (1e-4, 1e-2)
    assert 0 <= search.best_score_ <= 1


# Last in the file: the module's cluster client (conftest.py) then serves no other test, and the
# tests above run on Dask's local scheduler.
@pytest.mark.slow
def test_grid_search_on_process_cluster_equals_sequential(client):
    X, y = make_classification(150, 6, n_informative=4, n_redundant=0, n_classes=3, random_state=0)
    grid = {"alpha": [1e-4, 1e-1], "hidden_layer_sizes": [(4,), (8,)]}
    estimator = TinyMLPClassifier(solver="lbfgs", max_iter=40, random_state=0)
    scoring = ["accuracy", "neg_log_loss"]

    search = dict(cv=3, scoring=scoring, refit="accuracy", error_score="raise")
    sequential = GridSearchCV(estimator, grid, **search).fit(X, y)

    assert client.scheduler_info()["address"].startswith("tcp://127.0.0.1:")
    with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as stream:
        on_dask = GridSearchCV(estimator, grid, n_jobs=-1, **search).fit(X, y)
    # The fits ran as tasks on the cluster's worker processes, not in this one.
    workers = {task["worker"] for task in stream.data}
    assert len(stream.data) >= 1 and workers <= set(client.scheduler_info()["workers"])

    score_keys = [k for k in sequential.cv_results_ if "_test_" in k]
    assert len(score_keys) == 2 * (3 + 3)  # split0..2, mean, std, rank for each metric
    for key in score_keys:
        np.testing.assert_array_equal(on_dask.cv_results_[key], sequential.cv_results_[key])
    assert on_dask.best_params_ == sequential.best_params_
    np.testing.assert_array_equal(
        on_dask.best_estimator_.predict_proba(X), sequential.best_estimator_.predict_proba(X)
    )
