"""GradientClipping: rescale all gradients so their global L2 norm is at
most a threshold."""
from __future__ import annotations

import numpy

from ._apply import full, update_grads


class GradientClipping:
    """When the L2 norm of all gradients together exceeds `threshold`,
    multiply every gradient by threshold / norm (the norm accumulated in
    float64)."""

    name = "GradientClipping"
    timing = "pre"

    def __init__(self, threshold):
        self.threshold = threshold

    def __call__(self, opt) -> None:
        update_grads(self, list(opt.target.params(False)),
                     {"threshold": (self, "threshold")}, self._clip)

    @staticmethod
    def _clip(hp, ps, gs, extras):
        from .. import functions as F
        total = None
        for g in gs:
            s = F.sum(F.square(F.cast(g, numpy.float64)))
            total = s if total is None else total + s
        rate = hp.threshold / F.sqrt(total)
        rate = F.minimum(rate, full(1.0, rate))     # never scaled up (rate >= 1: as is)
        return [g * F.cast(rate, g.dtype) for g in gs]
