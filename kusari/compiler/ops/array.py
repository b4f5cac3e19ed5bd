"""Array ops that are neither views nor indexing: constant padding.

`pad` surrounds x with constants, per axis and side (NumPy's
``np.pad(x, pad_width, constant_values=values)``); its gradient is the slice
of gy where x sits, so it differentiates to any order through getitem and
scatter_add. F.pad, F.pad_sequence and F.im2col are built on it.
"""
from __future__ import annotations

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from .registry import SHAPE, OpDef, register


def _pad_infer(attrs, x):
    widths = attrs["pad_width"]
    if len(widths) != x.ndim:
        raise InvalidType("len(pad_width) == x.ndim", f"{len(widths)} != {x.ndim}")
    if any(a < 0 or b < 0 for a, b in widths):
        raise InvalidType("pad_width >= 0", f"pad_width {widths}")
    return tuple(d + a + b for d, (a, b) in zip(x.shape, widths)), x.dtype


def pad(x, pad_width, values):
    """x inside constants: `values[axis]` = (before, after) fills each side."""
    shape = tuple(d + a + b for d, (a, b) in zip(x.shape, pad_width))
    flat = {v for pair in values for v in pair}
    if len(flat) <= 1:
        fill = flat.pop() if flat else 0
        with np.errstate(invalid="ignore"):
            out = np.full(shape, fill, x.dtype)
        out[tuple(slice(a, a + d) for d, (a, _) in zip(x.shape, pad_width))] = x
        return out
    return np.pad(x, pad_width, mode="constant", constant_values=values)


def _pad_grad(gy, y, x, pad_width, values):
    key = tuple(("s", a, a + d, None) for d, (a, _) in zip(x.shape, pad_width))
    return (S.apply("getitem", gy, key=key),)


register(OpDef("pad", SHAPE, _pad_infer, impl=pad, label="Pad",
               attr_names=("pad_width", "values"), grad=_pad_grad))
