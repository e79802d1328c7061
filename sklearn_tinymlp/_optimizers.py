"""Update rules: each optimizer only knows ``update_params(params, grads)``.

``params`` and ``grads`` are flat lists of arrays (all weight matrices, then all
bias vectors); parameters are updated in place so the network's arrays stay
the same objects throughout training.
"""

import numpy as np


def _zeros_like_flat(params):
    """Zero arrays shaped like ``params``: views, in order, of one flat vector."""
    flat = np.zeros(sum(p.size for p in params), dtype=params[0].dtype)
    views, start = [], 0
    for p in params:
        views.append(flat[start : start + p.size].reshape(p.shape))
        start += p.size
    return views


class _FlatStateMixin:
    """Lets a fast training loop hold the optimizer's state as one flat vector.

    ``flatten_state(layout)`` replaces each per-parameter state list by a
    one-element list holding the concatenated state, so that
    ``update_params((theta,), (grad,))`` steps the whole network at once (the
    rules are elementwise, so the numbers are the same);
    ``unflatten_state(layout)`` restores per-parameter arrays (views of that
    vector). ``layout`` is a ``_fast.FlatLayout``. State created by
    :func:`_zeros_like_flat` is already such views, and is used without a copy.
    """

    _state_names = ()

    def flatten_state(self, layout):
        for name in self._state_names:
            arrays = getattr(self, name)
            if arrays is not None:
                base = layout.base_of(arrays)
                setattr(self, name, [base if base is not None else layout.pack(arrays)])

    def unflatten_state(self, layout):
        for name in self._state_names:
            arrays = getattr(self, name)
            if arrays is not None:
                coefs, intercepts = layout.views(arrays[0])
                setattr(self, name, coefs + intercepts)


class SGDOptimizer(_FlatStateMixin):
    """Gradient descent, optionally with (Nesterov) momentum.

    With ``momentum=0`` one step is the derivation's rule ``w ← w − η ∂L/∂w``.
    With momentum μ: ``v ← μv − η g`` and ``w ← w + v``; with Nesterov's
    variant ``w ← w + μv − η g`` (the look-ahead form used by scikit-learn).

    Parameters
    ----------
    params : list of ndarray
        The parameters, to size the velocities.
    learning_rate_init : float
        η at the start.
    lr_schedule : {'constant', 'invscaling', 'adaptive'}
        'invscaling' sets η = η₀ / (t + 1)^power_t after each epoch, t being
        the number of samples seen; 'adaptive' divides η by 5 each time
        training stops improving, and stops once η < 1e-6.
    momentum : float
    nesterov : bool
    power_t : float

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> SGDOptimizer([w], 0.1, "constant", momentum=0.0).update_params([w], [np.array([2.0])])
    >>> w
    array([0.8])
    """

    _state_names = ("velocities",)

    def __init__(
        self,
        params,
        learning_rate_init,
        lr_schedule="constant",
        momentum=0.9,
        nesterov=True,
        power_t=0.5,
    ):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocities = _zeros_like_flat(params) if momentum else None

    def update_params(self, params, grads, scratch=None):
        """Apply one step to ``params`` in place.

        ``grads`` are overwritten. ``scratch``, optional, is a list of arrays
        shaped like ``params`` that the step may use instead of allocating.
        """
        lr = self.learning_rate
        if not self.momentum:
            for p, g in zip(params, grads):
                g *= lr
                p -= g
            return
        mu = self.momentum
        scratch = scratch or [None] * len(params)
        for p, g, v, tmp in zip(params, grads, self.velocities, scratch):
            v *= mu
            g *= lr
            v -= g  # v ← μv − ηg
            if self.nesterov:
                p += np.multiply(mu, v, out=tmp)
                p -= g  # w ← w + μv − ηg
            else:
                p += v

    def iteration_ends(self, time_step):
        """Update η at the end of an epoch (invscaling only)."""
        if self.lr_schedule == "invscaling":
            self.learning_rate = float(self.learning_rate_init) / (time_step + 1) ** self.power_t

    def trigger_stopping(self, msg, verbose):
        """Called when training stops improving; return True to stop."""
        if self.lr_schedule != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + f" Setting learning rate to {self.learning_rate:f}")
        return False


class AdamOptimizer(_FlatStateMixin):
    """Adam (Kingma & Ba, 2014) with bias correction folded into the step size.

    ``m ← β₁m + (1 − β₁)g``, ``v ← β₂v + (1 − β₂)g²``,
    ``w ← w − η √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε)``.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> AdamOptimizer([w], 0.1).update_params([w], [np.array([2.0])])
    >>> w.round(6)  # the first Adam step moves each weight by about η
    array([0.9])
    """

    _state_names = ("ms", "vs")

    def __init__(self, params, learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate_init = learning_rate_init
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.ms = _zeros_like_flat(params)
        self.vs = _zeros_like_flat(params)

    @property
    def learning_rate(self):
        """The bias-corrected step size of the next update."""
        t = self.t + 1
        return self.learning_rate_init * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)

    def update_params(self, params, grads, scratch=None):
        """Apply one step to ``params`` in place.

        ``grads`` are overwritten. ``scratch``, optional, is a list of arrays
        shaped like ``params`` that the step may use instead of allocating.
        """
        lr = self.learning_rate
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        scratch = scratch or [None] * len(params)
        for p, g, m, v, tmp in zip(params, grads, self.ms, self.vs, scratch):
            m *= b1
            m += np.multiply(1 - b1, g, out=tmp)
            v *= b2
            g *= g
            g *= 1 - b2
            v += g
            step = np.sqrt(v, out=g)  # g is free now: reuse it as scratch
            step += self.epsilon
            np.divide(m, step, out=step)
            step *= lr
            p -= step

    def iteration_ends(self, time_step):
        """Adam's step size needs no per-epoch schedule."""

    def trigger_stopping(self, msg, verbose):
        """Called when training stops improving: Adam stops."""
        if verbose:
            print(msg + " Stopping.")
        return True
