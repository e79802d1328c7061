"""Early stopping that a noisy early peak cannot fool: candidate rules on an imbalanced set.

    python benchmarks/early_stopping_study.py [n_seeds [learning_rate_init [class_weight]]]

The case: a binary problem with 5% positives, ``early_stopping=True`` and
``scoring='roc_auc'``; the 10% validation split holds about 42 positives, so its
ROC AUC is noisy and can peak in the first epochs, before the network predicts
any positive at all (balanced accuracy 0.5).

Each seed trains once for ``max_iter`` epochs without stopping
(``n_iter_no_change=inf``), keeping a copy of the parameters and the validation
score of every epoch (the validation split and the trajectory are those of an
early-stopping fit, which only decides when to stop and what to restore). Each
rule then picks, from the scores alone, the epoch at which it would stop and
the epoch it would restore; the restored parameters are scored on a test set.
The rule "current" is the estimator's own (checked against a real fit).
"""

import sys
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier

MAX_ITER, PATIENCE, TOL = 200, 10, 1e-4
SETTINGS = {"learning_rate_init": 0.001, "class_weight": None}


def dataset(seed):
    X, y = make_classification(
        n_samples=12_000, n_features=20, n_informative=6, weights=[0.95], flip_y=0.03,
        class_sep=1.0, random_state=seed,
    )  # fmt: skip
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def stopper(seed, **params):
    common = dict(early_stopping=True, scoring="roc_auc", max_iter=MAX_ITER, random_state=seed)
    return TinyMLPClassifier(**{**common, **SETTINGS, **params})


def trajectory(seed, X_train, y_train):
    """Every epoch's validation score, validation loss and parameters, with no stopping."""
    snapshots = []

    def keep(est, info):
        snapshots.append(([c.copy() for c in est.coefs_], [b.copy() for b in est.intercepts_]))

    clf = stopper(seed, n_iter_no_change=np.inf, callbacks=[keep]).fit(X_train, y_train)
    return clf, np.array(clf.validation_scores_), np.array(clf.validation_loss_curve_), snapshots


# ----------------------------------------------------------------- the rules
# Each takes the per-epoch monitored values (higher is better) and returns
# (epoch at which training stops, epoch restored), both 0-based.


def patience_rule(values, patience=PATIENCE, tol=TOL, min_epochs=0, no_stop_before=0):
    """scikit-learn's rule; with ``min_epochs``, no epoch before it can be the best; with
    ``no_stop_before``, every epoch can be the best but training cannot stop before it."""
    best, best_at, count = -np.inf, None, 0
    for epoch, v in enumerate(values):
        if epoch < min_epochs:
            continue
        improved = v > best + tol
        if v > best:
            best, best_at = v, epoch
        count = 0 if improved else count + 1
        if count > patience and epoch >= no_stop_before:
            return epoch, best_at
    return len(values) - 1, best_at


WARM_UP = min(2 * PATIENCE, 20)  # the estimator's: no stop within it (0.3), no best in it (0.2)


def ema(values, weight):
    """Exponential moving average: s_t = (1 − w) s_{t−1} + w v_t, s_0 = v_0."""
    out = np.empty(len(values))
    out[0] = values[0]
    for t in range(1, len(values)):
        out[t] = (1 - weight) * out[t - 1] + weight * values[t]
    return out


def running_median(values, k):
    """The median of the last k values (fewer at the start)."""
    return np.array([np.median(values[max(0, t - k + 1) : t + 1]) for t in range(len(values))])


def scaled_patience(n_minority):
    """Patience that grows as the validation set's minority class shrinks: 10 at ≥ 200."""
    return int(np.ceil(PATIENCE * max(1.0, np.sqrt(200 / n_minority))))


def rules(n_minority):
    return {
        "current: best anywhere, no stop in the warm-up": lambda s, loss: patience_rule(
            s, no_stop_before=WARM_UP
        ),
        "MLPClassifier (patience 10)": lambda s, loss: patience_rule(s),
        "0.2: no best in the warm-up": lambda s, loss: patience_rule(s, min_epochs=WARM_UP),
        "min 10 epochs": lambda s, loss: patience_rule(s, min_epochs=10),
        "min 20 epochs": lambda s, loss: patience_rule(s, min_epochs=20),
        "min 50 epochs": lambda s, loss: patience_rule(s, min_epochs=50),
        f"patience {scaled_patience(n_minority)} (scaled)": lambda s, loss: patience_rule(
            s, scaled_patience(n_minority)
        ),
        "patience 30": lambda s, loss: patience_rule(s, 30),
        "EMA w=0.3": lambda s, loss: patience_rule(ema(s, 0.3)),
        "EMA w=0.1": lambda s, loss: patience_rule(ema(s, 0.1)),
        "median of last 5": lambda s, loss: patience_rule(running_median(s, 5)),
        "EMA w=0.1, min 20 epochs": lambda s, loss: patience_rule(ema(s, 0.1), min_epochs=20),
        "EMA w=0.1, min 10 epochs": lambda s, loss: patience_rule(ema(s, 0.1), min_epochs=10),
        "EMA w=2/11, min 10 epochs": lambda s, loss: patience_rule(ema(s, 2 / 11), min_epochs=10),
        "validation loss (scoring=None)": lambda s, loss: patience_rule(-loss),
        "no early stopping (last epoch)": lambda s, loss: (len(s) - 1, len(s) - 1),
    }


def main(n_seeds=10, learning_rate_init=0.001, class_weight=None):
    SETTINGS.update(learning_rate_init=learning_rate_init, class_weight=class_weight)
    warnings.simplefilter("ignore")  # max_iter reached without stopping: expected here
    started = time.perf_counter()
    results = {}
    for seed in range(n_seeds):
        X_train, X_test, y_train, y_test = dataset(seed)
        clf, scores, losses, snapshots = trajectory(seed, X_train, y_train)
        n_minority = round(0.1 * y_train.sum())
        real = stopper(seed).fit(X_train, y_train)  # the estimator's own rule, for the check
        stop, best = patience_rule(scores, no_stop_before=WARM_UP)
        assert real.n_iter_ == stop + 1 and real.validation_scores_ == list(scores[: stop + 1])
        for name, rule in rules(n_minority).items():
            stop, best = rule(scores, losses)
            clf.coefs_, clf.intercepts_ = snapshots[best]
            proba = clf.predict_proba(X_test)[:, 1]
            results.setdefault(name, []).append(
                (best + 1, stop + 1, balanced_accuracy_score(y_test, clf.predict(X_test)),
                 roc_auc_score(y_test, proba))
            )  # fmt: skip
        restored = results["current: best anywhere, no stop in the warm-up"][-1][0]
        print(f"seed {seed}: {n_minority} validation positives, peak AUC at epoch "
              f"{int(np.argmax(scores)) + 1}, current rule restores {restored}",
              file=sys.stderr)  # fmt: skip
    print(f"learning_rate_init={learning_rate_init}, class_weight={class_weight}, {n_seeds} seeds, "
          f"{time.perf_counter() - started:.0f} s\n")  # fmt: skip
    print("| rule | restored epoch per seed | epochs run (mean) | test balanced accuracy "
          "(mean, min) | test ROC AUC (mean) |")  # fmt: skip
    print("|---|---|---|---|---|")
    for name, rows in results.items():
        best, stop, bacc, auc = map(np.array, zip(*rows))
        print(f"| {name} | {' '.join(map(str, best))} | {stop.mean():.0f} | "
              f"{bacc.mean():.3f}, {bacc.min():.3f} | {auc.mean():.3f} |")  # fmt: skip


if __name__ == "__main__":
    args = sys.argv[1:]
    main(*[int(a) for a in args[:1]], *[float(a) for a in args[1:2]], *args[2:3])
