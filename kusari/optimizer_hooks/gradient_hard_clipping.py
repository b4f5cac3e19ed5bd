"""GradientHardClipping: clip every gradient element to [lower, upper]."""
from __future__ import annotations

from ._apply import full, per_param


class GradientHardClipping:
    """grad = clip(grad, lower_bound, upper_bound) (a bound may be None)."""

    name = "GradientHardClipping"
    call_for_each_param = True
    timing = "pre"

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def __call__(self, rule, param) -> None:
        per_param(self, param, {"lower": (self, "lower_bound"),
                                "upper": (self, "upper_bound")}, self._clip)

    @staticmethod
    def _clip(hp, p, g):
        from .. import functions as F
        if hp.lower is not None:
            g = F.maximum(g, full(hp.lower, g))
        if hp.upper is not None:
            g = F.minimum(g, full(hp.upper, g))
        return g
