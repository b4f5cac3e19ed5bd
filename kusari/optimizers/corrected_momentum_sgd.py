"""CorrectedMomentumSGD: momentum SGD with the learning rate outside the
velocity (Goyal et al.), so changing lr does not rescale past steps."""
from __future__ import annotations

from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule
from ._base import defaults, override, zeros_like

_default_hyperparam = defaults(lr=0.01, momentum=0.9)


class CorrectedMomentumSGDRule(UpdateRule):
    """v = momentum * v - grad; W += lr * v."""

    is_elementwise = True

    def __init__(self, parent_hyperparam=None, lr=None, momentum=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self, lr=lr, momentum=momentum)

    def init_state(self, param):
        self.state["v"] = zeros_like(param)

    def step(self, hp, p, g, state):
        v = state["v"] * hp.momentum - g
        return p + hp.lr * v, {"v": v}


class CorrectedMomentumSGD(GradientMethod):
    """Corrected momentum SGD (learning rate `lr`, `momentum`)."""

    lr = HyperparameterProxy("lr")
    momentum = HyperparameterProxy("momentum")

    def __init__(self, lr=_default_hyperparam.lr, momentum=_default_hyperparam.momentum):
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.momentum = momentum

    def create_update_rule(self) -> CorrectedMomentumSGDRule:
        return CorrectedMomentumSGDRule(self.hyperparam)
