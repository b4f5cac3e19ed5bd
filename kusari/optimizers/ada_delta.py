"""AdaDelta (Zeiler)."""
from __future__ import annotations

from .. import functions as F
from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule
from ._base import defaults, override, zeros_like

_default_hyperparam = defaults(rho=0.95, eps=1e-6)


class AdaDeltaRule(UpdateRule):
    """msg = rho msg + (1 - rho) grad**2;
    dx = sqrt((msdx + eps) / (msg + eps)) grad;
    msdx = rho msdx + (1 - rho) dx**2; W -= dx."""

    is_elementwise = True

    def __init__(self, parent_hyperparam=None, rho=None, eps=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self, rho=rho, eps=eps)

    def init_state(self, param):
        self.state["msg"] = zeros_like(param)
        self.state["msdx"] = zeros_like(param)

    def step(self, hp, p, g, state):
        rho, eps = hp.rho, hp.eps
        msg = state["msg"] * rho + (1 - rho) * g * g
        dx = F.sqrt((state["msdx"] + eps) / (msg + eps)) * g
        msdx = state["msdx"] * rho + (1 - rho) * dx * dx
        return p - dx, {"msg": msg, "msdx": msdx}


class AdaDelta(GradientMethod):
    """AdaDelta (decay `rho`, `eps`)."""

    rho = HyperparameterProxy("rho")
    eps = HyperparameterProxy("eps")

    def __init__(self, rho=_default_hyperparam.rho, eps=_default_hyperparam.eps):
        super().__init__()
        self.hyperparam.rho = rho
        self.hyperparam.eps = eps

    def create_update_rule(self) -> AdaDeltaRule:
        return AdaDeltaRule(self.hyperparam)
