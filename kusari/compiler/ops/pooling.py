"""Max pooling's reduction: the maximum over one axis (the kernel axis of
im2col_nd's patches), whose gradient goes to the first maximal element only
(Chainer's max pooling; F.max's rule shares it among ties).

The gradient is ops: argmax, a comparison with the kernel positions and a
where, so it differentiates again (linear in gy, nothing flows to the
patches' values a second time).
"""
from __future__ import annotations

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from .registry import LIBRARY, OpDef, register


def _pool_max_infer(attrs, col):
    axis = attrs["axis"]
    if not 0 <= axis < col.ndim:
        raise InvalidType("0 <= axis < col.ndim", f"axis {axis} for col.ndim = {col.ndim}")
    if col.shape[axis] == 0:
        raise InvalidType("col.shape[axis] > 0", f"col.shape = {col.shape}")
    return col.shape[:axis] + col.shape[axis + 1:], col.dtype


def first_max_mask(col: S.Sym, axis: int) -> S.Sym:
    """True at the first maximum along `axis` (NumPy's argmax), else False."""
    k = col.shape[axis]
    idx = S.apply("argmax", col, axis=axis)
    keep = col.shape[:axis] + (1,) + col.shape[axis + 1:]
    positions = np.arange(k, dtype=np.int64).reshape((k,) + (1,) * (col.ndim - axis - 1))
    iota = S.Sym(col.g, col.g.add_const(positions, np.dtype(np.int64)))
    return S.equal(iota, idx.reshape(keep))


def _pool_max_grad(gy, y, col, axis):
    keep = col.shape[:axis] + (1,) + col.shape[axis + 1:]
    return (S.where(first_max_mask(col, axis), gy.reshape(keep), 0),)


def pool_max(col, axis):
    return np.max(col, axis=axis)


register(OpDef("pool_max", LIBRARY, _pool_max_infer, impl=pool_max, grad=_pool_max_grad,
               label="MaxPooling", attr_names=("axis",), saves=(0,)))
