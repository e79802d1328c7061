"""Update rules, each written once: ``step(theta, grad)`` moves the flat parameter vector.

``theta`` holds every weight and bias of the network (see ``_network.Layout``),
so one step is a handful of elementwise NumPy calls whatever the network's
size. ``grad`` is overwritten by the step.
"""

import numpy as np


class BaseOptimizer:
    """What every update rule shares: when to stop, and the message that says so.

    A subclass writes its update, ``step(theta, grad)``, and any schedule of η:
    ``iteration_ends`` (after each epoch) and ``_no_improvement``.
    """

    def __init__(self, learning_rate_init):
        self.learning_rate_init = learning_rate_init

    def iteration_ends(self, time_step):
        """Called after each epoch (``time_step``: samples seen); no schedule by default."""

    def trigger_stopping(self, msg, verbose):
        """Called when training stops improving; return True to stop (said once when verbose)."""
        stop, action = self._no_improvement()
        if verbose:
            print(f"{msg} {action}")
        return stop

    def _no_improvement(self):
        """``(stop, what is done)``: by default, stop."""
        return True, "Stopping."


class SGDOptimizer(BaseOptimizer):
    """Gradient descent, optionally with (Nesterov) momentum.

    With ``momentum=0`` one step is the derivation's rule ``w ← w − η ∂L/∂w``.
    With momentum μ: ``v ← μv − η g`` and ``w ← w + v``; with Nesterov's
    variant ``w ← w + μv − η g`` (the look-ahead form used by scikit-learn).
    ``theta`` sizes the velocities; η starts at ``learning_rate_init`` and
    follows ``lr_schedule`` (see :meth:`iteration_ends` and ``_no_improvement``).

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> SGDOptimizer(w, 0.1, "constant", momentum=0.0).step(w, np.array([2.0]))
    >>> w
    array([0.8])
    """

    def __init__(
        self,
        theta,
        learning_rate_init,
        lr_schedule="constant",
        momentum=0.9,
        nesterov=True,
        power_t=0.5,
    ):
        super().__init__(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = np.zeros_like(theta) if momentum else None

    def step(self, theta, grad):
        """Apply one step to ``theta`` in place; ``grad`` is overwritten."""
        grad *= self.learning_rate  # η g
        if not self.momentum:
            theta -= grad  # w ← w − η g
            return
        v, mu = self.velocity, self.momentum
        v *= mu
        v -= grad  # v ← μv − η g
        if self.nesterov:
            theta -= grad
            theta += np.multiply(mu, v, out=grad)  # w ← w + μv − η g
        else:
            theta += v  # w ← w + v

    def iteration_ends(self, time_step):
        """'invscaling': η = η₀ / (t + 1)^power_t, t the number of samples seen."""
        if self.lr_schedule == "invscaling":
            self.learning_rate = float(self.learning_rate_init) / (time_step + 1) ** self.power_t

    def _no_improvement(self):
        """'adaptive': η ← η / 5, and stop once η ≤ 1e-6; the other schedules stop."""
        if self.lr_schedule != "adaptive":
            return True, "Stopping."
        if self.learning_rate <= 1e-6:
            return True, "Learning rate too small. Stopping."
        self.learning_rate /= 5.0
        return False, f"Setting learning rate to {self.learning_rate:f}"


class AdamOptimizer(BaseOptimizer):
    """Adam (Kingma & Ba, 2014) with bias correction folded into the step size.

    ``m ← β₁m + (1 − β₁)g``, ``v ← β₂v + (1 − β₂)g²``,
    ``w ← w − η √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε)``.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> AdamOptimizer(w, 0.1).step(w, np.array([2.0]))
    >>> w.round(6)  # the first Adam step moves each weight by about η
    array([0.9])
    """

    def __init__(self, theta, learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(learning_rate_init)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = np.zeros_like(theta)
        self.v = np.zeros_like(theta)

    @property
    def learning_rate(self):
        """The bias-corrected step size of the next update."""
        t = self.t + 1
        return self.learning_rate_init * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)

    def step(self, theta, grad):
        """Apply one step to ``theta`` in place; ``grad`` is overwritten."""
        lr = self.learning_rate
        self.t += 1
        m, v = self.m, self.v
        m *= self.beta_1
        v *= self.beta_2
        v += (1 - self.beta_2) * np.square(grad)  # v ← β₂v + (1 − β₂)g²
        grad *= 1 - self.beta_1
        m += grad  # m ← β₁m + (1 − β₁)g
        step = np.sqrt(v, out=grad)  # grad is spent: reuse it for the step
        step += self.epsilon
        np.divide(m, step, out=step)
        step *= lr
        theta -= step  # w ← w − η̂ m / (√v + ε)
