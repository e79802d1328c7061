"""TrainingCurveDisplay draws an estimator's curves, on the same terms, and marks the best epoch."""

import sys

import numpy as np
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import NotFittedError
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier, TinyMLPRegressor, TrainingCurveDisplay

from helpers import quiet_convergence

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)
COMMON = dict(hidden_layer_sizes=(8,), learning_rate_init=0.01, random_state=0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def stopped():
    """Early stopping on the log-loss, with a strong penalty: training data loss ≠ loss_curve_."""
    clf = TinyMLPClassifier(early_stopping=True, alpha=1.0, max_iter=200, **COMMON).fit(X, y)
    assert np.argmax(clf.validation_scores_) + 1 < clf.n_iter_  # it stopped after the best
    return clf


def labels_and_data(display):
    return {line.get_label(): line.get_data() for line in display.lines_}


def test_the_lines_are_the_curves_without_the_penalty(stopped):
    display = TrainingCurveDisplay.from_estimator(stopped)
    drawn = labels_and_data(display)
    epochs = np.arange(1, stopped.n_iter_ + 1)
    expected = {
        "training loss (no L2 penalty)": stopped.data_loss_curve_,
        "validation loss (no L2 penalty)": stopped.validation_loss_curve_,
        "validation score (negative loss)": stopped.validation_scores_,
    }
    assert list(drawn) == list(expected)
    for label, values in expected.items():
        np.testing.assert_array_equal(drawn[label][0], epochs)
        np.testing.assert_array_equal(drawn[label][1], values)
    # the penalty is out of the training curve: with alpha=1 it is much lower than loss_curve_
    assert np.all(np.array(stopped.data_loss_curve_) < np.array(stopped.loss_curve_) - 0.01)
    assert display.lines_[2].axes is display.score_ax_ is not display.ax_  # a second y-axis
    assert display.ax_.get_title() == "TinyMLPClassifier"


def test_the_restored_epoch_is_marked(stopped):
    display = TrainingCurveDisplay.from_estimator(stopped)
    best = int(np.argmax(stopped.validation_scores_)) + 1
    assert display.best_epoch_ == best
    assert display.best_epoch_line_.get_xdata()[0] == best
    assert display.best_epoch_line_.get_label() == f"best epoch ({best}), restored"
    legend = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert legend[-1] == display.best_epoch_line_.get_label() and len(legend) == 4


def test_the_given_axes_are_used(stopped):
    figure, (left, right) = plt.subplots(1, 2)
    display = TrainingCurveDisplay.from_estimator(stopped, ax=right, name="mine")
    assert display.ax_ is right and display.figure_ is figure
    assert display.lines_[0].axes is right and not left.lines
    assert right.get_title() == "mine"


@quiet_convergence
def test_without_early_stopping_only_the_training_loss_is_drawn():
    clf = TinyMLPClassifier(max_iter=30, tol=0.0, early_stopping=False, **COMMON).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(clf)
    assert list(labels_and_data(display)) == ["training loss (no L2 penalty)"]
    np.testing.assert_array_equal(display.lines_[0].get_ydata(), clf.data_loss_curve_)
    assert display.best_epoch_ is None and display.best_epoch_line_ is None
    assert display.score_ax_ is None and not display.ax_.lines[1:]


def test_without_data_loss_curve_the_penalized_loss_is_drawn_and_labelled(stopped):
    """Estimators pickled before data_loss_curve_ existed, and MLPClassifier."""
    mlp = MLPClassifier(early_stopping=True, max_iter=40, **COMMON).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(mlp)
    drawn = labels_and_data(display)
    assert list(drawn) == ["training loss (with L2 penalty)", "validation score"]
    np.testing.assert_array_equal(drawn["training loss (with L2 penalty)"][1], mlp.loss_curve_)
    assert display.best_epoch_ == int(np.argmax(mlp.validation_scores_)) + 1


@quiet_convergence
def test_a_scorer_name_labels_the_score():
    clf = TinyMLPClassifier(early_stopping=True, scoring="roc_auc", max_iter=30, **COMMON)
    display = TrainingCurveDisplay.from_estimator(clf.fit(X, y))
    assert display.lines_[-1].get_label() == "validation score (roc_auc)"


def test_an_unfitted_estimator_is_an_error():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        TrainingCurveDisplay.from_estimator(TinyMLPClassifier())


def test_an_estimator_without_curves_is_an_error():
    fitted = StandardScaler().fit(X)
    with pytest.raises(ValueError, match="got StandardScaler, which has no loss_curve_"):
        TrainingCurveDisplay.from_estimator(fitted)


def test_a_fitted_pipeline_draws_its_last_steps_curves():
    pipe = make_pipeline(StandardScaler(), TinyMLPClassifier(early_stopping=True, **COMMON))
    display = TrainingCurveDisplay.from_estimator(pipe.fit(X, y))
    clf = pipe[-1]
    drawn = labels_and_data(display)
    assert list(drawn) == [
        "training loss (no L2 penalty)",
        "validation loss (no L2 penalty)",
        "validation score (negative loss)",
    ]
    np.testing.assert_array_equal(drawn["training loss (no L2 penalty)"][1], clf.data_loss_curve_)
    np.testing.assert_array_equal(
        drawn["validation loss (no L2 penalty)"][1], clf.validation_loss_curve_
    )
    np.testing.assert_array_equal(
        drawn["validation score (negative loss)"][1], clf.validation_scores_
    )
    assert display.ax_.get_title() == "TinyMLPClassifier"  # the network's name, not Pipeline's


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_meta_estimators_are_followed_to_the_fitted_network():
    small = dict(COMMON, max_iter=5)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), TinyMLPClassifier(**small)),
        {"tinymlpclassifier__alpha": [1e-4, 1e-2]},
        cv=2,
    ).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(search)
    network = search.best_estimator_[-1]
    np.testing.assert_array_equal(display.lines_[0].get_ydata(), network.data_loss_curve_)
    regressor = TransformedTargetRegressor(
        make_pipeline(StandardScaler(), TinyMLPRegressor(**small)), transformer=StandardScaler()
    ).fit(X, X[:, 0])
    display = TrainingCurveDisplay.from_estimator(regressor)
    network = regressor.regressor_[-1]
    np.testing.assert_array_equal(display.lines_[0].get_ydata(), network.data_loss_curve_)
    assert display.ax_.get_title() == "TinyMLPRegressor"


@pytest.mark.parametrize(
    "model, found",
    [
        (
            make_pipeline(StandardScaler(), LogisticRegression()),
            "Pipeline whose last step is LogisticRegression",
        ),
        (
            make_pipeline(StandardScaler(), "passthrough"),
            "Pipeline whose last step is 'passthrough'",
        ),
        (
            SelectFromModel(LogisticRegression()),
            "SelectFromModel whose estimator_ is LogisticRegression",
        ),
    ],
    ids=["pipeline", "passthrough", "wrapper"],
)
def test_an_estimator_that_ends_in_no_network_is_an_error_that_says_what_is_needed(model, found):
    model.fit(X, y)
    message = (
        r"TrainingCurveDisplay needs a fitted TinyMLPClassifier or TinyMLPRegressor .* as the "
        rf"last step of a Pipeline.*; got {found}, which has no loss_curve_\."
    )
    with pytest.raises(ValueError, match=message):
        TrainingCurveDisplay.from_estimator(model)


def test_an_unfitted_pipeline_is_an_error():
    with pytest.raises(NotFittedError, match="Pipeline instance is not fitted yet"):
        TrainingCurveDisplay.from_estimator(make_pipeline(StandardScaler(), TinyMLPClassifier()))


def test_without_matplotlib_the_error_says_how_to_install_it(stopped, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # import fails
    with pytest.raises(ImportError, match=r"requires matplotlib: install it with `pip install"):
        TrainingCurveDisplay.from_estimator(stopped)
