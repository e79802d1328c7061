"""L-BFGS: the network's parameters as one flat vector for scipy.optimize."""

import contextlib

import numpy as np
import scipy.optimize

from ._fast import FullBatchObjective
from ._network import loss_and_gradients


def pack(coefs, intercepts):
    """Concatenate all weights, then all biases, into one 1-D array."""
    return np.concatenate([a.ravel() for a in [*coefs, *intercepts]])


def unpack(theta, coefs, intercepts):
    """Copy the flat vector ``theta`` back into the parameter arrays, in place."""
    start = 0
    for a in [*coefs, *intercepts]:
        a.ravel()[:] = theta[start : start + a.size]
        start += a.size


def fit_lbfgs(
    X,
    y,
    coefs,
    intercepts,
    activation,
    out_activation,
    alpha,
    sample_weight,
    max_iter,
    max_fun,
    tol,
    verbose,
):
    """Minimise the full-batch loss with L-BFGS-B; updates the parameters in place.

    Returns
    -------
    result : scipy.optimize.OptimizeResult
    loss_curve : list of float
        The loss at each accepted iterate.
    """
    dtype = coefs[0].dtype
    loss_curve = []
    last = {}

    # Dense X: the same loss and gradient from preallocated buffers (tested equal).
    fast = None
    if isinstance(X, np.ndarray) and X.dtype == dtype:
        layer_units = [c.shape[0] for c in coefs] + [coefs[-1].shape[1]]
        fast = FullBatchObjective(
            X, y, sample_weight, layer_units, activation, out_activation, alpha, dtype
        )

    def objective(theta):
        if fast is not None:
            loss, grad = fast(theta)
            last["loss"] = loss
            return loss, grad
        unpack(theta, coefs, intercepts)
        loss, coef_grads, intercept_grads = loss_and_gradients(
            X, y, coefs, intercepts, activation, out_activation, alpha, sample_weight
        )
        grad = pack(coef_grads, intercept_grads).astype(np.float64, copy=False)
        last["loss"] = loss
        return loss, grad

    def callback(theta):
        # L-BFGS-B's line search ends on the accepted point, so the last
        # evaluated loss is that iterate's loss.
        loss_curve.append(last["loss"])
        if verbose:
            print(f"Iteration {len(loss_curve)}, loss = {last['loss']:.8f}")

    with fast if fast is not None else contextlib.nullcontext():
        result = scipy.optimize.minimize(
            objective,
            pack(coefs, intercepts).astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
        )
    unpack(result.x.astype(dtype, copy=False), coefs, intercepts)
    return result, loss_curve
