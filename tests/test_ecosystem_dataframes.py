"""pandas and polars DataFrames as input: feature names recorded and checked."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier

from helpers import outputs, quiet_convergence

pytestmark = quiet_convergence

COLUMNS = ["petal", "sepal", "stem", "leaf"]


def _numpy_data():
    X, y = make_classification(80, 4, n_informative=3, n_redundant=0, random_state=0)
    return X, np.array(["no", "yes"])[y]


def _pandas(X, columns):
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(X, columns=columns)


def _polars(X, columns):
    pl = pytest.importorskip("polars")
    return pl.DataFrame(X, schema=columns)


def _select(frame, columns):
    return frame.select(columns) if hasattr(frame, "select") else frame[columns]


FRAMES = [pytest.param(_pandas, id="pandas"), pytest.param(_polars, id="polars")]


@pytest.mark.parametrize("make_frame", FRAMES)
def test_fit_predict_on_frames_matches_numpy(Estimator, Xy, make_frame):
    X, y = Xy
    frame = make_frame(X, COLUMNS)
    params = dict(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    on_frame = Estimator(**params).fit(frame, y)
    on_array = Estimator(**params).fit(X, y)

    np.testing.assert_array_equal(on_frame.feature_names_in_, COLUMNS)
    assert on_frame.feature_names_in_.dtype == object
    assert not hasattr(on_array, "feature_names_in_")
    np.testing.assert_array_equal(outputs(on_frame, frame), outputs(on_array, X))
    np.testing.assert_array_equal(on_frame.predict(frame), on_array.predict(X))


@pytest.mark.parametrize("make_frame", FRAMES)
def test_series_targets(make_frame):
    X, y = _numpy_data()
    frame = make_frame(X, COLUMNS)
    if make_frame is _pandas:
        import pandas as pd

        target = pd.Series(y, name="label")
    else:
        import polars as pl

        target = pl.Series("label", y)
    model = TinyMLPClassifier((5,), max_iter=5, random_state=0).fit(frame, target)
    np.testing.assert_array_equal(model.classes_, ["no", "yes"])


@pytest.mark.parametrize("make_frame", FRAMES)
def test_reordered_columns_are_refused(Estimator, Xy, make_frame):
    X, y = Xy
    frame = make_frame(X, COLUMNS)
    model = Estimator(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(frame, y)
    reordered = _select(frame, ["sepal", "petal", "stem", "leaf"])
    methods = ("predict", "predict_proba", "predict_log_proba")
    for method in [getattr(model, name) for name in methods if hasattr(model, name)]:
        with pytest.raises(
            ValueError, match="Feature names must be in the same order as they were"
        ):
            method(reordered)


@pytest.mark.parametrize("make_frame", FRAMES)
def test_missing_and_unseen_columns_are_named(make_frame):
    X, y = _numpy_data()
    frame = make_frame(X, COLUMNS)
    model = TinyMLPClassifier((5,), max_iter=5, random_state=0).fit(frame, y)
    with pytest.raises(
        ValueError, match="Feature names seen at fit time, yet now missing:\n- leaf"
    ):
        model.predict(_select(frame, ["petal", "sepal", "stem"]))
    renamed = make_frame(X, ["petal", "sepal", "stem", "root"])
    with pytest.raises(ValueError, match="Feature names unseen at fit time:\n- root"):
        model.predict(renamed)


@pytest.mark.parametrize("make_frame", FRAMES)
def test_array_after_frame_warns(make_frame):
    X, y = _numpy_data()
    model = TinyMLPClassifier((5,), max_iter=5, random_state=0).fit(make_frame(X, COLUMNS), y)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        model.predict(X)


@pytest.mark.parametrize("make_frame", FRAMES)
def test_partial_fit_checks_names_on_later_calls(make_frame):
    X, y = _numpy_data()
    frame = make_frame(X, COLUMNS)
    model = TinyMLPClassifier((5,), solver="sgd", random_state=0)
    model.partial_fit(frame, y, classes=["no", "yes"])
    np.testing.assert_array_equal(model.feature_names_in_, COLUMNS)
    model.partial_fit(frame, y)
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        model.partial_fit(_select(frame, COLUMNS[::-1]), y)


@pytest.mark.parametrize("output", ["pandas", "polars"])
def test_pipeline_passes_frames_between_steps(output):
    pytest.importorskip(output)
    X, y = _numpy_data()
    frame = _pandas(X, COLUMNS)
    scaler = StandardScaler().set_output(transform=output)
    model = make_pipeline(scaler, TinyMLPClassifier((5,), max_iter=10, random_state=0))
    model.fit(frame, y)
    np.testing.assert_array_equal(model[-1].feature_names_in_, COLUMNS)
    np.testing.assert_array_equal(model.feature_names_in_, COLUMNS)
    assert model.score(frame, y) > 0.5
