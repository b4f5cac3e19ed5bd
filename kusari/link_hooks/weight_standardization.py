"""WeightStandardization (Qiao et al.): standardize the weight of each output
unit before the forward."""
from __future__ import annotations

from ..link_hook import LinkHook
from ._weight import WeightHook


class WeightStandardization(WeightHook, LinkHook):
    """W is replaced, for each forward, by (W - mean) / sqrt(var + eps) over
    each output unit's weights (group normalization with one group)."""

    name = "WeightStandardization"

    def __init__(self, *, eps=1e-5, weight_name="W", name=None):
        self.eps = eps
        self.weight_name = weight_name
        self._initialized = False
        if name is not None:
            self.name = name

    def added(self, link) -> None:
        self._check_weight(link)
        if getattr(link, self.weight_name).array is not None:
            self._initialized = True

    def forward_preprocess(self, cb_args) -> None:
        from ..functions.normalization.group_normalization import group_normalization
        link = cb_args.link
        x = cb_args.args[0] if cb_args.args else None
        if not self._initialized and getattr(link, self.weight_name).array is None:
            if x is None:
                raise ValueError("Input variable does not exist!")
            link._initialize_params(x.shape[1])
        weight = getattr(link, self.weight_name)
        xp = link.xp
        gamma = xp.ones((weight.shape[1],), dtype=weight.dtype)
        beta = xp.zeros((weight.shape[1],), dtype=weight.dtype)
        self.original_weight = weight
        self._swap(link, group_normalization(weight, groups=1, gamma=gamma, beta=beta,
                                             eps=self.eps))
