"""Fixtures shared by the test files: the Dask cluster's client, the bundled data sets, and
``Estimator`` / ``Xy`` for behaviour the two estimators share.

* The data sets are loaded once per session and handed out read-only, so that no test can change
  another's data: a test that edits its arrays in place works on a copy.
* ``Estimator`` and ``Xy``: behaviour the two estimators share is one test that takes these
  fixtures, and runs once for each estimator on data it can learn.

The helpers that tests import by name live in ``helpers.py`` beside this file, not here: a
module named ``conftest`` is ambiguous (the repository's root has one too), and a Dask worker
that imports a test module to run one of its functions must find the same helpers.
"""

import pytest
from sklearn.base import is_classifier
from sklearn.datasets import load_breast_cancer, load_iris, make_regression

from sklearn_tinymlp import TinyMLPClassifier, TinyMLPRegressor


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


# --- data sets ---------------------------------------------------------------------------


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


@pytest.fixture(scope="session")
def regression():
    """``make_regression``: 150 rows, 4 standardized features, a noisy target of unit variance."""
    X, y = make_regression(150, 4, noise=5.0, random_state=0)
    return _read_only((X - X.mean(axis=0)) / X.std(axis=0), y / y.std())


# --- both estimators ---------------------------------------------------------------------


@pytest.fixture(params=[TinyMLPClassifier, TinyMLPRegressor], ids=["classifier", "regressor"])
def Estimator(request):
    """Each estimator class in turn."""
    return request.param


@pytest.fixture
def Xy(Estimator, iris_scaled, regression):
    """What ``Estimator`` learns from: iris, standardized, or the ``regression`` data."""
    return iris_scaled if is_classifier(Estimator()) else regression
