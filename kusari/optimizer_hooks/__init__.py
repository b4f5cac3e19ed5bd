"""Optimizer hooks: run before (or after) each parameter update."""
from __future__ import annotations

import numpy as np


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
        g += p.dtype.type(self.rate) * p


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
        g += p.dtype.type(self.rate) * np.sign(p)


class GradientClipping:
    """Scale all grads down so their global L2 norm is at most `threshold`."""

    name = "GradientClipping"
    call_for_each_param = False
    timing = "pre"

    def __init__(self, threshold: float):
        self.threshold = threshold

    def __call__(self, opt) -> None:
        grads = [p.grad for p in opt.target.params() if p.grad is not None]
        norm = float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64)))
                                 for g in grads)))
        rate = self.threshold / norm if norm > 0 else 1.0
        if rate < 1:
            for g in grads:
                g *= g.dtype.type(rate)
