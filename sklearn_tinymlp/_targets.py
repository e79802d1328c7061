"""Targets and weights: labels to 0/1 targets, sample and class weights, the validation split."""

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d


def _labels(Y):
    """Class index per row of the 0/1 target matrix (one column: binary)."""
    return Y[:, 0].astype(np.intp) if Y.shape[1] == 1 else Y.argmax(axis=1)


def class_totals(Y, sample_weight, multilabel):
    """Total sample weight of each class (multilabel: of each label's 0 and 1)."""
    sw = np.ones(Y.shape[0]) if sample_weight is None else sample_weight.astype(float)
    if multilabel:
        positive = sw @ Y
        return np.stack([sw.sum() - positive, positive], axis=1)
    n_classes = 2 if Y.shape[1] == 1 else Y.shape[1]
    return np.bincount(_labels(Y), weights=sw, minlength=n_classes)


def balanced_weight_per_sample(Y, totals, multilabel, dtype):
    """'balanced' class weights: class c gets S / (n_classes · S_c).

    S_c is the total sample weight of class c in ``totals`` (its count when
    unweighted), so every class carries the same total weight and the overall
    total stays S. For multilabel targets each label is balanced on its own and
    a sample's weight is the product over labels (scikit-learn's
    ``compute_sample_weight`` convention for multi-output targets).
    """
    totals = np.asarray(totals, dtype=float)  # multilabel: one row (0, 1) per label
    present = totals > 0
    n_present = present.sum(axis=-1, keepdims=True)
    S = totals.sum(axis=-1, keepdims=True)
    weights = np.divide(S, n_present * totals, out=np.zeros_like(totals), where=present)
    if multilabel:
        return np.where(Y > 0, weights[:, 1], weights[:, 0]).prod(axis=1).astype(dtype)
    return weights[_labels(Y)].astype(dtype)


def dict_weight_per_sample(class_weight, classes, Y, dtype):
    """Each sample's weight from a {label: weight} dict; unnamed classes get 1."""
    known = set(classes.tolist())
    unknown = [label for label in class_weight if label not in known]
    if unknown:
        raise ValueError(
            f"class_weight names labels that are not in the data: {unknown!r}; "
            f"the classes are {classes.tolist()!r}."
        )
    weights = np.array([class_weight.get(c, 1.0) for c in classes.tolist()], dtype=float)
    if (weights < 0).any() or not np.isfinite(weights).all():
        raise ValueError(
            f"class_weight values must be finite and non-negative, got {class_weight!r}."
        )
    return weights[_labels(Y)].astype(dtype)


def validation_split(Y, rows, fraction, random_state, stratify=True):
    """The training and validation rows of early stopping: a stratified split of rows.

    As ``MLPClassifier`` and ``HistGradientBoostingClassifier`` do, rows are
    split (``train_test_split``) and each row's weight travels with it. The
    split is stratified by class unless ``stratify`` is False (multilabel and
    regression targets) or a class has too few rows for it, when it is a plain
    random split. ``rows`` are the rows to split (None: all of them).
    """
    from sklearn.model_selection import train_test_split

    rows = np.arange(Y.shape[0]) if rows is None else np.asarray(rows)
    labels = _labels(Y)[rows] if stratify else None
    if labels is not None:
        counts = np.bincount(labels)
        counts = counts[counts > 0]
        if counts.min() < 2 or np.ceil(fraction * rows.size) < counts.size:
            labels = None  # too few rows of a class to stratify
    try:
        train, val = train_test_split(
            rows, test_size=fraction, random_state=random_state, stratify=labels
        )
    except ValueError as error:
        raise ValueError(
            f"early_stopping=True with validation_fraction={fraction} cannot hold out a "
            f"validation set from {rows.size} usable samples and keep samples to train on; "
            f"use more data, a larger validation_fraction, or early_stopping=False. ({error})"
        ) from error
    return np.sort(train), np.sort(val)  # rows in storage order: gathered faster


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


def class_weight_per_sample(Y, class_weight, classes, totals, multilabel, dtype):
    """Each row's class weight: ``class_weight`` 'balanced' (by ``totals``) or a dict.

    ``totals`` are the class totals of the whole data (:func:`class_totals`),
    so that blocks of a larger data set get the weights of the whole.
    """
    if class_weight == "balanced":
        with np.errstate(over="ignore"):  # overflow is refused by check_weights
            return balanced_weight_per_sample(Y, totals, multilabel, dtype)
    if multilabel:
        raise ValueError(
            "class_weight for multilabel targets must be 'balanced' (each label "
            "balanced on its own) or None; for other weightings pass sample_weight."
        )
    return dict_weight_per_sample(class_weight, classes, Y, dtype)


def weight_summary(Y, sample_weight, per_class):
    """What :func:`check_weights` needs of a set of rows; summaries of blocks add up.

    Returns an array: the number of non-finite or negative weights, the number
    of rows of positive weight, their total weight S, then (``per_class``:
    single-label classification) the total positive weight of each class.
    """
    if sample_weight is None:
        totals = class_totals(Y, None, False) if per_class else []
        return np.array([0, Y.shape[0], Y.shape[0], *totals], dtype=float)
    with np.errstate(invalid="ignore"):
        bad = np.count_nonzero(~np.isfinite(sample_weight) | (sample_weight < 0))
    positive = np.where(sample_weight > 0, sample_weight, 0).astype(float)
    totals = class_totals(Y, positive, False) if per_class else []
    return np.array([bad, np.count_nonzero(positive), positive.sum(), *totals])


def check_weights(summary, class_weight, dtype, check_classes=True):
    """Refuse weights (sample_weight × class_weight) that leave nothing to learn.

    ``summary`` is :func:`weight_summary`'s (summed over blocks for Dask input).
    """
    bad, n_positive, weight_sum, *totals = summary
    if bad or not np.isfinite(weight_sum):
        raise ValueError(
            f"sample_weight × class_weight overflows {np.dtype(dtype)} for some samples, or is "
            f"negative or not finite there (class_weight={class_weight!r}); with 'balanced', "
            "a class whose total sample_weight is tiny gets a huge weight. Rescale "
            "sample_weight (for example, divide it by its mean) or the class weights."
        )
    if n_positive == 0:
        raise ValueError(
            "sample_weight is zero for every sample, so there is nothing to learn "
            "from; give at least one sample a positive weight."
        )
    if check_classes and totals and np.count_nonzero(totals) < 2:
        raise ValueError(
            "Only one class has a positive sample_weight, so there is no second "
            "class to separate it from; give samples of at least 2 classes a "
            "positive weight."
        )
    return weight_sum


def regression_target_problems(Y, poisson):
    """Counts of non-finite targets and (for ``poisson``) negative ones; blocks' add up."""
    with np.errstate(invalid="ignore"):
        return np.array([np.count_nonzero(~np.isfinite(Y)), poisson * np.count_nonzero(Y < 0)])
