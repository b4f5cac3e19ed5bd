"""SMORMS3 (Simon Funk)."""
from __future__ import annotations

from .. import functions as F
from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule
from ._base import defaults, full, ones_like, override, zeros_like

_default_hyperparam = defaults(lr=0.001, eps=1e-16)


class SMORMS3Rule(UpdateRule):
    """r = 1 / (mem + 1); g, g2: running means of grad, grad**2 with rate r;
    x = g**2 / (g2 + eps); W -= grad min(x, lr) / (sqrt(g2) + eps);
    mem = 1 + mem (1 - x)."""

    is_elementwise = True

    def __init__(self, parent_hyperparam=None, lr=None, eps=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self, lr=lr, eps=eps)

    def init_state(self, param):
        self.state["mem"] = ones_like(param)
        self.state["g"] = zeros_like(param)
        self.state["g2"] = zeros_like(param)

    def step(self, hp, p, grad, state):
        mem = state["mem"]
        r = 1 / (mem + 1)
        g = (1 - r) * state["g"] + r * grad
        g2 = (1 - r) * state["g2"] + r * grad * grad
        x = g * g / (g2 + hp.eps)
        p = p - grad * F.minimum(x, full(hp.lr, x)) / (F.sqrt(g2) + hp.eps)
        return p, {"mem": 1 + mem * (1 - x), "g": g, "g2": g2}


class SMORMS3(GradientMethod):
    """SMORMS3 (learning rate `lr`, `eps`)."""

    lr = HyperparameterProxy("lr")
    eps = HyperparameterProxy("eps")

    def __init__(self, lr=_default_hyperparam.lr, eps=_default_hyperparam.eps):
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.eps = eps

    def create_update_rule(self) -> SMORMS3Rule:
        return SMORMS3Rule(self.hyperparam)
