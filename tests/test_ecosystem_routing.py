"""Metadata routing: sample_weight reaches the classifier through meta-estimators."""

import numpy as np
import pytest
import sklearn
from sklearn.datasets import make_classification
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier

PARAMS = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=30, random_state=0)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def routing_enabled():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


@pytest.fixture
def data():
    X, y = make_classification(90, 5, n_informative=3, n_redundant=0, random_state=0)
    weights = np.random.RandomState(1).randint(0, 4, size=len(y)).astype(float)
    return X, y, weights


def _assert_same_weights(a, b):
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(p, q)


def _assert_different_weights(a, b):
    assert not all(
        np.array_equal(p, q) for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_)
    )


def test_set_fit_request_exists_and_unrequested_weights_are_refused(data):
    X, y, w = data
    pipe = Pipeline([("clf", TinyMLPClassifier(**PARAMS))])
    with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
        pipe.fit(X, y, sample_weight=w)


def test_pipeline_routes_sample_weight(data):
    X, y, w = data
    pipe = Pipeline(
        [
            ("scale", StandardScaler().set_fit_request(sample_weight=False)),
            ("clf", TinyMLPClassifier(**PARAMS).set_fit_request(sample_weight=True)),
        ]
    ).fit(X, y, sample_weight=w)

    X_scaled = StandardScaler().fit_transform(X)
    weighted = TinyMLPClassifier(**PARAMS).fit(X_scaled, y, sample_weight=w)
    unweighted = TinyMLPClassifier(**PARAMS).fit(X_scaled, y)
    _assert_same_weights(pipe[-1], weighted)
    _assert_different_weights(pipe[-1], unweighted)


def test_grid_search_routes_sample_weight_to_every_fit(data):
    X, y, w = data
    clf = TinyMLPClassifier(**PARAMS).set_fit_request(sample_weight=True)
    clf.set_score_request(sample_weight=False)
    cv = KFold(3)
    grid = {"alpha": [1e-4, 1.0]}
    search = GridSearchCV(clf, grid, cv=cv).fit(X, y, sample_weight=w)

    # Every split score equals the score of a model fitted by hand with that fold's weights.
    for i, params in enumerate(search.cv_results_["params"]):
        for split, (train, test) in enumerate(cv.split(X)):
            by_hand = TinyMLPClassifier(**{**PARAMS, **params}).fit(
                X[train], y[train], sample_weight=w[train]
            )
            expected = by_hand.score(X[test], y[test])
            assert search.cv_results_[f"split{split}_test_score"][i] == expected
    best = TinyMLPClassifier(**{**PARAMS, **search.best_params_}).fit(X, y, sample_weight=w)
    _assert_same_weights(search.best_estimator_, best)
    _assert_different_weights(
        search.best_estimator_,
        TinyMLPClassifier(**{**PARAMS, **search.best_params_}).fit(X, y),
    )


def test_cross_validate_routes_sample_weight(data):
    X, y, w = data
    clf = TinyMLPClassifier(**PARAMS).set_fit_request(sample_weight=True)
    clf.set_score_request(sample_weight=True)
    cv = KFold(3)
    result = cross_validate(clf, X, y, cv=cv, params={"sample_weight": w}, return_estimator=True)
    for fitted, score, (train, test) in zip(result["estimator"], result["test_score"], cv.split(X)):
        by_hand = TinyMLPClassifier(**PARAMS).fit(X[train], y[train], sample_weight=w[train])
        _assert_same_weights(fitted, by_hand)
        _assert_different_weights(fitted, TinyMLPClassifier(**PARAMS).fit(X[train], y[train]))
        # The score request routes the test fold's weights to score() as well.
        assert score == by_hand.score(X[test], y[test], sample_weight=w[test])
