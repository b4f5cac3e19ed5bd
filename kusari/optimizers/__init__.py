"""kusari.optimizers: gradient methods (Chainer's names and hyperparameters).

Updates are in place on the parameter arrays, in the parameter's dtype.
"""
from __future__ import annotations

import numpy as np

from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule


class SGDRule(UpdateRule):
    def step(self, p, g, state, t, m):
        return p - self.hyperparam.lr * g, {}

    def step_in_place(self, p, g, state, t) -> None:
        g = g * p.dtype.type(self.hyperparam.lr)
        np.subtract(p, g, out=p, casting="same_kind")


class SGD(GradientMethod):
    """Plain stochastic gradient descent: W -= lr * grad."""

    lr = HyperparameterProxy("lr")

    def __init__(self, lr: float = 0.01):
        super().__init__()
        self.hyperparam.lr = lr

    def create_update_rule(self) -> UpdateRule:
        return SGDRule(self.hyperparam)


class MomentumSGDRule(UpdateRule):
    def init_state(self, param) -> None:
        self.state["v"] = np.zeros_like(param.array)

    def step(self, p, g, state, t, m):
        hp = self.hyperparam
        v = hp.momentum * state["v"] - hp.lr * g
        return p + v, {"v": v}

    def step_in_place(self, p, g, state, t) -> None:
        hp = self.hyperparam
        v = state["v"]
        v *= v.dtype.type(hp.momentum)
        v -= g * v.dtype.type(hp.lr)
        np.add(p, v, out=p, casting="same_kind")


class MomentumSGD(GradientMethod):
    """SGD with momentum: v = momentum * v - lr * grad; W += v."""

    lr = HyperparameterProxy("lr")
    momentum = HyperparameterProxy("momentum")

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.momentum = momentum

    def create_update_rule(self) -> UpdateRule:
        return MomentumSGDRule(self.hyperparam)


class AdamRule(UpdateRule):
    def init_state(self, param) -> None:
        self.state["m"] = np.zeros_like(param.array)
        self.state["v"] = np.zeros_like(param.array)
        if self.hyperparam.amsgrad:
            self.state["vhat"] = np.zeros_like(param.array)

    def alpha_at(self, t, m):
        hp = self.hyperparam
        return hp.alpha * m.sqrt(1.0 - hp.beta2 ** t) / (1.0 - hp.beta1 ** t)

    @property
    def alpha_t(self) -> float:
        return float(self.alpha_at(self.t, np))

    lr = alpha_t

    def step(self, p, g, state, t, m):
        hp = self.hyperparam
        mom = state["m"] + (1 - hp.beta1) * (g - state["m"])
        vel = state["v"] + (1 - hp.beta2) * (g * g - state["v"])
        new = {"m": mom, "v": vel}
        vhat = vel
        if hp.amsgrad:
            vhat = new["vhat"] = m.maximum(state["vhat"], vel)
        alpha_t = m.cast(self.alpha_at(t, m), p.dtype)
        update = alpha_t * mom / (m.sqrt(vhat) + hp.eps)
        if hp.weight_decay_rate:
            update = update + hp.weight_decay_rate * p
        return p - hp.eta * update, new


class Adam(GradientMethod):
    """Adam (Kingma & Ba), with Chainer's hyperparameter names."""

    alpha = HyperparameterProxy("alpha")
    beta1 = HyperparameterProxy("beta1")
    beta2 = HyperparameterProxy("beta2")
    eps = HyperparameterProxy("eps")
    eta = HyperparameterProxy("eta")
    weight_decay_rate = HyperparameterProxy("weight_decay_rate")
    amsgrad = HyperparameterProxy("amsgrad")

    def __init__(self, alpha=0.001, beta1=0.9, beta2=0.999, eps=1e-8, eta=1.0,
                 weight_decay_rate=0, amsgrad=False):
        super().__init__()
        hp = self.hyperparam
        hp.alpha, hp.beta1, hp.beta2, hp.eps = alpha, beta1, beta2, eps
        hp.eta, hp.weight_decay_rate, hp.amsgrad = eta, weight_decay_rate, amsgrad

    def create_update_rule(self) -> UpdateRule:
        return AdamRule(self.hyperparam)


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotImplementedError(f"kusari.optimizers.{name} is not implemented yet")
