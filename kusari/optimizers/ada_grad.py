"""AdaGrad (Duchi et al.)."""
from __future__ import annotations

from .. import functions as F
from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule
from ._base import defaults, override, zeros_like

_default_hyperparam = defaults(lr=0.001, eps=1e-8)


class AdaGradRule(UpdateRule):
    """h += grad**2; W -= lr * grad / (sqrt(h) + eps)."""

    is_elementwise = True

    def __init__(self, parent_hyperparam=None, lr=None, eps=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self, lr=lr, eps=eps)

    def init_state(self, param):
        self.state["h"] = zeros_like(param)

    def step(self, hp, p, g, state):
        h = state["h"] + g * g
        return p - hp.lr * g / (F.sqrt(h) + hp.eps), {"h": h}


class AdaGrad(GradientMethod):
    """AdaGrad (learning rate `lr`, `eps` in the denominator)."""

    lr = HyperparameterProxy("lr")
    eps = HyperparameterProxy("eps")

    def __init__(self, lr=_default_hyperparam.lr, eps=_default_hyperparam.eps):
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.eps = eps

    def create_update_rule(self) -> AdaGradRule:
        return AdaGradRule(self.hyperparam)
