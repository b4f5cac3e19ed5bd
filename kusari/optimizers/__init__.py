"""kusari.optimizers: gradient methods (Chainer's names and hyperparameters).

Updates are in place on the parameter arrays, in the parameter's dtype.
"""
from __future__ import annotations

import math

import numpy as np

from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule


class SGDRule(UpdateRule):
    def update_core(self, param) -> None:
        param.array -= param.array.dtype.type(self.hyperparam.lr) * param.grad


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

    def update_core(self, param) -> None:
        dt = param.array.dtype.type
        v = self.state["v"]
        v *= dt(self.hyperparam.momentum)
        v -= dt(self.hyperparam.lr) * param.grad
        param.array += v


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

    @property
    def alpha_t(self) -> float:
        hp = self.hyperparam
        fix1 = 1.0 - hp.beta1 ** self.t
        fix2 = 1.0 - hp.beta2 ** self.t
        return hp.alpha * math.sqrt(fix2) / fix1

    @property
    def lr(self) -> float:
        return self.alpha_t

    def update_core(self, param) -> None:
        hp = self.hyperparam
        dt = param.array.dtype.type
        grad = param.grad
        m, v = self.state["m"], self.state["v"]
        m += dt(1 - hp.beta1) * (grad - m)
        v += dt(1 - hp.beta2) * (grad * grad - v)
        if hp.amsgrad:
            vhat = self.state["vhat"]
            np.maximum(vhat, v, out=vhat)
        else:
            vhat = v
        step = dt(self.alpha_t) * m / (np.sqrt(vhat) + dt(hp.eps))
        if hp.weight_decay_rate:
            step += dt(hp.weight_decay_rate) * param.array
        param.array -= dt(hp.eta) * step


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
