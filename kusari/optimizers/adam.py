"""Adam (Kingma & Ba) and its variants: AdamW (decoupled weight decay),
AMSGrad, AdaBound and AMSBound (bounded learning rates)."""
from __future__ import annotations

import math
import warnings

import numpy

from .. import functions as F
from ..optimizer import GradientMethod, HyperparameterProxy, UpdateRule
from ._base import as_dtype, defaults, full, override, zeros_like

_default_hyperparam = defaults(alpha=0.001, beta1=0.9, beta2=0.999, eps=1e-8, eta=1.0,
                               weight_decay_rate=0, amsgrad=False, adabound=False,
                               final_lr=0.1, gamma=1e-3)


def _learning_rate(hp, t):
    """alpha_t = alpha sqrt(1 - beta2**t) / (1 - beta1**t), for numbers or
    traced numbers alike."""
    if not isinstance(t, (int, float)):
        return hp.alpha * F.sqrt(1. - hp.beta2 ** t) / (1. - hp.beta1 ** t)
    if t == 0:
        raise RuntimeError("Can't determine the learning rate of Adam optimizer because "
                           "the update steps have not been started.")
    fix1 = 1. - math.pow(hp.beta1, t)
    fix2 = 1. - math.pow(hp.beta2, t)
    return hp.alpha * math.sqrt(fix2) / fix1


def _interm_dtype(dtype):
    """float16 parameters are updated in float32."""
    return numpy.dtype(numpy.float32) if dtype == numpy.float16 else numpy.dtype(dtype)


class AdamRule(UpdateRule):
    """m += (1 - beta1)(grad - m); v += (1 - beta2)(grad**2 - v);
    vhat = v (or its running max, amsgrad); step = alpha_t / (sqrt(vhat) + eps)
    (clipped to AdaBound's bounds with adabound);
    W = (1 - eta weight_decay_rate) W - eta step m."""

    is_elementwise = True
    scalar_state = ("initial_alpha",)

    def __init__(self, parent_hyperparam=None, alpha=None, beta1=None, beta2=None,
                 eps=None, eta=None, weight_decay_rate=None, amsgrad=None, adabound=None,
                 final_lr=None, gamma=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self, alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                 weight_decay_rate=weight_decay_rate, amsgrad=amsgrad, adabound=adabound,
                 final_lr=final_lr, gamma=gamma)
        self.initial_alpha = self.hyperparam.alpha if self.hyperparam.adabound else 1.0

    def init_state(self, param):
        self.state["m"] = zeros_like(param)
        self.state["v"] = zeros_like(param)
        if self.hyperparam.amsgrad:
            self.state["vhat"] = zeros_like(param)

    def check(self, param):
        hp = self.hyperparam
        eps = hp.eps
        if eps == 0 or (param.dtype == numpy.float32 and type(eps) is float and eps > 1e-38):
            return          # (the common case, without NumPy's help)
        dtype = _interm_dtype(param.dtype)
        if eps != 0 and dtype.type(eps) == 0:
            raise ValueError(f"eps of Adam optimizer is too small for {dtype.name} "
                             f"({hp.eps})")

    def step(self, hp, p, g, state):
        dtype = _interm_dtype(p.dtype)
        g = as_dtype(g, dtype)
        m, v = state["m"], state["v"]
        m = as_dtype(m, dtype)
        m = m + (1.0 - hp.beta1) * (g - m)
        v = as_dtype(v, dtype)
        v = v + (1.0 - hp.beta2) * (g * g - v)
        new = {"m": as_dtype(m, state["m"].dtype), "v": as_dtype(v, state["v"].dtype)}
        vhat = new["v"]
        if hp.amsgrad:
            vhat = new["vhat"] = F.maximum(state["vhat"], as_dtype(vhat, state["vhat"].dtype))
        step = _learning_rate(hp, hp.t) / (F.sqrt(as_dtype(vhat, dtype)) + hp.eps)
        if hp.adabound:
            lower, upper = self._bounds(hp)
            step = F.minimum(F.maximum(step, full(lower, step)), full(upper, step))
        decay = 1.0 - hp.eta * hp.weight_decay_rate
        p = as_dtype(decay * p, dtype) - hp.eta * (step * as_dtype(new["m"], dtype))
        return p, new

    @staticmethod
    def _bounds(hp):
        final_lr = hp.final_lr * hp.alpha / hp.initial_alpha
        return (final_lr * (1.0 - 1.0 / (hp.gamma * hp.t + 1)),
                final_lr * (1.0 + 1.0 / (hp.gamma * hp.t)))

    @property
    def alpha_t(self) -> float:
        """The step size of the last update (alpha with the bias corrections)."""
        return _learning_rate(self.hyperparam, self.t)

    @property
    def lr(self) -> float:
        warnings.warn("AdamRule.lr has been renamed to AdamRule.alpha_t. Use of "
                      "AdamRule.lr is deprecated in Chainer v6.", DeprecationWarning,
                      stacklevel=2)
        return self.alpha_t

    @property
    def bounds(self):
        """AdaBound's (lower, upper) bounds of the step size at step t."""
        if self.t == 0:
            raise RuntimeError("Can't determine the bounds of AdaBound optimizer because "
                               "the update steps have not been started.")
        hp = self.hyperparam
        final_lr = hp.final_lr * hp.alpha / self.initial_alpha
        return (final_lr * (1.0 - 1.0 / (hp.gamma * self.t + 1)),
                final_lr * (1.0 + 1.0 / (hp.gamma * self.t)))


class Adam(GradientMethod):
    """Adam, with Chainer's hyperparameters: alpha, beta1, beta2, eps, eta
    (a schedule multiplier), weight_decay_rate (AdamW's), amsgrad, adabound
    (with final_lr and gamma)."""

    alpha = HyperparameterProxy("alpha")
    beta1 = HyperparameterProxy("beta1")
    beta2 = HyperparameterProxy("beta2")
    eps = HyperparameterProxy("eps")
    eta = HyperparameterProxy("eta")
    weight_decay_rate = HyperparameterProxy("weight_decay_rate")
    amsgrad = HyperparameterProxy("amsgrad")
    adabound = HyperparameterProxy("adabound")
    final_lr = HyperparameterProxy("final_lr")
    gamma = HyperparameterProxy("gamma")

    def __init__(self, alpha=_default_hyperparam.alpha, beta1=_default_hyperparam.beta1,
                 beta2=_default_hyperparam.beta2, eps=_default_hyperparam.eps,
                 eta=_default_hyperparam.eta,
                 weight_decay_rate=_default_hyperparam.weight_decay_rate,
                 amsgrad=_default_hyperparam.amsgrad, adabound=_default_hyperparam.adabound,
                 final_lr=_default_hyperparam.final_lr, gamma=_default_hyperparam.gamma):
        super().__init__()
        hp = self.hyperparam
        hp.alpha, hp.beta1, hp.beta2, hp.eps, hp.eta = alpha, beta1, beta2, eps, eta
        hp.weight_decay_rate, hp.amsgrad, hp.adabound = weight_decay_rate, amsgrad, adabound
        hp.final_lr, hp.gamma = final_lr, gamma

    def create_update_rule(self) -> AdamRule:
        return AdamRule(self.hyperparam)

    @property
    def alpha_t(self) -> float:
        return _learning_rate(self.hyperparam, self.t)

    @property
    def lr(self) -> float:
        warnings.warn("Adam.lr has been renamed to AdamRule.alpha_t. Use of Adam.lr is "
                      "deprecated in Chainer v6.", DeprecationWarning, stacklevel=2)
        return self.alpha_t


class AdamW(Adam):
    """Adam with decoupled weight decay (weight_decay_rate)."""

    def __init__(self, alpha=_default_hyperparam.alpha, beta1=_default_hyperparam.beta1,
                 beta2=_default_hyperparam.beta2, eps=_default_hyperparam.eps,
                 eta=_default_hyperparam.eta,
                 weight_decay_rate=_default_hyperparam.weight_decay_rate):
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                         weight_decay_rate=weight_decay_rate)


class AMSGrad(Adam):
    """Adam with the running maximum of v (amsgrad=True)."""

    def __init__(self, alpha=_default_hyperparam.alpha, beta1=_default_hyperparam.beta1,
                 beta2=_default_hyperparam.beta2, eps=_default_hyperparam.eps,
                 eta=_default_hyperparam.eta):
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                         amsgrad=True)


class AdaBound(Adam):
    """Adam whose step size is clipped to bounds converging to final_lr."""

    def __init__(self, alpha=_default_hyperparam.alpha, beta1=_default_hyperparam.beta1,
                 beta2=_default_hyperparam.beta2, final_lr=_default_hyperparam.final_lr,
                 gamma=_default_hyperparam.gamma, eps=_default_hyperparam.eps,
                 eta=_default_hyperparam.eta):
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                         amsgrad=False, adabound=True, final_lr=final_lr, gamma=gamma)


class AMSBound(Adam):
    """AdaBound with AMSGrad's running maximum."""

    def __init__(self, alpha=_default_hyperparam.alpha, beta1=_default_hyperparam.beta1,
                 beta2=_default_hyperparam.beta2, final_lr=_default_hyperparam.final_lr,
                 gamma=_default_hyperparam.gamma, eps=_default_hyperparam.eps,
                 eta=_default_hyperparam.eta):
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                         amsgrad=True, adabound=True, final_lr=final_lr, gamma=gamma)
