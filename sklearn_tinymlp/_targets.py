"""Targets: labels to 0/1 target matrices (classifier), and the regression targets' checks."""

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d


def fit_targets(y, classes=None, binarizer=None, incremental=False, warm_start=False):
    """The label binarizer and the 0/1 targets of y.

    A first fit (``binarizer`` None) takes the classes from y (or ``classes``,
    which ``partial_fit`` needs on its first call); a continued fit checks y
    (and ``classes``) against the binarizer's classes. y is :func:`check_labels`'s.
    """
    multilabel = type_of_target(y) == "multilabel-indicator"
    if binarizer is None:
        if incremental and classes is None and not multilabel:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: the list "
                "of every label the stream can contain, e.g. classes=np.unique(y_all)."
            )
        binarizer = fit_binarizer(y, multilabel, classes if incremental else None)
    elif incremental and classes is not None and not np.array_equal(classes, binarizer.classes_):
        raise ValueError(
            f"classes={np.asarray(classes).tolist()!r} differs from the classes of the "
            f"first partial_fit call, {binarizer.classes_.tolist()!r}."
        )
    check_known_labels(y, binarizer, warm_start=warm_start)
    return binarizer, encode_targets(y, binarizer)


def validation_targets(y_val, X_val, binarizer):
    """y_val checked against the fitted classes and X_val, and its 0/1 targets."""
    y_val = check_labels(np.asarray(y_val))
    if len(y_val) != X_val.shape[0]:
        raise ValueError(
            f"X_val has {X_val.shape[0]} samples but y_val has {len(y_val)}; give one label "
            "per validation sample."
        )
    check_known_labels(y_val, binarizer, warm_start=False, name="y_val")
    return y_val, encode_targets(y_val, binarizer)


def check_labels(y):
    """Classification labels as a 1-D array (or a 2-D indicator matrix for multilabel y)."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    if y.dtype == object and len({isinstance(v, str) for v in y.ravel().tolist()}) > 1:
        raise ValueError(
            "y mixes string labels with labels of other types (numbers, None, ...), "
            "which cannot be ordered into classes; give every label the same type, "
            "e.g. y.astype(str)."
        )
    check_classification_targets(y)
    return y


def fit_binarizer(y, multilabel, classes=None):
    """The LabelBinarizer of the classes (``classes`` when given, else those of y)."""
    binarizer = LabelBinarizer().fit(y if multilabel or classes is None else np.asarray(classes))
    if not multilabel and len(binarizer.classes_) < 2:
        raise ValueError(
            "TinyMLPClassifier needs at least 2 classes to learn from, but the data "
            f"contain only one class: {binarizer.classes_.tolist()[0]!r}."
        )
    return binarizer


def check_known_labels(y, binarizer, warm_start, name="y"):
    """Refuse labels outside the fitted classes (a warm-start fit must see the same set)."""
    classes = binarizer.classes_
    if binarizer.y_type_ == "multilabel-indicator":
        if type_of_target(y) != "multilabel-indicator" or y.shape[1] != len(classes):
            raise ValueError(
                f"The model was fitted on multilabel targets with {len(classes)} "
                f"labels; {name} must be an indicator matrix of that width."
            )
        return
    present = np.unique(y)
    unseen = np.setdiff1d(present, classes)
    if warm_start and (unseen.size or present.size != classes.size):
        raise ValueError(  # scikit-learn's words first, then what to do
            "warm_start can only be used where `y` has the same classes as in the "
            f"previous call to fit. Previously got {classes}, `y` has {present}. Set "
            "warm_start=False to train a new network on these classes."
        )
    if unseen.size:
        raise ValueError(
            f"{name} contains labels not seen before: {unseen.tolist()!r}; known classes are "
            f"{classes.tolist()!r}. Pass every label in `classes` on the first "
            "partial_fit call, or call fit to start again."
        )


def encode_targets(y, binarizer):
    """The 0/1 target matrix Y, as booleans: one column for 2 classes, one-hot for more.

    Booleans take an eighth of float64's memory; each batch's rows are
    converted to the network's dtype as they are gathered.
    """
    if binarizer.y_type_ == "multilabel-indicator":
        return binarizer.transform(y).astype(bool)
    codes = np.searchsorted(binarizer.classes_, y)
    if len(binarizer.classes_) == 2:
        return (codes == 1)[:, np.newaxis]
    Y = np.zeros((len(codes), len(binarizer.classes_)), dtype=bool)
    Y[np.arange(len(codes)), codes] = True
    return Y


def regression_target_problems(Y, poisson):
    """Counts of non-finite targets and (for ``poisson``) negative ones; blocks' add up."""
    with np.errstate(invalid="ignore"):
        return np.array([np.count_nonzero(~np.isfinite(Y)), poisson * np.count_nonzero(Y < 0)])


def class_indices(Y):
    """Class index per row of the 0/1 target matrix (one column: binary)."""
    return Y[:, 0].astype(np.intp) if Y.shape[1] == 1 else Y.argmax(axis=1)
