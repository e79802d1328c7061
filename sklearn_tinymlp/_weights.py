"""Weights: each row's sample_weight × class_weight, and the checks that something is left to learn.

Each function takes the rows' 0/1 targets Y (``_targets``) and returns arrays or
sums; the sums of blocks of rows add up, so that Dask input is weighed block by
block (``_dask.BlockRows``) as in-memory input is at once.
"""

import numpy as np

from ._targets import class_indices


def class_totals(Y, sample_weight, multilabel):
    """Total sample weight of each class (multilabel: of each label's 0 and 1)."""
    sw = np.ones(Y.shape[0]) if sample_weight is None else sample_weight.astype(float)
    if multilabel:
        positive = sw @ Y
        return np.stack([sw.sum() - positive, positive], axis=1)
    n_classes = 2 if Y.shape[1] == 1 else Y.shape[1]
    return np.bincount(class_indices(Y), weights=sw, minlength=n_classes)


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
    return weights[class_indices(Y)].astype(dtype)


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
    return weights[class_indices(Y)].astype(dtype)


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
