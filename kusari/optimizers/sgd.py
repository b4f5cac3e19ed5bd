"""SGD: plain stochastic gradient descent."""
from __future__ import annotations

from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule
from ._base import defaults, override

_default_hyperparam = defaults(lr=0.01)


class SGDRule(UpdateRule):
    """W -= lr * grad."""

    is_elementwise = True

    def __init__(self, parent_hyperparam=None, lr=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self, lr=lr)

    def step(self, hp, p, g, state):
        return p - hp.lr * g, {}


class SGD(GradientMethod):
    """Stochastic gradient descent with learning rate `lr`."""

    lr = HyperparameterProxy("lr")

    def __init__(self, lr=_default_hyperparam.lr):
        super().__init__()
        self.hyperparam.lr = lr

    def create_update_rule(self) -> SGDRule:
        return SGDRule(self.hyperparam)
