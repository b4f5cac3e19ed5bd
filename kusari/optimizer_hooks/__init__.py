"""Optimizer hooks: run before (or after) each parameter update.

Each works on NumPy arrays in place, or, inside kusari.jit, on the traced
gradients (the new gradient becomes part of the compiled step).
"""
from __future__ import annotations

import numpy as np

from .. import tracing


def _tracing():
    return tracing.active() if tracing.TRACING else None


class WeightDecay:
    """L2 regularization: grad += rate * W, before the update."""

    name = "WeightDecay"
    call_for_each_param = True
    timing = "pre"

    def __init__(self, rate: float):
        self.rate = rate

    def __call__(self, rule, param) -> None:
        p, g = param.array, param.grad
        if p is None or g is None:
            return
        ctx = _tracing()
        if ctx is None:
            g += p.dtype.type(self.rate) * p
        else:
            rate = ctx.number(self, "rate", "WeightDecay.rate")
            param.grad_var = param.grad_var + rate * ctx.value(param)


class Lasso:
    """L1 regularization: grad += rate * sign(W), before the update."""

    name = "Lasso"
    call_for_each_param = True
    timing = "pre"

    def __init__(self, rate: float):
        self.rate = rate

    def __call__(self, rule, param) -> None:
        p, g = param.array, param.grad
        if p is None or g is None:
            return
        ctx = _tracing()
        if ctx is None:
            g += p.dtype.type(self.rate) * np.sign(p)
        else:
            from .. import functions as F
            rate = ctx.number(self, "rate", "Lasso.rate")
            param.grad_var = param.grad_var + rate * F.sign(ctx.value(param))


class GradientClipping:
    """Scale all grads down so their global L2 norm is at most `threshold`."""

    name = "GradientClipping"
    call_for_each_param = False
    timing = "pre"

    def __init__(self, threshold: float):
        self.threshold = threshold

    def __call__(self, opt) -> None:
        params = [p for p in opt.target.params() if p.grad is not None]
        ctx = _tracing()
        if ctx is None:
            norm = float(np.sqrt(sum(float(np.sum(np.square(p.grad, dtype=np.float64)))
                                     for p in params)))
            rate = self.threshold / norm if norm > 0 else 1.0
            if rate < 1:
                for p in params:
                    p.grad *= p.grad.dtype.type(rate)
            return
        from .. import functions as F
        if not params:
            return
        total = None
        for p in params:
            s = F.sum(F.cast(p.grad_var * p.grad_var, np.float64))
            total = s if total is None else total + s
        norm = F.sqrt(total)
        threshold = ctx.number(self, "threshold", "GradientClipping.threshold")
        rate = F.minimum(threshold / F.maximum(norm, 1e-300), 1.0)
        for p in params:
            p.grad_var = p.grad_var * F.cast(rate, p.dtype)
