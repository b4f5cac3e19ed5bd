"""RMSpropGraves: Graves' RMSprop with momentum."""
from __future__ import annotations

from .. import functions as F
from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule
from ._base import defaults, override, zeros_like

_default_hyperparam = defaults(lr=1e-4, alpha=0.95, momentum=0.9, eps=1e-4)


class RMSpropGravesRule(UpdateRule):
    """n = alpha n + (1 - alpha) grad**2; g = alpha g + (1 - alpha) grad;
    delta = momentum delta - lr grad / sqrt(n - g**2 + eps); W += delta."""

    is_elementwise = True

    def __init__(self, parent_hyperparam=None, lr=None, alpha=None, momentum=None,
                 eps=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self, lr=lr, alpha=alpha, momentum=momentum, eps=eps)

    def init_state(self, param):
        for k in ("n", "g", "delta"):
            self.state[k] = zeros_like(param)

    def step(self, hp, p, grad, state):
        n = state["n"] * hp.alpha + (1 - hp.alpha) * grad * grad
        g = state["g"] * hp.alpha + (1 - hp.alpha) * grad
        delta = state["delta"] * hp.momentum - hp.lr * grad / F.sqrt(n - g * g + hp.eps)
        return p + delta, {"n": n, "g": g, "delta": delta}


class RMSpropGraves(GradientMethod):
    """Graves' RMSprop (lr, alpha, momentum, eps)."""

    lr = HyperparameterProxy("lr")
    alpha = HyperparameterProxy("alpha")
    momentum = HyperparameterProxy("momentum")
    eps = HyperparameterProxy("eps")

    def __init__(self, lr=_default_hyperparam.lr, alpha=_default_hyperparam.alpha,
                 momentum=_default_hyperparam.momentum, eps=_default_hyperparam.eps):
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.alpha = alpha
        self.hyperparam.momentum = momentum
        self.hyperparam.eps = eps

    def create_update_rule(self) -> RMSpropGravesRule:
        return RMSpropGravesRule(self.hyperparam)
