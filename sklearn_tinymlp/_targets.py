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
    totals = np.asarray(totals, dtype=float)
    if multilabel:
        weights = np.zeros_like(totals)
        present = totals > 0
        label_sums = totals.sum(axis=1, keepdims=True)
        n_present = present.sum(axis=1, keepdims=True)
        weights[present] = (label_sums / (n_present * totals.clip(min=1e-300)))[present]
        per_label = np.where(Y > 0, weights[:, 1], weights[:, 0])
        return per_label.prod(axis=1).astype(dtype)
    present = totals > 0
    weights = np.zeros_like(totals)
    weights[present] = totals.sum() / (present.sum() * totals[present])
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


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))
# Entries of X hashed at a time: bounds the hashing temporaries whatever the width.
_CHUNK_ENTRIES = 2**16
# A row's weight is split into at most this many units (see validation_split).
MAX_UNITS_PER_ROW = 64


def _mix(x):
    """splitmix64's finaliser, element-wise on a uint64 array (wraps around, by design)."""
    z = x + _MIX[0]
    z = (z ^ (z >> np.uint64(30))) * _MIX[1]
    z = (z ^ (z >> np.uint64(27))) * _MIX[2]
    return z ^ (z >> np.uint64(31))


def _row_hashes(X, rows):
    """A 64-bit hash of each row's content: identical rows, dense or sparse, hash alike.

    The hash is a sum over the row's non-zero entries of mix(column, value bits), so
    it does not depend on storage order; rows are read in chunks to bound memory.
    """
    hashes = np.empty(rows.size, dtype=np.uint64)
    chunk_rows = max(1, _CHUNK_ENTRIES // max(X.shape[1], 1))
    for start in range(0, rows.size, chunk_rows):
        chunk = X[rows[start : start + chunk_rows]]
        if hasattr(chunk, "tocsr"):
            chunk = chunk.tocsr()
            values = chunk.data.astype(np.float64) + 0.0  # + 0.0 folds −0.0 into 0.0
            columns = chunk.indices
            row_of = np.repeat(np.arange(chunk.shape[0]), np.diff(chunk.indptr))
        else:
            dense = np.asarray(chunk, dtype=np.float64)
            row_of, columns = np.nonzero(dense)
            values = dense[row_of, columns] + 0.0
        keep = values != 0
        terms = _mix(values[keep].view(np.uint64) ^ _mix(columns[keep].astype(np.uint64)))
        part = np.zeros(chunk.shape[0], dtype=np.uint64)
        np.add.at(part, row_of[keep], terms)
        hashes[start : start + chunk.shape[0]] = part
    return hashes


def _copy_offsets(identity, n_units):
    """For each row, how many units of identical rows (same identity) come before it."""
    order = np.argsort(identity, kind="stable")
    sorted_ids = identity[order]
    group_start = np.empty(order.size, dtype=bool)
    group_start[:1] = True
    np.not_equal(sorted_ids[1:], sorted_ids[:-1], out=group_start[1:])
    del sorted_ids
    sorted_units = n_units[order]
    cumulative = np.cumsum(sorted_units)
    cumulative -= sorted_units
    del sorted_units
    start_of_group = np.maximum.accumulate(np.where(group_start, cumulative, 0))
    offsets = np.empty_like(n_units)
    offsets[order] = cumulative - start_of_group
    return offsets


def _weight_units(X, rows, weights, labels, seed):
    """Each row's weight as units, with a pseudo-random key each (see validation_split).

    Returns ``unit_row`` (the row of each unit; None when every row is one unit
    of mass 1), ``unit_mass``, ``unit_labels`` and ``keys``.
    """
    # Identity of a row: its content and class. Copies of one row are numbered so that
    # k repeated rows get the same unit keys as one row of weight k.
    identity = _row_hashes(X, rows)
    identity ^= _mix(labels.astype(np.uint64) ^ seed)
    identity = _mix(identity)
    n_units = np.minimum(np.ceil(weights).astype(np.int64), MAX_UNITS_PER_ROW)
    offsets = _copy_offsets(identity, n_units)
    if (weights == 1).all():  # one unit of mass 1 per row: no unit arrays needed
        offsets += 1
        return None, weights, labels, _mix(identity ^ _mix(offsets.astype(np.uint64)))
    unit_row = np.repeat(np.arange(rows.size), n_units)
    unit_index = np.arange(unit_row.size) - np.repeat(np.cumsum(n_units) - n_units, n_units)
    unit_weight = weights[unit_row]
    unit_mass = np.where(
        unit_weight > MAX_UNITS_PER_ROW,
        unit_weight / MAX_UNITS_PER_ROW,
        np.minimum(1.0, unit_weight - unit_index),
    )
    del unit_weight
    copy_number = (offsets[unit_row] + unit_index + 1).astype(np.uint64)
    del unit_index, offsets
    keys = _mix(identity[unit_row] ^ _mix(copy_number))
    return unit_row, unit_mass, labels[unit_row], keys


def _held_out_mass(unit_row, unit_mass, unit_labels, keys, fraction, n_rows):
    """Per row, the mass of its units held out: the smallest keys of each class."""
    val_weight_rows = np.zeros(n_rows)
    for c in np.unique(unit_labels):
        units = np.flatnonzero(unit_labels == c)
        units = units[np.argsort(keys[units], kind="stable")]
        mass = unit_mass[units]
        target = fraction * mass.sum()
        before = np.cumsum(mass) - mass
        take = (before < target) & (before + mass < mass.sum())  # class keeps some weight
        held_out = units[take] if unit_row is None else unit_row[units[take]]
        np.add.at(val_weight_rows, held_out, mass[take])
    return val_weight_rows


def validation_split(X, Y, sample_weight, rows, fraction, random_state, stratify=True):
    """Split the training weight into a training part and a validation part.

    The split works on *units of weight*, not on rows, so that an integer sample
    weight behaves exactly like repeating the row, early stopping included. A
    row of weight w is ceil(w) units (each of mass 1, the last one the
    remainder; at most ``MAX_UNITS_PER_ROW`` units of equal mass for heavier
    rows). Every unit gets a pseudo-random key derived from the row's content,
    its class, its copy number among identical rows and a seed drawn from
    ``random_state``; within each class (unless ``stratify`` is False, as for
    multilabel targets) the units with the smallest keys are held out until
    ``fraction`` of the class's weight is reached, and each class keeps some
    weight to train on. With unit weights and distinct rows this is an ordinary
    random stratified split of the rows.

    Returns
    -------
    train_weight, val_weight : ndarray of shape (n_samples,)
        The training and validation weight of every row of X (zero for rows
        outside ``rows``); they add up to the row's sample weight.
    """
    n_samples = Y.shape[0]
    rows = np.arange(n_samples) if rows is None else rows
    weights = np.ones(rows.size) if sample_weight is None else sample_weight[rows].astype(float)
    seed = np.uint64(random_state.randint(np.iinfo(np.int32).max))
    labels = _labels(Y)[rows] if stratify else np.zeros(rows.size, dtype=np.intp)

    unit_row, unit_mass, unit_labels, keys = _weight_units(X, rows, weights, labels, seed)
    val_weight_rows = _held_out_mass(unit_row, unit_mass, unit_labels, keys, fraction, rows.size)
    if not val_weight_rows.any() or np.allclose(val_weight_rows, weights):
        raise ValueError(
            f"early_stopping=True with validation_fraction={fraction} cannot hold out a "
            f"validation set from {rows.size} usable samples and keep samples of each class "
            "to train on; use more data, a larger validation_fraction, or early_stopping=False."
        )
    train_weight = np.zeros(n_samples)
    val_weight = np.zeros(n_samples)
    val_weight[rows] = val_weight_rows
    train_weight[rows] = np.maximum(weights - val_weight_rows, 0.0)
    return train_weight, val_weight


def fit_targets(est, y, classes, continuing, incremental):
    """Check the labels; set the estimator's classes (or check them); return the 0/1 targets.

    A first fit (or ``partial_fit``) takes the classes from y (or ``classes``);
    a continued one checks y against them.
    """
    y = check_labels(y)
    if not continuing or not hasattr(est, "classes_"):
        multilabel = type_of_target(y) == "multilabel-indicator"
        if incremental and classes is None and not multilabel:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: the list "
                "of every label the stream can contain, e.g. classes=np.unique(y_all)."
            )
        binarizer = fit_binarizer(y, classes if incremental else None)
        check_known_labels(y, binarizer, warm_start=False)
        est._label_binarizer, est.classes_ = binarizer, binarizer.classes_
        est._class_totals_seen = None
    elif incremental and classes is not None and not np.array_equal(classes, est.classes_):
        raise ValueError(
            f"classes={np.asarray(classes).tolist()!r} differs from the classes of the "
            f"first partial_fit call, {est.classes_.tolist()!r}."
        )
    else:
        check_known_labels(y, est._label_binarizer, warm_start=not incremental)
    return encode_targets(y, est._label_binarizer)


def validation_targets(y_val, X_val, binarizer):
    """y_val checked against the fitted classes and X_val, and its 0/1 targets."""
    y_val = check_labels(np.asarray(y_val))
    if len(y_val) != X_val.shape[0]:
        raise ValueError(
            f"X_val has {X_val.shape[0]} samples but y_val has {len(y_val)}; give one label "
            "per validation sample."
        )
    unseen = [] if y_val.ndim == 2 else np.setdiff1d(np.unique(y_val), binarizer.classes_)
    if len(unseen):
        raise ValueError(
            f"y_val contains labels that are not in the training data: {unseen.tolist()!r}; "
            f"the classes are {binarizer.classes_.tolist()!r}."
        )
    check_known_labels(y_val, binarizer, warm_start=False)
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


def fit_binarizer(y, classes=None):
    """The LabelBinarizer of the classes (``classes`` when given, else those of y)."""
    multilabel = type_of_target(y) == "multilabel-indicator"
    binarizer = LabelBinarizer().fit(y if multilabel or classes is None else np.asarray(classes))
    if not multilabel and len(binarizer.classes_) < 2:
        raise ValueError(
            "TinyMLPClassifier needs at least 2 classes to learn from, but the data "
            f"contain only one class: {binarizer.classes_.tolist()[0]!r}."
        )
    return binarizer


def check_known_labels(y, binarizer, warm_start):
    """Refuse labels outside the fitted classes (a warm-start fit must see the same set)."""
    classes = binarizer.classes_
    if binarizer.y_type_ == "multilabel-indicator":
        if type_of_target(y) != "multilabel-indicator" or y.shape[1] != len(classes):
            raise ValueError(
                f"The model was fitted on multilabel targets with {len(classes)} "
                "labels; y must be an indicator matrix of that width."
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
            f"y contains labels not seen before: {unseen.tolist()!r}; known classes are "
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


def class_weighted(est, Y, sample_weight, dtype, running_totals=None):
    """sample_weight × the estimator's class_weight, and the class totals 'balanced' used.

    'balanced' weighs the classes of the rows given (plus ``running_totals``,
    those of earlier ``partial_fit`` calls). Overflow is left to the caller.
    """
    class_weight = est.class_weight
    multilabel = est._label_binarizer.y_type_ == "multilabel-indicator"
    totals = running_totals
    if class_weight is None:
        return sample_weight, totals
    if class_weight == "balanced":
        totals = class_totals(Y, sample_weight, multilabel)
        if running_totals is not None:
            totals = running_totals + totals
        with np.errstate(over="ignore"):
            per_sample = balanced_weight_per_sample(Y, totals, multilabel, dtype)
    elif multilabel:
        raise ValueError(
            "class_weight for multilabel targets must be 'balanced' (each label "
            "balanced on its own) or None; for other weightings pass sample_weight."
        )
    else:
        per_sample = dict_weight_per_sample(class_weight, est.classes_, Y, dtype)
    with np.errstate(over="ignore"):
        return (per_sample if sample_weight is None else sample_weight * per_sample), totals


def combined_weights(est, X, Y, sample_weight, incremental):
    """sample_weight × the estimator's class_weight per sample (None means all ones).

    For ``partial_fit`` (``incremental``), 'balanced' adds this call's class
    totals to those of the earlier calls (kept in ``est._class_totals_seen``),
    so that one call on all the data weighs as ``fit`` does.
    """
    class_weight = est.class_weight
    multilabel = est._label_binarizer.y_type_ == "multilabel-indicator"
    running_totals = getattr(est, "_class_totals_seen", None) if incremental else None
    if sample_weight is not None:
        if not sample_weight.any():
            raise ValueError(
                "sample_weight is zero for every sample, so there is nothing to learn "
                "from; give at least one sample a positive weight."
            )
    sample_weight, totals = class_weighted(est, Y, sample_weight, X.dtype, running_totals)
    if sample_weight is not None and not np.isfinite(sample_weight).all():
        raise ValueError(
            f"sample_weight × class_weight overflows {X.dtype} for some samples "
            f"(class_weight={class_weight!r}); with 'balanced', a class whose total "
            "sample_weight is tiny gets a huge weight. Rescale sample_weight (for "
            "example, divide it by its mean) or the class weights."
        )
    if sample_weight is not None and not incremental and not multilabel:
        kept = Y[sample_weight > 0]  # binary: one 0/1 column; multiclass: one-hot columns
        n_left = np.unique(kept).size if Y.shape[1] == 1 else int(kept.any(axis=0).sum())
        if n_left < 2:
            raise ValueError(
                "Only one class has a positive sample_weight, so there is no second "
                "class to separate it from; give samples of at least 2 classes a "
                "positive weight."
            )
    if incremental:
        est._class_totals_seen = totals
    return sample_weight
