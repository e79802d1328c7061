"""Early stopping on a validation set you give, and on the metric you choose."""

import inspect
import textwrap
from types import SimpleNamespace

import numpy as np
import pytest
import sklearn
from sklearn.base import is_classifier
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    get_scorer_names,
    log_loss,
    make_scorer,
    mean_squared_error,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier, TinyMLPRegressor
from sklearn_tinymlp._arguments import scorer_kind

from helpers import quiet_convergence


@pytest.fixture(scope="module")
def data(breast_cancer):
    """Breast cancer split 70/30 into training and validation rows, raw and standardized
    (``_s``), with validation weights ``SW_VAL``."""
    X, y = breast_cancer
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, random_state=0)
    scaler = StandardScaler().fit(X_train)
    return SimpleNamespace(
        X_train=X_train,
        X_val=X_val,
        y_train=y_train,
        y_val=y_val,
        X_train_s=scaler.transform(X_train),
        X_val_s=scaler.transform(X_val),
        SW_VAL=np.random.RandomState(1).uniform(0.2, 3.0, len(y_val)),
    )


def stopper(**params):
    common = dict(early_stopping=True, learning_rate_init=0.01, max_iter=300, random_state=0)
    return TinyMLPClassifier((16,), **{**common, **params})


def _given_split(Estimator):
    """300 training and 100 validation rows of a noisy target for ``Estimator``, and weights
    for the validation rows."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 10))
    target = X[:, 0] + rng.normal(scale=2.0, size=400)
    y = (target > 0).astype(int) if is_classifier(Estimator()) else target
    sw_val = np.random.RandomState(2).randint(1, 4, size=100).astype(float)
    return X[:300], y[:300], X[300:], y[300:], sw_val


# The validation loss that scoring="loss" negates: the classifier's log-loss, the regressor's
# half mean squared error (its training loss).
VALIDATION_LOSS = {
    TinyMLPClassifier: lambda model, X, y, w: log_loss(y, model.predict_proba(X), sample_weight=w),
    TinyMLPRegressor: lambda model, X, y, w: (
        0.5 * mean_squared_error(y, model.predict(X), sample_weight=w)
    ),
}


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_a_given_validation_set_is_what_early_stopping_scores(Estimator, weighted):
    X, y, X_val, y_val, sw_val = _given_split(Estimator)
    sw = sw_val if weighted else None
    params = dict(hidden_layer_sizes=(16,), early_stopping=True, scoring="loss", max_iter=300)
    params.update(learning_rate_init=0.01, random_state=0)
    model = Estimator(**params).fit(X, y, X_val=X_val, y_val=y_val, sample_weight_val=sw)
    best = model.validation_scores_.index(model.best_validation_score_)
    assert best < model.n_iter_ - 1  # it stopped after the best epoch, which was restored
    restored = -VALIDATION_LOSS[Estimator](model, X_val, y_val, sw)
    assert model.best_validation_score_ == pytest.approx(restored, rel=1e-10)
    assert model.t_ == model.n_iter_ * len(y)  # every training row was trained on
    if weighted:  # the weights change the scores, not the training
        unweighted = Estimator(**params).fit(X, y, X_val=X_val, y_val=y_val)
        assert unweighted.validation_scores_ != model.validation_scores_
        n = min(unweighted.n_iter_, model.n_iter_)
        assert unweighted.loss_curve_[:n] == model.loss_curve_[:n]


@quiet_convergence
def test_a_callable_scoring_is_called_on_the_validation_set(Estimator):
    X, y, X_val, y_val, _ = _given_split(Estimator)
    seen = []

    def score(estimator, X_score, y_score):
        seen.append(len(y_score))
        return estimator.score(X_score, y_score)

    model = Estimator(
        hidden_layer_sizes=(8,), scoring=score, early_stopping=True, max_iter=6, tol=0.0
    ).set_params(random_state=0)
    model.fit(X, y, X_val=X_val, y_val=y_val)
    assert seen == [100] * 6
    assert model.best_validation_score_ == pytest.approx(model.score(X_val, y_val), rel=1e-12)


@pytest.mark.parametrize("class_weight", [{0: 1.0, 1: 4.0}, "balanced"])
def test_a_given_validation_set_is_weighed_by_class_weight_as_the_training_data(class_weight, data):
    """As HistGradientBoostingClassifier does: sample_weight_val × class_weight."""
    clf = stopper(class_weight=class_weight)
    clf.fit(
        data.X_train_s,
        data.y_train,
        X_val=data.X_val_s,
        y_val=data.y_val,
        sample_weight_val=data.SW_VAL,
    )
    if class_weight == "balanced":  # balanced on the validation set's own weights
        totals = np.bincount(data.y_val, weights=data.SW_VAL)
        per_class = totals.sum() / (2 * totals)
    else:
        per_class = np.array([class_weight[0], class_weight[1]])
    weights = data.SW_VAL * per_class[data.y_val]
    restored = -log_loss(data.y_val, clf.predict_proba(data.X_val_s), sample_weight=weights)
    assert clf.best_validation_score_ == pytest.approx(restored, rel=1e-10)
    unweighted = -log_loss(data.y_val, clf.predict_proba(data.X_val_s), sample_weight=data.SW_VAL)
    assert clf.best_validation_score_ != pytest.approx(unweighted, rel=1e-6)


def test_the_validation_set_replaces_the_split(data):
    held_out = stopper().fit(data.X_train_s, data.y_train)
    given = stopper().fit(data.X_train_s, data.y_train, X_val=data.X_val_s, y_val=data.y_val)
    assert held_out.t_ == held_out.n_iter_ * round(0.9 * len(data.y_train))
    assert given.validation_scores_ != held_out.validation_scores_


@pytest.mark.parametrize(
    "scoring, metric",
    [
        ("roc_auc", lambda y, p: roc_auc_score(y, p[:, 1])),
        ("accuracy", lambda y, p: np.mean(p.argmax(axis=1) == y)),
        (
            make_scorer(balanced_accuracy_score),
            lambda y, p: balanced_accuracy_score(y, p.argmax(1)),
        ),
        ("loss", lambda y, p: -log_loss(y, p)),
    ],
    ids=["roc_auc", "accuracy", "callable", "loss"],
)
def test_scoring_decides_what_is_monitored_and_restored(scoring, metric, data):
    clf = stopper(scoring=scoring).fit(
        data.X_train_s, data.y_train, X_val=data.X_val_s, y_val=data.y_val
    )
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    restored = metric(data.y_val, clf.predict_proba(data.X_val_s))
    assert clf.best_validation_score_ == pytest.approx(restored, rel=1e-10)


def test_scoring_accuracy_stops_as_mlpclassifier_does(data):
    from sklearn.neural_network import MLPClassifier

    params = dict(
        hidden_layer_sizes=(5,),
        activation="tanh",
        early_stopping=True,
        learning_rate_init=0.01,
        max_iter=200,
        random_state=0,
        shuffle=False,
    )
    ours = TinyMLPClassifier(**params, scoring="accuracy").fit(data.X_train_s, data.y_train)
    theirs = MLPClassifier(**params).fit(data.X_train_s, data.y_train)
    # TinyMLPClassifier's rule is MLPClassifier's, except that no stop comes within a warm-up of
    # min(2 × patience, 20) epochs; every epoch can be the best.
    for clf, warm_up in ((ours, min(2 * ours.n_iter_no_change, 20)), (theirs, 0)):
        scores = np.array(clf.validation_scores_)
        n_val = len(data.y_train) - clf.t_ // clf.n_iter_  # the rows held out of training
        # accuracies: whole numbers of the n_val held-out rows (a log-loss would not be)
        np.testing.assert_allclose(scores * n_val, np.round(scores * n_val), rtol=0, atol=1e-9)
        assert ((scores >= 0) & (scores <= 1)).all()
        assert len(set(clf.validation_scores_)) > 1
        assert clf.best_validation_score_ == max(clf.validation_scores_)
        # the rule: stop at the first epoch after the warm-up that ends more than
        # n_iter_no_change epochs in a row without a gain of tol over the best score so far
        best, count, counts = -np.inf, 0, []
        for score in scores:
            count = count + 1 if score < best + clf.tol else 0
            best = max(best, score)
            counts.append(count)
        stops = [c > clf.n_iter_no_change and e > warm_up for e, c in enumerate(counts, 1)]
        assert stops[-1] and not any(stops[:-1])
    assert ours.n_iter_ < 200
    # Both hold out the same stratified rows and start from the same weights: the same scores.
    n = min(ours.n_iter_, theirs.n_iter_)
    np.testing.assert_allclose(ours.validation_scores_[:n], theirs.validation_scores_[:n])


def test_a_pipeline_transforms_the_validation_set_with_its_preceding_steps(data):
    with sklearn.config_context(enable_metadata_routing=True):
        model = stopper().set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline([("scale", StandardScaler()), ("mlp", model)], transform_input=["X_val"])
        pipe.fit(data.X_train, data.y_train, X_val=data.X_val, y_val=data.y_val)
    fitted = pipe[-1]
    restored = -log_loss(data.y_val, pipe.predict_proba(data.X_val))
    assert fitted.best_validation_score_ == pytest.approx(restored, rel=1e-10)
    direct = stopper().fit(data.X_train_s, data.y_train, X_val=data.X_val_s, y_val=data.y_val)
    np.testing.assert_allclose(fitted.validation_scores_, direct.validation_scores_, rtol=1e-10)


def test_the_fit_docstring_holds_the_pipeline_code_for_a_validation_set_and_it_runs(data):
    """What a pipeline needs to pass X_val through its steps is in fit's own docstring (both
    estimators share it), and that code scales X_val as it scales X."""
    assert TinyMLPRegressor.fit is TinyMLPClassifier.fit
    doc = inspect.getdoc(TinyMLPClassifier.fit)
    paragraph = doc[doc.index("X_val, y_val :") : doc.index("sample_weight_val :")]
    assert "scikit-learn ≥ 1.6" in paragraph  # transform_input's first release (1.6.0)
    code = textwrap.dedent(paragraph.split("::\n\n", 1)[1].split("\n\n", 1)[0])
    assert 'transform_input=["X_val"]' in code and "enable_metadata_routing=True" in code
    namespace = dict(
        sklearn=sklearn,
        Pipeline=Pipeline,
        StandardScaler=StandardScaler,
        TinyMLPClassifier=TinyMLPClassifier,
        X=data.X_train,
        y=data.y_train,
        X_val=data.X_val,
        y_val=data.y_val,
    )
    with sklearn.config_context():  # the snippet's set_config is undone on leaving
        exec(code, namespace)
    pipe = namespace["pipe"]
    # the restored epoch's score is the log-loss of X_val as the whole pipeline sees it: scaled
    restored = -log_loss(data.y_val, pipe.predict_proba(data.X_val))
    assert pipe[-1].best_validation_score_ == pytest.approx(restored, rel=1e-10)


@pytest.mark.parametrize(
    "params, kwargs, message",
    [
        ({}, lambda data: dict(X_val=data.X_val_s), "needs both X_val and y_val"),
        ({}, lambda data: dict(y_val=data.y_val), "needs both X_val and y_val"),
        ({}, lambda data: dict(sample_weight_val=data.SW_VAL), "needs both X_val and y_val"),
        (
            dict(early_stopping=False),
            lambda data: dict(X_val=data.X_val_s, y_val=data.y_val),
            "early_stopping=True",
        ),
        (
            dict(solver="lbfgs"),
            lambda data: dict(X_val=data.X_val_s, y_val=data.y_val),
            "solver='sgd' or 'adam'",
        ),
        (
            {},
            lambda data: dict(X_val=data.X_val_s[:, :5], y_val=data.y_val),
            "X_val: X has 5 features",
        ),
        (
            {},
            lambda data: dict(X_val=data.X_val_s, y_val=data.y_val + 5),
            r"y_val contains labels .* \[5, 6\]",
        ),
        (
            {},
            lambda data: dict(X_val=data.X_val_s, y_val=data.y_val[:-1]),
            "X_val has 171 samples but y_val has 170",
        ),
        (
            {},
            lambda data: dict(
                X_val=data.X_val_s, y_val=data.y_val, sample_weight_val=data.SW_VAL[:3]
            ),
            "sample_weight",
        ),
        (
            dict(scoring="no_such_scorer"),
            lambda data: {},
            "'no_such_scorer' is not a valid scoring value",
        ),
        (
            dict(scoring="no_such_scorer", early_stopping=False),
            lambda data: {},
            "'no_such_scorer' is not a valid scoring value",
        ),
    ],
)
def test_an_unusable_validation_set_or_scorer_is_refused_clearly(params, kwargs, message, data):
    clf = stopper(**params)
    with pytest.raises(ValueError, match=message):
        clf.fit(data.X_train_s, data.y_train, **kwargs(data))
    assert not hasattr(clf, "coefs_")


CLASSIFICATION_SCORERS = ["accuracy", "balanced_accuracy", "roc_auc", "f1", "neg_log_loss"]
REGRESSION_SCORERS = ["r2", "neg_mean_squared_error", "neg_mean_absolute_error"]


@pytest.mark.parametrize("early_stopping", [True, False], ids=["stopping", "not-stopping"])
@pytest.mark.parametrize(
    "estimator, scoring",
    [(TinyMLPClassifier, s) for s in REGRESSION_SCORERS]
    + [(TinyMLPRegressor, s) for s in CLASSIFICATION_SCORERS],
    ids=lambda p: getattr(p, "__name__", p),
)
def test_a_scorer_of_the_other_kind_is_refused_before_training(
    estimator, scoring, early_stopping, data
):
    model = estimator(
        hidden_layer_sizes=(4,), scoring=scoring, early_stopping=early_stopping, max_iter=2
    )
    needed, kind = ("classifier", "regressor")[:: 1 if estimator is TinyMLPRegressor else -1]
    message = (
        rf"scoring='{scoring}' scores the predictions of a {needed}, and {estimator.__name__} "
        rf"is a {kind} .* Use a {kind}'s scorer, such as '"
    )
    with pytest.raises(ValueError, match=message):
        model.fit(data.X_train_s, data.y_train)
    assert not hasattr(model, "coefs_")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "estimator, scoring",
    [(TinyMLPClassifier, s) for s in [*CLASSIFICATION_SCORERS, "loss", None]]
    + [(TinyMLPRegressor, s) for s in [*REGRESSION_SCORERS, "loss", None]]
    # a callable is the user's choice, not checked: accuracy on a regressor's 0/1 predictions
    + [(TinyMLPRegressor, make_scorer(lambda y, p: accuracy_score(y, p.round())))],
    ids=lambda p: getattr(p, "__name__", str(p)),
)
def test_a_scorer_of_the_estimators_kind_trains(estimator, scoring, data):
    model = estimator(
        hidden_layer_sizes=(4,), scoring=scoring, early_stopping=True, max_iter=2, random_state=0
    )
    model.fit(data.X_train_s, data.y_train)
    assert len(model.validation_scores_) == 2


def test_every_scikit_learn_scorer_name_has_a_kind():
    """A scorer that a new scikit-learn adds elsewhere than its metric modules goes unchecked:
    this says which, so that scorer_kind can learn it."""
    unknown = [name for name in get_scorer_names() if scorer_kind(name) is None]
    assert not unknown, f"scorer_kind cannot tell the kind of {unknown}"
    assert scorer_kind("explained_variance") == scorer_kind("neg_max_error") == "regressor"
    assert scorer_kind("positive_likelihood_ratio") == scorer_kind("rand_score") == "classifier"
