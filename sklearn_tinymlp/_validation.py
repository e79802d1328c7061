"""Sample weights from class weights, and the early-stopping validation split."""

import numpy as np


def _labels(Y):
    """Class index per row of the 0/1 target matrix (one column: binary)."""
    return Y[:, 0].astype(np.intp) if Y.shape[1] == 1 else Y.argmax(axis=1)


def class_weight_per_sample(class_weight, classes, Y, sample_weight, dtype):
    """Each sample's class weight, from a {label: weight} dict or 'balanced'.

    'balanced' gives class c the weight S / (n_classes · S_c), where S_c is the
    total sample weight of class c (its count when unweighted), so that every
    class carries the same total weight and the overall total stays S.
    """
    labels = _labels(Y)
    if class_weight == "balanced":
        sw = np.ones(len(labels)) if sample_weight is None else sample_weight
        class_totals = np.bincount(labels, weights=sw, minlength=len(classes))
        present = class_totals > 0
        weights = np.zeros(len(classes))
        weights[present] = sw.sum() / (present.sum() * class_totals[present])
    else:
        unknown = [label for label in class_weight if label not in set(classes.tolist())]
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
    return weights[labels].astype(dtype)


def validation_split(Y, sample_weight, rows, fraction, random_state, stratify=True):
    """Split the usable rows into training and validation rows.

    ``ceil(fraction · n)`` rows are held out, shared among the classes in
    proportion to their size (largest remainders first), with every class
    keeping at least one training row. Multilabel targets are split without
    stratification.

    Returns
    -------
    train_rows, val_rows : ndarray of int
        Indices into X.
    """
    candidates = np.arange(Y.shape[0]) if rows is None else rows
    n = candidates.size
    n_val = int(np.ceil(fraction * n))
    if n < 2 or n_val >= n:
        raise ValueError(
            f"early_stopping=True with validation_fraction={fraction} cannot hold out a "
            f"validation set from {n} usable samples and keep samples to train on; "
            "use more data, a smaller validation_fraction, or early_stopping=False."
        )
    shuffled = candidates[random_state.permutation(n)]
    if not stratify:
        return np.sort(shuffled[n_val:]), np.sort(shuffled[:n_val])
    labels = _labels(Y)[shuffled]
    counts = np.bincount(labels)
    share = n_val * counts / n
    per_class = np.floor(share).astype(int)
    remainder_order = np.argsort(-(share - per_class), kind="stable")
    per_class[remainder_order[: n_val - per_class.sum()]] += 1
    per_class = np.minimum(per_class, np.maximum(counts - 1, 0))
    val_mask = np.zeros(n, dtype=bool)
    for c in np.flatnonzero(per_class):
        val_mask[np.flatnonzero(labels == c)[: per_class[c]]] = True
    if not val_mask.any():
        raise ValueError(
            "early_stopping=True: every class is too small to give up a validation "
            "sample; use more data or early_stopping=False."
        )
    return np.sort(shuffled[~val_mask]), np.sort(shuffled[val_mask])
