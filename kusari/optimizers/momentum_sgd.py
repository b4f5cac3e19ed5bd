"""MomentumSGD: SGD with (heavy-ball) momentum."""
from __future__ import annotations

from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule
from ._base import defaults, override, zeros_like

_default_hyperparam = defaults(lr=0.01, momentum=0.9)


class MomentumSGDRule(UpdateRule):
    """v = momentum * v - lr * grad; W += v."""

    is_elementwise = True

    def __init__(self, parent_hyperparam=None, lr=None, momentum=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self, lr=lr, momentum=momentum)

    def init_state(self, param):
        self.state["v"] = zeros_like(param)

    def step(self, hp, p, g, state):
        v = state["v"] * hp.momentum - hp.lr * g
        return p + v, {"v": v}


class MomentumSGD(GradientMethod):
    """Momentum SGD (learning rate `lr`, momentum `momentum`)."""

    lr = HyperparameterProxy("lr")
    momentum = HyperparameterProxy("momentum")

    def __init__(self, lr=_default_hyperparam.lr, momentum=_default_hyperparam.momentum):
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.momentum = momentum

    def create_update_rule(self) -> MomentumSGDRule:
        return MomentumSGDRule(self.hyperparam)
