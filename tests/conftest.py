"""Fixtures shared by several test files: the Dask cluster client and the bundled data sets.

The data sets are loaded once per session and handed out read-only, so that no test can
change another's data: a test that edits its arrays in place works on a copy.
"""

import pytest
from sklearn.datasets import load_breast_cancer, load_iris


@pytest.fixture(scope="module")
def client():
    """A client of ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` bound to
    127.0.0.1: two worker processes, as a real cluster has; one per test module, closed at its
    end so that later modules compute on Dask's local scheduler. Skips without distributed."""
    pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _read_only(*arrays):
    for array in arrays:
        array.setflags(write=False)
    return arrays


@pytest.fixture(scope="session")
def iris():
    """``load_iris(return_X_y=True)``: 150 rows, 4 features, three classes of 50."""
    return _read_only(*load_iris(return_X_y=True))


@pytest.fixture(scope="session")
def iris_scaled(iris):
    """Iris with each feature centred and scaled to unit variance."""
    X, y = iris
    return _read_only((X - X.mean(axis=0)) / X.std(axis=0), y)


@pytest.fixture(scope="session")
def breast_cancer():
    """``load_breast_cancer(return_X_y=True)``: 569 rows, 30 features, two classes."""
    return _read_only(*load_breast_cancer(return_X_y=True))
