"""MSVAG: M-SVAG (Balles & Hennig), variance-adapted momentum SGD."""
from __future__ import annotations

from .. import functions as F
from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule
from ._base import defaults, full, override, zeros_like

_default_hyperparam = defaults(lr=0.1, beta=0.9, eta=1.0, weight_decay_rate=0)


class MSVAGRule(UpdateRule):
    """m, v: running means of grad and grad**2 (rate 1 - beta), bias
    corrected with beta_power = beta**t; the step lr m_t is damped by the
    estimated signal-to-variance factor; weight decay as in AdamW."""

    is_elementwise = True
    scalar_state = ("beta_power",)

    def __init__(self, parent_hyperparam=None, lr=None, beta=None, eta=None,
                 weight_decay_rate=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self, lr=lr, beta=beta, eta=eta, weight_decay_rate=weight_decay_rate)
        self.beta_power = self.hyperparam.beta

    def init_state(self, param):
        self.state["m"] = zeros_like(param)
        self.state["v"] = zeros_like(param)

    def serialize(self, serializer):
        """As every rule (t and the state); on loading, beta_power is made
        again from t, as the updates made it (Chainer's files do not hold
        it, and Chainer itself restarts it at beta)."""
        super().serialize(serializer)
        from ..serializer import Deserializer
        if isinstance(serializer, Deserializer):
            power = self.hyperparam.beta
            for _ in range(int(self.t)):
                power *= self.hyperparam.beta
            self.beta_power = power

    def step(self, hp, p, g, state):
        beta, power = hp.beta, hp.beta_power
        rho = ((1.0 - beta) ** 2) * (1.0 - power ** 2) / \
            (((1.0 - power) ** 2) * (1.0 - beta ** 2))
        # (numbers: Python's min, as Chainer; traced: the same on the weak input)
        rho = min(rho, 0.9999) if isinstance(rho, float) else F.minimum(rho, full(0.9999, rho))
        m = state["m"] + (1 - beta) * (g - state["m"])
        v = state["v"] + (1 - beta) * (g * g - state["v"])
        mt = m / (1 - power)
        vt = v / (1 - power)
        mt2 = mt * mt
        s = (vt - mt2) / (1 - rho)
        factor = mt2 / (mt2 + rho * s)
        zero, one = full(0, factor), full(1, factor)
        factor = F.minimum(F.maximum(factor, zero), one)
        factor = F.where(F.not_equal(factor, factor), zero, factor)      # NaN -> 0
        p = p - hp.eta * (hp.lr * mt * factor + hp.weight_decay_rate * p)
        return p, {"m": m, "v": v, "beta_power": power * beta}


class MSVAG(GradientMethod):
    """M-SVAG (lr, beta, eta, weight_decay_rate)."""

    lr = HyperparameterProxy("lr")
    beta = HyperparameterProxy("beta")
    eta = HyperparameterProxy("eta")
    weight_decay_rate = HyperparameterProxy("weight_decay_rate")

    def __init__(self, lr=_default_hyperparam.lr, beta=_default_hyperparam.beta,
                 eta=_default_hyperparam.eta,
                 weight_decay_rate=_default_hyperparam.weight_decay_rate):
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.beta = beta
        self.hyperparam.eta = eta
        self.hyperparam.weight_decay_rate = weight_decay_rate

    def create_update_rule(self) -> MSVAGRule:
        return MSVAGRule(self.hyperparam)
