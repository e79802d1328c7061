"""L-BFGS: scipy's L-BFGS-B on the full-batch loss of the flat parameter vector."""

import numpy as np
import scipy.optimize


def fit_lbfgs(objective, max_iter, max_fun, tol, on_iteration):
    """Minimise ``objective``'s full-batch loss; updates ``objective.theta`` in place.

    ``objective()`` returns the loss and writes its gradient to
    ``objective.grad`` (``_network.Objective``, or ``_dask.BlockSums``);
    ``max_iter``, ``max_fun`` and ``tol`` are L-BFGS-B's ``maxiter``, ``maxfun``
    and ``gtol``. ``on_iteration(loss)`` is called after each accepted iterate
    and stops the optimisation by returning True. Returns scipy's
    ``OptimizeResult``.
    """
    theta = objective.theta
    last = {}

    def loss_and_gradient(flat):
        theta[...] = flat  # float64 from scipy, cast to the network's dtype
        # A diverging loss is reported by the caller; no warnings on the way.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            last["loss"] = objective()
        return last["loss"], objective.grad.astype(np.float64)  # a copy scipy may keep

    def callback(flat):
        # L-BFGS-B's line search ends on the accepted point, so the last
        # evaluated loss is that iterate's loss.
        last["nit"] = last.get("nit", 0) + 1
        if on_iteration(last["loss"]):
            last["x"] = flat.copy()
            raise StopIteration

    try:
        result = scipy.optimize.minimize(
            loss_and_gradient,
            theta.astype(np.float64, copy=False),  # minimize copies x0 itself
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
        )
    except StopIteration:  # scipy < 1.11 lets a callback's StopIteration through
        result = scipy.optimize.OptimizeResult(
            x=last["x"], fun=last["loss"], nit=last["nit"], status=99, success=False
        )
    theta[...] = result.x
    return result
