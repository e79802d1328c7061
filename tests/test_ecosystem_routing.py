"""Metadata routing: sample_weight reaches either estimator through meta-estimators."""

import numpy as np
import pytest
import sklearn
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from helpers import assert_same_weights, quiet_convergence

PARAMS = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=30, random_state=0)

pytestmark = quiet_convergence


@pytest.fixture(autouse=True)
def routing_enabled():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


@pytest.fixture
def data(Xy):
    """The estimator's data, unscaled (the pipeline's scaler has work), and weights 0 to 3."""
    X, y = Xy
    weights = np.random.RandomState(1).randint(0, 4, size=len(y)).astype(float)
    return 3 * X + 1, y, weights


def _assert_different_weights(a, b):
    assert not all(np.array_equal(p, q) for p, q in zip(a.coefs_, b.coefs_))


def test_set_fit_request_exists_and_unrequested_weights_are_refused(Estimator, data):
    X, y, w = data
    pipe = Pipeline([("model", Estimator(**PARAMS))])
    with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
        pipe.fit(X, y, sample_weight=w)


def test_pipeline_routes_sample_weight(Estimator, data):
    X, y, w = data
    pipe = Pipeline(
        [
            ("scale", StandardScaler().set_fit_request(sample_weight=False)),
            ("model", Estimator(**PARAMS).set_fit_request(sample_weight=True)),
        ]
    ).fit(X, y, sample_weight=w)

    X_scaled = StandardScaler().fit_transform(X)
    weighted = Estimator(**PARAMS).fit(X_scaled, y, sample_weight=w)
    unweighted = Estimator(**PARAMS).fit(X_scaled, y)
    assert_same_weights(pipe[-1], weighted)
    _assert_different_weights(pipe[-1], unweighted)


def test_grid_search_routes_sample_weight_to_every_fit(Estimator, data):
    X, y, w = data
    model = Estimator(**PARAMS).set_fit_request(sample_weight=True)
    model.set_score_request(sample_weight=False)
    cv = KFold(3, shuffle=True, random_state=0)  # iris is sorted by class
    grid = {"alpha": [1e-4, 1.0]}
    search = GridSearchCV(model, grid, cv=cv, error_score="raise").fit(X, y, sample_weight=w)

    # Every split score equals the score of a model fitted by hand with that fold's weights.
    for i, params in enumerate(search.cv_results_["params"]):
        for split, (train, test) in enumerate(cv.split(X)):
            by_hand = Estimator(**{**PARAMS, **params}).fit(
                X[train], y[train], sample_weight=w[train]
            )
            expected = by_hand.score(X[test], y[test])
            assert search.cv_results_[f"split{split}_test_score"][i] == expected
    best = Estimator(**{**PARAMS, **search.best_params_}).fit(X, y, sample_weight=w)
    assert_same_weights(search.best_estimator_, best)
    _assert_different_weights(
        search.best_estimator_,
        Estimator(**{**PARAMS, **search.best_params_}).fit(X, y),
    )


def test_cross_validate_routes_sample_weight(Estimator, data):
    X, y, w = data
    model = Estimator(**PARAMS).set_fit_request(sample_weight=True)
    model.set_score_request(sample_weight=True)
    cv = KFold(3, shuffle=True, random_state=0)  # iris is sorted by class
    result = cross_validate(
        model, X, y, cv=cv, params={"sample_weight": w}, return_estimator=True, error_score="raise"
    )
    for fitted, score, (train, test) in zip(result["estimator"], result["test_score"], cv.split(X)):
        by_hand = Estimator(**PARAMS).fit(X[train], y[train], sample_weight=w[train])
        assert_same_weights(fitted, by_hand)
        _assert_different_weights(fitted, Estimator(**PARAMS).fit(X[train], y[train]))
        # The score request routes the test fold's weights to score() as well.
        assert score == by_hand.score(X[test], y[test], sample_weight=w[test])
