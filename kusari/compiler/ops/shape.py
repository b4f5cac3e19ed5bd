"""Shape ops: broadcast_to, reshape, transpose, concat.

Their attributes are always concrete (a reshape's -1 is resolved by the front
end), so equal ops compare equal and the text form shows the real shapes.
"""
from __future__ import annotations

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from . import numpy_kernels as nk
from .registry import SHAPE, OpDef, register


def _broadcast_infer(attrs, x):
    shape = attrs["shape"]
    lead = len(shape) - x.ndim
    if lead < 0 or any(d != 1 and d != shape[lead + i] for i, d in enumerate(x.shape)):
        raise InvalidType("x.shape can be broadcast to shape", f"{x.shape} to {shape}")
    return shape, x.dtype


register(OpDef("broadcast_to", SHAPE, _broadcast_infer, impl=nk.broadcast_to,
               numpy_name="nk.broadcast_to", label="BroadcastTo", attr_names=("shape",),
               view=True, grad=lambda gy, y, x, shape: (gy.sum_to(x.shape),)))


def _reshape_infer(attrs, x):
    shape = attrs["shape"]
    size = int(np.prod(shape, dtype=np.int64))
    if any(d < 0 for d in shape) or size != x.size:
        raise InvalidType("x.size == prod(shape)",
                          f"cannot reshape {x.shape} (size {x.size}) to {shape}")
    return shape, x.dtype


register(OpDef("reshape", SHAPE, _reshape_infer, impl=nk.reshape, numpy_name="nk.reshape",
               label="Reshape", attr_names=("shape",),
               view=True, grad=lambda gy, y, x, shape: (gy.reshape(x.shape),)))


def _transpose_infer(attrs, x):
    axes = attrs["axes"]
    if sorted(axes) != list(range(x.ndim)):
        raise InvalidType("axes is a permutation of range(x.ndim)",
                          f"axes {axes} for x.ndim = {x.ndim}")
    return tuple(x.shape[a] for a in axes), x.dtype


register(OpDef("transpose", SHAPE, _transpose_infer, impl=nk.transpose,
               numpy_name="nk.transpose", label="Transpose", attr_names=("axes",),
               view=True, grad=lambda gy, y, x, axes: (gy.transpose(tuple(np.argsort(axes))),)))


def _concat_infer(attrs, *xs):
    axis = attrs["axis"]
    first = xs[0]
    if not 0 <= axis < first.ndim:
        raise InvalidType("0 <= axis < x.ndim", f"axis {axis} for x.ndim = {first.ndim}")
    for i, x in enumerate(xs[1:], 1):
        if x.dtype != first.dtype:
            raise InvalidType(f"xs[0].dtype == xs[{i}].dtype", f"{first.dtype} != {x.dtype}")
        if x.ndim != first.ndim or any(
                a != b for j, (a, b) in enumerate(zip(x.shape, first.shape)) if j != axis):
            raise InvalidType(f"xs[{i}].shape matches xs[0].shape except on axis {axis}",
                              f"{x.shape} and {first.shape}")
    shape = list(first.shape)
    shape[axis] = sum(x.shape[axis] for x in xs)
    return tuple(shape), first.dtype


def _concat_grad(gy, y, *xs, axis):
    grads, start = [], 0
    for x in xs:
        stop = start + x.shape[axis]
        key = (("s", None, None, None),) * axis + (("s", start, stop, None),)
        grads.append(S.apply("getitem", gy, key=key))
        start = stop
    return tuple(grads)


register(OpDef("concat", SHAPE, _concat_infer, impl=nk.concat, numpy_name="nk.concat",
               label="Concat", arg_names=("xs",), attr_names=("axis",), grad=_concat_grad))
