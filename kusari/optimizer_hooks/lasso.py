"""Lasso: L1 regularization."""
from __future__ import annotations

from ._apply import per_param


class Lasso:
    """grad += rate * sign(W) before the update."""

    name = "Lasso"
    call_for_each_param = True
    timing = "pre"

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, rule, param) -> None:
        from .. import functions as F
        per_param(self, param, {"rate": (self, "rate")},
                  lambda hp, p, g: g + hp.rate * F.sign(p))
