"""Picking one element along an axis, and its adjoint: max pooling's pair.

    take_axis(x, idx)       y[..., j, ...] = x[..., idx[..., j, ...], j, ...]   (axis removed)
    put_axis(g, idx, size)  zeros of `size` along the axis, g put at idx

Max pooling takes, along the kernel axis of im2col_nd's patches, the element
argmax chose: the first maximum (a NaN, if any), as in Chainer, whose
gradient goes to that element only (F.max shares it among ties). The index
is computed once, in the forward, and the gradient reuses it: take_axis's
gradient is put_axis and put_axis's is take_axis, so both differentiate to
any order (nothing flows to the index).
"""
from __future__ import annotations

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from .registry import LIBRARY, OpDef, register


def take_axis(x, idx, axis):
    return np.take_along_axis(x, np.expand_dims(idx, axis), axis).squeeze(axis)


def put_axis(g, idx, axis, size):
    shape = g.shape[:axis] + (size,) + g.shape[axis:]
    out = np.zeros(shape, g.dtype)
    np.put_along_axis(out, np.expand_dims(idx, axis), np.expand_dims(g, axis), axis)
    return out


def _check_index(idx, shape, name):
    if idx.dtype.kind not in "iu":
        raise InvalidType(f"{name}.dtype.kind == i", f"{idx.dtype.kind} != i")
    if tuple(idx.shape) != tuple(shape):
        raise InvalidType(f"{name}.shape == {tuple(shape)}", f"{tuple(idx.shape)}")


def _take_infer(attrs, x, idx):
    axis = attrs["axis"]
    if not 0 <= axis < x.ndim:
        raise InvalidType("0 <= axis < x.ndim", f"axis {axis} for x.ndim = {x.ndim}")
    shape = x.shape[:axis] + x.shape[axis + 1:]
    _check_index(idx, shape, "idx")
    return shape, x.dtype


def _take_grad(gy, y, x, idx, axis):
    return S.apply("put_axis", gy, idx, axis=axis, size=x.shape[axis]), None


register(OpDef("take_axis", LIBRARY, _take_infer, impl=take_axis, grad=_take_grad,
               label="TakeAxis", arg_names=("x", "idx"), attr_names=("axis",), saves=(1,)))


def _put_infer(attrs, g, idx):
    axis, size = attrs["axis"], attrs["size"]
    if not 0 <= axis <= g.ndim or size < 1:
        raise InvalidType("0 <= axis <= g.ndim and size >= 1",
                          f"axis {axis}, size {size} for g.ndim = {g.ndim}")
    _check_index(idx, g.shape, "idx")
    return g.shape[:axis] + (size,) + g.shape[axis:], g.dtype


def _put_grad(gx, x, g, idx, axis, size):
    return S.apply("take_axis", gx, idx, axis=axis), None


register(OpDef("put_axis", LIBRARY, _put_infer, impl=put_axis, grad=_put_grad,
               label="PutAxis", arg_names=("g", "idx"), attr_names=("axis", "size"),
               saves=(1,)))
