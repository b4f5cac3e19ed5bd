"""NesterovAG: Nesterov's accelerated gradient."""
from __future__ import annotations

from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule
from ._base import defaults, override, zeros_like

_default_hyperparam = defaults(lr=0.01, momentum=0.9)


class NesterovAGRule(UpdateRule):
    """v = momentum * v - lr * grad;
    W += momentum**2 * v - (1 + momentum) * lr * grad."""

    is_elementwise = True

    def __init__(self, parent_hyperparam=None, lr=None, momentum=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self, lr=lr, momentum=momentum)

    def init_state(self, param):
        self.state["v"] = zeros_like(param)

    def step(self, hp, p, g, state):
        v = state["v"] * hp.momentum - hp.lr * g
        p = p + hp.momentum * hp.momentum * v
        return p - (1 + hp.momentum) * hp.lr * g, {"v": v}


class NesterovAG(GradientMethod):
    """Nesterov's accelerated gradient (learning rate `lr`, `momentum`)."""

    lr = HyperparameterProxy("lr")
    momentum = HyperparameterProxy("momentum")

    def __init__(self, lr=_default_hyperparam.lr, momentum=_default_hyperparam.momentum):
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.momentum = momentum

    def create_update_rule(self) -> NesterovAGRule:
        return NesterovAGRule(self.hyperparam)
