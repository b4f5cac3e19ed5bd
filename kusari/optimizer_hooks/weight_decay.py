"""WeightDecay: L2 regularization."""
from __future__ import annotations

from ._apply import per_param


class WeightDecay:
    """grad += rate * W before the update (rate times the loss scale when
    the loss is scaled, as the grad still is)."""

    name = "WeightDecay"
    call_for_each_param = True
    timing = "pre"

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, rule, param) -> None:
        values = {"rate": (self, "rate")}
        if getattr(param, "_loss_scale", None) is not None:
            values["scale"] = (param, "_loss_scale")
            per_param(self, param, values, lambda hp, p, g: g + hp.rate * hp.scale * p)
        else:
            per_param(self, param, values, lambda hp, p, g: g + hp.rate * p)
