"""GradientLARS: layer-wise adaptive rate scaling (You et al.)."""
from __future__ import annotations

from ._apply import full, per_param


class GradientLARS:
    """grad = (grad + weight_decay W) * rate with
    rate = |W| / (eps + |grad| + weight_decay |W|) where |W| > threshold,
    else 1 (norms: Euclidean norms of the whole arrays)."""

    name = "GradientLARS"
    call_for_each_param = True
    timing = "pre"

    def __init__(self, threshold=1e-2, weight_decay=0.0, eps=1e-9):
        self.threshold = threshold
        self.weight_decay = weight_decay
        self.eps = eps

    def __call__(self, rule, param) -> None:
        per_param(self, param, {"threshold": (self, "threshold"),
                                "weight_decay": (self, "weight_decay"),
                                "eps": (self, "eps")}, self._scale)

    @staticmethod
    def _scale(hp, p, g):
        from .. import functions as F
        p_norm = F.sqrt(F.sum(p * p))
        g_norm = F.sqrt(F.sum(g * g))
        local_rate = p_norm / (hp.eps + g_norm + hp.weight_decay * p_norm)
        rate = F.where(F.greater(p_norm, full(hp.threshold, p_norm)), local_rate,
                       full(1.0, local_rate))
        return (g + hp.weight_decay * p) * rate
