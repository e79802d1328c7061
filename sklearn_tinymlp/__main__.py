"""Demo: ``python -m sklearn_tinymlp``; ``DESCRIPTION`` (its ``--help``) says what it does."""

import argparse
import sys
import time

from sklearn_tinymlp import TinyMLPClassifier

DESCRIPTION = """\
Train TinyMLPClassifier twice and print what happened (about 10 s, no files written):

  1. the derivation's network (2 inputs, 2 sigmoid hidden units, 1 sigmoid output)
     trained by per-sample gradient descent on scikit-learn's make_moons: its nine
     parameters before and after training, and its held-out accuracy;
  2. StandardScaler + TinyMLPClassifier on the digits data set, tuned by a small
     GridSearchCV: each setting's cross-validated accuracy and the held-out accuracy.

It takes no options. The code is sklearn_tinymlp/__main__.py; the README's
"Run the demo" section shows how to run it on a fresh machine."""

NAMES = ["w11", "w21", "b1", "w12", "w22", "b2", "w1", "w2", "b"]


def nine_parameters(coefs, intercepts):
    """The derivation's names for the 2-2-1 network's coefs_/intercepts_ entries."""
    (W, V), (bh, bo) = coefs, intercepts
    return [W[0, 0], W[1, 0], bh[0], W[0, 1], W[1, 1], bh[1], V[0, 0], V[1, 0], bo[0]]


def derivation_demo():
    print("1. The derivation's network: 2 inputs, 2 sigmoid hidden units, 1 sigmoid output,")
    print("   log-loss, one gradient step per sample (solver='sgd', batch_size=1, momentum=0)")
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split

    X, y = make_moons(n_samples=500, noise=0.1, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    clf = TinyMLPClassifier(
        hidden_layer_sizes=(2,),
        activation="logistic",
        solver="sgd",
        batch_size=1,
        momentum=0.0,
        alpha=0.0,
        learning_rate_init=0.5,
        max_iter=60,
        tol=0.0,
        early_stopping=False,  # the derivation trains on every row, with no held-out set
        random_state=0,
    )
    # One step on one sample creates the network; put its parameters back to see the start.
    clf.partial_fit(X_train[:1], y_train[:1], classes=[0, 1])
    print(f"   held-out accuracy before training: {clf.score(X_test, y_test):.3f}")
    initial = nine_parameters(clf.coefs_, clf.intercepts_)
    clf.set_params(warm_start=True)
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    epochs = len(clf.loss_curve_) - 1  # one entry per epoch, after the first step's
    print(f"   {epochs} epochs = {clf.t_ - 1} per-sample updates in {seconds:.2f} s")
    print("   parameter   after 1 step   after training")
    for name, a, b in zip(NAMES, initial, nine_parameters(clf.coefs_, clf.intercepts_)):
        print(f"   {name:>9}   {a:>+12.4f}   {b:>+14.4f}")
    print(f"   held-out accuracy after training:  {clf.score(X_test, y_test):.3f}")


def pipeline_demo():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    print("\n2. digits: StandardScaler + TinyMLPClassifier, grid search over 3-fold CV")
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    # learning_rate_init=0.01 rather than 0.001: sigmoid units converge within max_iter
    # (see "Defaults, and why" in the README)
    clf = TinyMLPClassifier(learning_rate_init=0.01, max_iter=300, random_state=0)
    pipe = make_pipeline(StandardScaler(), clf)
    grid = {
        "tinymlpclassifier__hidden_layer_sizes": [(32,), (64,)],
        "tinymlpclassifier__alpha": [1e-4, 1e-2],
    }
    start = time.perf_counter()
    search = GridSearchCV(pipe, grid, cv=3).fit(X_train, y_train)
    seconds = time.perf_counter() - start
    for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
        short = {k.split("__")[1]: v for k, v in params.items()}
        print(f"   {short}: mean CV accuracy {score:.3f}")
    print(f"   best: {search.best_params_} ({seconds:.1f} s for the search)")
    print(f"   held-out accuracy of the best pipeline: {search.score(X_test, y_test):.3f}")
    scores = cross_val_score(search.best_estimator_, X, y, cv=3)
    print(f"   cross_val_score of the best pipeline on all digits: {scores.round(3)}")


def main(argv=()):
    """Run the demo; ``argv`` are the command-line arguments (``-h``/``--help``: usage)."""
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_tinymlp",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args(argv)  # --help prints the usage and exits; other arguments are errors
    derivation_demo()
    pipeline_demo()


if __name__ == "__main__":
    main(sys.argv[1:])
