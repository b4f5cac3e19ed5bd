"""RMSprop (Tieleman & Hinton)."""
from __future__ import annotations

from .. import functions as F
from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule
from ._base import defaults, full, override, zeros_like

_default_hyperparam = defaults(lr=0.01, alpha=0.99, eps=1e-8, eps_inside_sqrt=False)


def check_eps(hp, dtype, name: str) -> None:
    """eps must not vanish in the dtype the update computes in."""
    eps = dtype.type(hp.eps)
    if hp.eps != 0 and eps == 0:
        raise ValueError(f"eps of {name} optimizer is too small for {dtype.name} "
                         f"({hp.eps})")


class RMSpropRule(UpdateRule):
    """ms = alpha ms + (1 - alpha) grad**2; W -= lr grad / (sqrt(ms) + eps)
    (or sqrt(ms + eps) with eps_inside_sqrt)."""

    is_elementwise = True

    def __init__(self, parent_hyperparam=None, lr=None, alpha=None, eps=None,
                 eps_inside_sqrt=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self, lr=lr, alpha=alpha, eps=eps, eps_inside_sqrt=eps_inside_sqrt)

    def init_state(self, param):
        self.state["ms"] = zeros_like(param)

    def check(self, param):
        check_eps(self.hyperparam, param.grad.dtype, "RMSprop")

    def step(self, hp, p, g, state):
        ms = state["ms"] * hp.alpha + (1 - hp.alpha) * g * g
        eps = full(hp.eps, g)
        denom = F.sqrt(ms + eps) if hp.eps_inside_sqrt else F.sqrt(ms) + eps
        return p - hp.lr * g / denom, {"ms": ms}


class RMSprop(GradientMethod):
    """RMSprop (learning rate `lr`, decay `alpha`, `eps`, `eps_inside_sqrt`)."""

    lr = HyperparameterProxy("lr")
    alpha = HyperparameterProxy("alpha")
    eps = HyperparameterProxy("eps")
    eps_inside_sqrt = HyperparameterProxy("eps_inside_sqrt")

    def __init__(self, lr=_default_hyperparam.lr, alpha=_default_hyperparam.alpha,
                 eps=_default_hyperparam.eps,
                 eps_inside_sqrt=_default_hyperparam.eps_inside_sqrt):
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.alpha = alpha
        self.hyperparam.eps = eps
        self.hyperparam.eps_inside_sqrt = eps_inside_sqrt

    def create_update_rule(self) -> RMSpropRule:
        return RMSpropRule(self.hyperparam)
