"""Reductions: sum, mean, max, min, prod, argmax, argmin and sum_to.

`axis` is always a sorted tuple of non-negative axes in the IR (the front ends
normalize it), so equal reductions compare equal.
"""
from __future__ import annotations

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from . import numpy_kernels as nk
from .scan import exclusive_cumprod, flip
from .registry import (MAX, MIN, PROD, REDUCE, SUM, ZERO, OpDef, check_float, numpy_result_dtype,
                       reduced_shape, register)


def _check_axis(x, axis):
    for a in axis:
        if not 0 <= a < x.ndim:
            raise InvalidType("0 <= axis < x.ndim",
                              f"axis {a} is out of bounds for x.ndim = {x.ndim}")


def _reduce_infer(fn, float_only=False, needs_elements=False):
    def probe(a):  # NumPy's result dtype for this reduction
        return fn(a, axis=None, keepdims=False)

    def infer(attrs, x):
        if float_only:
            check_float(x, "x")
        axis = attrs["axis"]
        _check_axis(x, axis)
        if needs_elements and any(x.shape[a] == 0 for a in axis):
            raise InvalidType("x.shape[axis] > 0",
                              f"{fn.__name__} over an empty axis of shape {x.shape}")
        shape = reduced_shape(x.shape, axis, attrs["keepdims"])
        return shape, numpy_result_dtype(probe, x.dtype)
    return infer


def _spread(gy, x, axis):
    """gy, reduced over `axis` of x, broadcast back to x's shape."""
    return gy.keepdims_shape_of(x.shape, axis).broadcast_to(x.shape)


def _sum_grad(gy, y, x, axis, keepdims):
    return (_spread(gy, x, axis),)


def _mean_grad(gy, y, x, axis, keepdims):
    n = int(np.prod([x.shape[a] for a in axis], dtype=np.int64))
    return (_spread(gy, x, axis) * (1.0 / max(n, 1)),)


def _extremum_grad(gy, y, x, axis, keepdims):
    # Chainer's rule: every element equal to the extremum gets the gradient.
    hit = S.equal(x, _spread(y, x, axis))
    return (S.where(hit, _spread(gy, x, axis), 0),)


def _prod_grad(gy, y, x, axis, keepdims):
    # Chainer's rule: each element gets the product of the others, made of
    # cumulative products from both ends (no division: exact with zeros)
    kept = tuple(a for a in range(x.ndim) if a not in axis)
    order = tuple(axis) + kept
    xt = x.transpose(order)
    n = int(np.prod([x.shape[a] for a in axis], dtype=np.int64))
    flat = xt.reshape((n,) + xt.shape[len(axis):])
    before = exclusive_cumprod(flat, 0)
    after = flip(exclusive_cumprod(flip(flat, 0), 0), 0)
    others = (before * after).reshape(xt.shape).transpose(tuple(np.argsort(order)))
    return (others * _spread(gy, x, axis),)


def reduction(name, fn, numpy_name, grad, *, label, saves=(), saves_out=False,
              float_only=False, needs_elements=False, combine=None):
    register(OpDef(name, REDUCE, _reduce_infer(fn, float_only, needs_elements),
                   impl=fn, numpy_name=numpy_name, grad=grad, label=label, combine=combine,
                   attr_names=("axis", "keepdims"), saves=saves, saves_out=saves_out))


reduction("sum", nk.sum, "nk.sum", _sum_grad, label="Sum", combine=SUM)
reduction("mean", nk.mean, "nk.mean", _mean_grad, label="Mean", float_only=True)
reduction("max", nk.max, "nk.max", _extremum_grad, label="Max", saves=(0,),
          saves_out=True, needs_elements=True, combine=MAX)
reduction("min", nk.min, "nk.min", _extremum_grad, label="Min", saves=(0,),
          saves_out=True, needs_elements=True, combine=MIN)
reduction("prod", nk.prod, "nk.prod", _prod_grad, label="Prod", saves=(0,),
          combine=PROD)


def _arg_infer(attrs, x):
    axis = attrs["axis"]
    if axis is None:
        if x.size == 0:
            raise InvalidType("x.size > 0", "argmax of an empty array")
        return (), np.dtype(np.int64)
    _check_axis(x, (axis,))
    if x.shape[axis] == 0:
        raise InvalidType("x.shape[axis] > 0", f"arg-reduction over an empty axis of {x.shape}")
    return tuple(d for i, d in enumerate(x.shape) if i != axis), np.dtype(np.int64)


register(OpDef("argmax", REDUCE, _arg_infer, impl=nk.argmax, numpy_name="nk.argmax",
               label="ArgMax", attr_names=("axis",), grad=ZERO))
register(OpDef("argmin", REDUCE, _arg_infer, impl=nk.argmin, numpy_name="nk.argmin",
               label="ArgMin", attr_names=("axis",), grad=ZERO))


def _sum_to_infer(attrs, x):
    shape = attrs["shape"]
    lead = x.ndim - len(shape)
    ok = lead >= 0 and all(d == 1 or d == x.shape[lead + i] for i, d in enumerate(shape))
    if not ok:
        raise InvalidType("x.shape can be summed to shape", f"{x.shape} to {shape}")
    return shape, x.dtype


register(OpDef("sum_to", REDUCE, _sum_to_infer, impl=nk.sum_to, numpy_name="nk.sum_to",
               label="SumTo", attr_names=("shape",), combine=SUM, view=True,
               grad=lambda gy, y, x, shape: (gy.broadcast_to(x.shape),)))
