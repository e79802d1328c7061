"""TinyMLPRegressor's behaviour: its losses, training controls, inputs and ecosystem.

What equals ``MLPRegressor`` is in ``test_regressor_parity.py``; here are what
the regressor does on its own (quantiles, the median, weights, early stopping,
callbacks, dropout, the ten activations, float32, sparse and data-frame input,
metadata routing, persistence) and how it refuses bad input.
"""

import pickle
import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import SKOPS_TRUSTED_TYPES, TinyMLPRegressor
from sklearn_tinymlp._activations import ACTIVATIONS

_X, _Y = make_regression(150, 5, n_targets=2, noise=5.0, random_state=0)
X = StandardScaler().fit_transform(_X)
Y = _Y / _Y.std(axis=0)
y = Y[:, 0]
SMALL = dict(hidden_layer_sizes=(8,), random_state=0)


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _weights(model):
    return model.coefs_ + model.intercepts_


def _assert_same_weights(a, b, rtol=0.0):
    for p, q in zip(_weights(a), _weights(b)):
        assert_allclose(p, q, rtol=rtol, atol=0.0)


# --------------------------------------------------------------------- the losses


def _heteroscedastic(n, seed):
    """y = sin(2x) + noise whose spread grows with x, on x in [0, 4]."""
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 4, size=n)
    return x[:, np.newaxis], np.sin(2 * x) + rng.normal(scale=0.1 + 0.4 * x)


QUANTILE_SOLVERS = {
    "adam": dict(solver="adam", learning_rate_init=0.01, tol=1e-6, n_iter_no_change=20),
    "lbfgs": dict(solver="lbfgs", tol=1e-6),
}


@pytest.mark.parametrize("solver", QUANTILE_SOLVERS)
def test_quantile_models_cover_their_share_of_held_out_targets(solver):
    X_train, y_train = _heteroscedastic(2000, seed=0)
    X_test, y_test = _heteroscedastic(1000, seed=1)
    params = dict(hidden_layer_sizes=(32,), max_iter=300, random_state=0)
    coverage, predictions = {}, {}
    for q in (0.1, 0.9):
        model = TinyMLPRegressor(loss="quantile", quantile=q, **params, **QUANTILE_SOLVERS[solver])
        predictions[q] = model.fit(X_train, y_train).predict(X_test)
        coverage[q] = np.mean(y_test <= predictions[q])
    # Measured: adam 0.084 and 0.886, lbfgs 0.093 and 0.879.
    assert abs(coverage[0.1] - 0.1) <= 0.05, coverage
    assert abs(coverage[0.9] - 0.9) <= 0.05, coverage
    # The interval widens where the noise does.
    width = predictions[0.9] - predictions[0.1]
    x = X_test[:, 0]
    assert width[x > 3].mean() > 2 * width[x < 1].mean()


def test_absolute_error_fits_the_median_and_squared_error_the_mean():
    # Exponential noise: its mean is 1, its median log 2.
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, size=(2000, 1))
    y_skewed = 2 * x[:, 0] + rng.exponential(size=2000)
    params = dict(
        hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=200, early_stopping=False,
        random_state=0,
    )  # fmt: skip
    median = TinyMLPRegressor(loss="absolute_error", **params).fit(x, y_skewed)
    mean = TinyMLPRegressor(loss="squared_error", **params).fit(x, y_skewed)
    grid = np.linspace(-0.9, 0.9, 50)[:, np.newaxis]
    # The offsets from 2x, averaged over the grid (measured: 0.651 and 0.992).
    assert np.mean(median.predict(grid) - 2 * grid[:, 0]) == pytest.approx(np.log(2), abs=0.05)
    assert np.mean(mean.predict(grid) - 2 * grid[:, 0]) == pytest.approx(1.0, abs=0.05)
    assert abs(np.mean(y_skewed <= median.predict(x)) - 0.5) < 0.03


@pytest.mark.parametrize("loss", ["absolute_error", "quantile"])
def test_robust_losses_fit_multi_output_targets(loss):
    quantile = 0.5 if loss == "quantile" else None
    model = TinyMLPRegressor(loss=loss, quantile=quantile, solver="lbfgs", **SMALL).fit(X, Y)
    assert model.predict(X).shape == Y.shape
    assert model.out_activation_ == "identity" and model.n_outputs_ == 2
    assert model.score(X, Y) > 0.8


def test_poisson_predicts_positive_means():
    counts = np.random.RandomState(0).poisson(np.exp(0.5 * X[:, 0]))
    model = TinyMLPRegressor(loss="poisson", solver="lbfgs", **SMALL).fit(X, counts)
    assert model.out_activation_ == "exp"
    predicted = model.predict(X)
    assert (predicted > 0).all()
    assert_allclose(predicted.mean(), counts.mean(), rtol=0.05)


# ------------------------------------------------------------ weights and continuing


@pytest.mark.parametrize("solver", ["lbfgs", "sgd", "adam"])
def test_integer_weights_equal_repeated_rows_and_zero_equals_dropped(solver):
    # scikit-learn's check_sample_weight_equivalence data: 15 rows, weights 0 to 4.
    rng = np.random.RandomState(42)
    X_small = rng.rand(15, 30)
    y_small = rng.rand(15)
    sw = rng.randint(0, 5, size=15)
    assert (sw == 0).any()
    params = dict(hidden_layer_sizes=(8,), solver=solver, max_iter=50, random_state=0)
    weighted = TinyMLPRegressor(**params).fit(X_small, y_small, sample_weight=sw)
    repeated = TinyMLPRegressor(**params).fit(X_small.repeat(sw, 0), y_small.repeat(sw))
    assert weighted.n_iter_ == repeated.n_iter_
    assert_allclose(weighted.predict(X_small), repeated.predict(X_small), rtol=1e-7)
    unweighted = TinyMLPRegressor(**params).fit(X_small, y_small)
    assert not np.allclose(weighted.predict(X_small), unweighted.predict(X_small), rtol=1e-3)


def test_partial_fit_continues_and_t_counts_the_samples():
    model = TinyMLPRegressor(solver="sgd", **SMALL)
    for call in range(1, 4):
        model.partial_fit(X, y)
        assert model.t_ == call * len(y)
        assert model.n_iter_ == 1 and len(model.loss_curve_) == call
    assert model.loss_curve_[-1] < model.loss_curve_[0]


def test_warm_start_continues_where_the_last_fit_ended():
    # Plain full-batch gradient descent has no optimizer state: 5 + 5 epochs are 10 epochs.
    params = dict(solver="sgd", momentum=0.0, batch_size=len(y), tol=0.0, **SMALL)
    once = TinyMLPRegressor(max_iter=10, **params).fit(X, y)
    twice = TinyMLPRegressor(max_iter=5, warm_start=True, **params).fit(X, y).fit(X, y)
    _assert_same_weights(once, twice, rtol=1e-12)
    assert twice.t_ == once.t_ == 10 * len(y)
    assert_allclose(twice.loss_curve_, once.loss_curve_, rtol=1e-12)
    cold = TinyMLPRegressor(max_iter=5, **params).fit(X, y).fit(X, y)
    assert len(cold.loss_curve_) == 5


# ------------------------------------------------------------------ early stopping


def _noisy(n=300, seed=0):
    rng = np.random.RandomState(seed)
    X_noisy = rng.normal(size=(n, 10))
    return X_noisy, X_noisy[:, 0] + rng.normal(scale=2.0, size=n)


def test_early_stopping_restores_the_best_epoch():
    X_noisy, y_noisy = _noisy()
    snapshots = []

    def keep(estimator, info):
        snapshots.append([p.copy() for p in _weights(estimator)])

    params = dict(hidden_layer_sizes=(64,), learning_rate_init=0.02, n_iter_no_change=5)
    model = TinyMLPRegressor(
        early_stopping=True, max_iter=300, random_state=0, callbacks=[keep], **params
    ).fit(X_noisy, y_noisy)
    curve = model.validation_loss_curve_
    assert len(curve) == len(model.validation_scores_) == len(model.loss_curve_) == model.n_iter_
    assert model.n_iter_ < 300
    best = int(np.argmin(curve))  # any epoch can be the best
    assert best < model.n_iter_ - 1  # it trained on past the best epoch
    for param, snapshot in zip(_weights(model), snapshots[best]):
        assert_array_equal(param, snapshot)
    assert model.best_validation_score_ == model.validation_scores_[best] == -curve[best]
    assert model.best_loss_ is None


def test_given_validation_set_and_its_weights_are_used():
    X_noisy, y_noisy = _noisy()
    X_val, y_val = _noisy(100, seed=1)
    w_val = np.random.RandomState(2).randint(1, 4, size=100).astype(float)
    params = dict(early_stopping=True, max_iter=20, tol=0.0, n_iter_no_change=100, **SMALL)
    model = TinyMLPRegressor(scoring="r2", **params)
    model.fit(X_noisy, y_noisy, X_val=X_val, y_val=y_val, sample_weight_val=w_val)
    assert model.t_ == 20 * 300  # every row of X is trained on
    # The best epoch's weights are restored: its score is the R² of the final model.
    expected = r2_score(y_val, model.predict(X_val), sample_weight=w_val)
    assert model.best_validation_score_ == pytest.approx(expected, rel=1e-12)
    unweighted = TinyMLPRegressor(scoring="r2", **params)
    unweighted.fit(X_noisy, y_noisy, X_val=X_val, y_val=y_val)
    assert unweighted.validation_scores_ != model.validation_scores_
    assert unweighted.loss_curve_ == model.loss_curve_  # the same training, scored otherwise


def test_a_callable_scoring_is_called_on_the_validation_set():
    X_noisy, y_noisy = _noisy()
    X_val, y_val = _noisy(100, seed=1)
    seen = []

    def negative_max_error(estimator, X_score, y_score):
        seen.append(len(y_score))
        return -np.max(np.abs(estimator.predict(X_score) - y_score))

    model = TinyMLPRegressor(
        scoring=negative_max_error, early_stopping=True, max_iter=6, tol=0.0, **SMALL
    ).fit(X_noisy, y_noisy, X_val=X_val, y_val=y_val)
    assert seen == [100] * 6
    assert model.best_validation_score_ == pytest.approx(
        negative_max_error(model, X_val, y_val), rel=1e-12
    )


# ------------------------------------------------------------------- callbacks


def test_callbacks_see_every_epoch_and_can_stop_training():
    seen = []

    def record(estimator, info):
        seen.append(info)
        return info["epoch"] == 3

    model = TinyMLPRegressor(max_iter=50, callbacks=[record], **SMALL).fit(X, y)
    assert model.n_iter_ == 3 and len(seen) == 3
    assert [info["loss"] for info in seen] == model.loss_curve_


def test_set_callbacks_runs_one_subtask_per_epoch():
    callback = pytest.importorskip("sklearn.callback", reason="needs scikit-learn 1.9")
    del callback
    events = []

    class Recorder:
        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context, **kwargs):
            events.append((context.task_name, context.task_id))

        def on_fit_task_end(self, estimator, context, **kwargs):
            return False

    model = TinyMLPRegressor(max_iter=4, **SMALL).set_callbacks(Recorder()).fit(X, y)
    assert events == [("fit", 0)] + [("epoch", i) for i in range(model.n_iter_)]


def test_the_progress_bar_shows_the_fits_of_a_grid_search(capfd):
    callback = pytest.importorskip("sklearn.callback", reason="needs scikit-learn 1.9")
    pytest.importorskip("rich", reason="ProgressBar draws with rich (the 'progress' extra)")
    search = GridSearchCV(TinyMLPRegressor(max_iter=10, **SMALL), {"alpha": [1e-4, 1e-2]}, cv=2)
    search.set_callbacks(callback.ProgressBar()).fit(X, y)
    shown = capfd.readouterr().out
    bars = [line for line in shown.splitlines() if "TinyMLPRegressor - fit" in line]
    assert len(bars) == 5, shown  # 2 candidates x 2 splits, and the refit
    assert all(line.rstrip().endswith("100%") for line in bars), shown


# ---------------------------------------------------- network options and input kinds


def test_dropout_trains_another_model_and_predicts_deterministically():
    params = dict(solver="adam", learning_rate_init=0.01, max_iter=100, **SMALL)
    dropped = TinyMLPRegressor(dropout=0.3, **params).fit(X, y)
    plain = TinyMLPRegressor(dropout=0.0, **params).fit(X, y)
    assert not np.allclose(dropped.coefs_[0], plain.coefs_[0])
    assert_array_equal(dropped.predict(X), dropped.predict(X))
    assert dropped.score(X, y) > 0.5


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_fits_and_predicts_finite_values(activation):
    assert len(ACTIVATIONS) == 10
    model = TinyMLPRegressor(activation=activation, solver="lbfgs", max_iter=50, **SMALL)
    predicted = model.fit(X, Y).predict(X)
    assert np.isfinite(predicted).all() and predicted.shape == Y.shape
    assert model.score(X, Y) > 0.5


@pytest.mark.parametrize("solver", ["lbfgs", "sgd", "adam"])
def test_float32_stays_float32(solver):
    model = TinyMLPRegressor(solver=solver, max_iter=20, **SMALL)
    model.fit(X.astype(np.float32), Y.astype(np.float32))
    assert {p.dtype for p in _weights(model)} == {np.dtype(np.float32)}
    assert model.predict(X.astype(np.float32)).dtype == np.float32
    assert model.predict(X).dtype == np.float64  # float64 input is predicted in float64


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_sparse_csr_input_equals_dense(solver):
    X_sparse = X.copy()
    X_sparse[np.abs(X_sparse) < 0.7] = 0.0
    params = dict(solver=solver, max_iter=20, **SMALL)
    dense = TinyMLPRegressor(**params).fit(X_sparse, y)
    csr = TinyMLPRegressor(**params).fit(sparse.csr_matrix(X_sparse), y)
    _assert_same_weights(dense, csr, rtol=1e-10)
    assert_allclose(csr.predict(sparse.csr_matrix(X_sparse)), dense.predict(X_sparse), rtol=1e-10)


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_data_frame_column_names_are_kept(library):
    frames = pytest.importorskip(library)
    columns = [f"f{i}" for i in range(X.shape[1])]
    frame = frames.DataFrame({name: X[:, i] for i, name in enumerate(columns)})
    model = TinyMLPRegressor(solver="lbfgs", max_iter=20, **SMALL).fit(frame, y)
    assert list(model.feature_names_in_) == columns
    assert_allclose(
        model.predict(frame), TinyMLPRegressor(**model.get_params()).fit(X, y).predict(X)
    )
    reordered = frame[columns[::-1]]
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(reordered)


# ---------------------------------------------------------------- ecosystem


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def test_pipeline_and_grid_search_route_sample_weight(routing):
    w = np.random.RandomState(1).randint(0, 4, size=len(y)).astype(float)
    params = dict(solver="lbfgs", max_iter=30, **SMALL)
    pipe = Pipeline(
        [
            ("scale", StandardScaler().set_fit_request(sample_weight=False)),
            ("reg", TinyMLPRegressor(**params).set_fit_request(sample_weight=True)),
        ]
    ).fit(X, y, sample_weight=w)
    by_hand = TinyMLPRegressor(**params).fit(StandardScaler().fit_transform(X), y, sample_weight=w)
    _assert_same_weights(pipe[-1], by_hand)

    reg = TinyMLPRegressor(**params).set_fit_request(sample_weight=True)
    reg.set_score_request(sample_weight=False)
    cv = KFold(3)
    search = GridSearchCV(reg, {"alpha": [1e-4, 1.0]}, cv=cv).fit(X, y, sample_weight=w)
    for i, candidate in enumerate(search.cv_results_["params"]):
        for split, (train, test) in enumerate(cv.split(X)):
            fold = TinyMLPRegressor(**{**params, **candidate})
            fold.fit(X[train], y[train], sample_weight=w[train])
            expected = fold.score(X[test], y[test])
            assert search.cv_results_[f"split{split}_test_score"][i] == expected
    unweighted = TinyMLPRegressor(**{**params, **search.best_params_}).fit(X, y)
    assert not np.allclose(search.best_estimator_.coefs_[0], unweighted.coefs_[0])


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_skops_round_trip_with_the_trusted_types(tmp_path, solver):
    sio = pytest.importorskip("skops.io")
    model = TinyMLPRegressor(solver=solver, max_iter=10, **SMALL).fit(X, Y)
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert "sklearn_tinymlp._regressor.TinyMLPRegressor" in untrusted
    assert set(untrusted) <= set(SKOPS_TRUSTED_TYPES)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="TinyMLPRegressor"):
        sio.load(path)
    loaded = sio.load(path, trusted=SKOPS_TRUSTED_TYPES)
    assert_array_equal(loaded.predict(X), model.predict(X))
    if solver == "adam":  # training continues from the saved optimizer, as the original does
        assert_array_equal(loaded.partial_fit(X, Y).predict(X), model.partial_fit(X, Y).predict(X))


def test_pickle_round_trip_predicts_and_trains_on():
    model = TinyMLPRegressor(loss="poisson", max_iter=10, **SMALL)
    counts = np.random.RandomState(0).poisson(np.exp(0.3 * X[:, :2]))
    model.fit(X, counts)
    loaded = pickle.loads(pickle.dumps(model))
    assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.out_activation_ == "exp"
    assert_array_equal(
        loaded.partial_fit(X, counts).predict(X), model.partial_fit(X, counts).predict(X)
    )


# ----------------------------------------------------------------------- bad input


def _with(values, row=3):
    bad = np.abs(y)
    bad[row] = values
    return bad


BAD_FITS = {
    "NaN in y": (
        lambda: TinyMLPRegressor().fit(X, _with(np.nan)),
        r"Input y contains NaN\. Drop or impute the rows whose target is missing",
    ),
    "inf in y": (
        lambda: TinyMLPRegressor().fit(X, _with(-np.inf)),
        r"Input y contains infinity.* Drop or impute the rows whose target is missing",
    ),
    "negative y with Poisson": (
        lambda: TinyMLPRegressor(loss="poisson").fit(X, _with(-1.0)),
        r"loss='poisson' needs non-negative targets.*1 negative value.*use loss='squared_error'",
    ),
    "quantile of 1": (
        lambda: TinyMLPRegressor(loss="quantile", quantile=1.0).fit(X, y),
        r"The 'quantile' parameter of TinyMLPRegressor must be a float in the range "
        r"\(0\.0, 1\.0\) or None\. Got 1\.0 instead",
    ),
    "quantile of 0": (
        lambda: TinyMLPRegressor(loss="quantile", quantile=0).fit(X, y),
        r"'quantile' parameter .* must be a float in the range \(0\.0, 1\.0\) or None\. Got 0 ",
    ),
    "loss='quantile' without a quantile": (
        lambda: TinyMLPRegressor(loss="quantile").fit(X, y),
        r"loss='quantile' needs the quantile to fit: pass quantile=q with 0 < q < 1",
    ),
    "an unknown loss": (
        lambda: TinyMLPRegressor(loss="huber").fit(X, y),
        r"The 'loss' parameter of TinyMLPRegressor must be a str among .*'absolute_error'.*"
        r"Got 'huber' instead",
    ),
    "y of another length": (
        lambda: TinyMLPRegressor().fit(X, y[:-1]),
        r"inconsistent numbers of samples: \[150, 149\]",
    ),
}


@pytest.mark.parametrize("case", BAD_FITS)
def test_bad_input_is_refused_with_what_to_fix(case):
    fit, message = BAD_FITS[case]
    with pytest.raises(ValueError, match=message):
        fit()


@pytest.mark.parametrize("call", ["warm_start", "partial_fit"])
def test_another_number_of_outputs_is_refused_when_training_continues(call):
    model = TinyMLPRegressor(max_iter=5, warm_start=True, **SMALL).fit(X, Y)
    before = [p.copy() for p in _weights(model)]
    message = r"y has 1 output\(s\), but the model was fitted on 2; continuing training needs"
    with pytest.raises(ValueError, match=message):
        model.fit(X, y) if call == "warm_start" else model.partial_fit(X, y)
    for p, q in zip(_weights(model), before):
        assert_array_equal(p, q)
    model.set_params(warm_start=False).fit(X, y)  # the message's advice works
    assert model.n_outputs_ == 1


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_a_prediction_is_never_nan(loss):
    model = TinyMLPRegressor(loss=loss, max_iter=5, **SMALL)
    model.fit(X, np.abs(y) if loss == "poisson" else y)
    huge = np.full((2, X.shape[1]), np.finfo(np.float64).max)
    with pytest.raises(ValueError, match="output overflowed to inf or NaN for 2 row"):
        model.predict(huge)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.predict(np.full((2, X.shape[1]), np.nan))


def test_a_validation_set_of_another_shape_is_refused():
    model = TinyMLPRegressor(early_stopping=True, max_iter=3, **SMALL)
    message = r"y_val has shape \(150,\), but X_val has 150 rows and y 2 output\(s\); give one"
    with pytest.raises(ValueError, match=message):
        model.fit(X, Y, X_val=X, y_val=y)
    with pytest.raises(ValueError, match=r"y_val has shape \(149,\), but X_val has 150 rows"):
        model.fit(X, y, X_val=X, y_val=y[:-1])
    assert not hasattr(model, "coefs_")  # refused before training


def test_a_column_vector_y_warns_and_fits_one_output():
    with pytest.warns(DataConversionWarning, match="A column-vector y was passed"):
        model = TinyMLPRegressor(max_iter=3, **SMALL).fit(X, y[:, np.newaxis])
    assert model.n_outputs_ == 1 and model.predict(X).shape == (150,)
