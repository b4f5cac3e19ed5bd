"""Embedding lookup: rows of W picked by integer ids (a getitem, whose
gradient is a scatter-add into W)."""
from __future__ import annotations

__all__ = ["embed_id"]

import numpy as np

from ...configuration import state
from .._core import Variable, call, var
from .convolution_nd import FunctionNodeAdapter, check

LABEL = "EmbedIDFunction"


def embed_id(x, W, ignore_label=None) -> Variable:
    """y = W[x]: x holds integer ids (any shape), W is (n_ids, n_units); y has
    shape x.shape + (n_units,). Where x == ignore_label, y is zero and no
    gradient reaches W."""
    x, W = var(x), var(W)
    check(LABEL, x.dtype.kind == "i", "x.dtype.kind == i", f"{x.dtype.kind} != i")
    check(LABEL, x.ndim >= 1, "x.ndim >= 1", f"{x.ndim} < 1")
    check(LABEL, W.dtype.kind == "f", "W.dtype.kind == f", f"{W.dtype.kind} != f")
    check(LABEL, W.ndim == 2, "W.ndim == 2", f"{W.ndim} != 2")
    ids = x.array
    if state.debug and isinstance(ids, np.ndarray):
        valid = (0 <= ids) & (ids < W.shape[0])
        if ignore_label is not None:
            valid |= ids == ignore_label
        if not valid.all():
            raise ValueError("Each not ignored `x` value need to satisfy `0 <= x < len(W)`")
    if ignore_label is None:
        return call("getitem", W, x, key=(("a", 0),))
    mask = call("equal", x, np.array(ignore_label, x.dtype))
    safe = call("where", mask, np.zeros((), x.dtype), x)
    y = call("getitem", W, safe, key=(("a", 0),))
    mask = call("reshape", mask, shape=x.shape + (1,))
    return call("where", mask, np.zeros((), W.dtype), y)


class EmbedIDFunction(FunctionNodeAdapter):
    label = LABEL
    n_inputs = (2, 2)

    def __init__(self, ignore_label=None):
        self.ignore_label = ignore_label

    def forward_function(self, x, W):
        return embed_id(x, W, self.ignore_label)
