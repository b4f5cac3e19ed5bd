"""Library ops along one axis: softmax and log_softmax.

Each is one op, as in Chainer (and PyTorch and JAX): the forward is a few
NumPy calls shifted by the maximum, and the gradient rule is written in ops
(so it differentiates again) from the op's own output. They stand alone in
fused code, like matmul.
"""
from __future__ import annotations

from .. import sym as S
from ..errors import InvalidType
from . import numpy_kernels as nk
from .registry import LIBRARY, OpDef, check_float, register


def _infer(attrs, x):
    check_float(x, "x")
    axis = attrs["axis"]
    if not 0 <= axis < x.ndim:
        raise InvalidType("0 <= axis < x.ndim",
                          f"axis {axis} is out of bounds for x.ndim = {x.ndim}")
    return x.shape, x.dtype


def _softmax_grad(gy, y, x, axis):
    # Chainer's rule: gx = y * (gy - sum(y * gy))
    gyy = gy * y
    return (gyy - y * gyy.sum(axis=(axis,), keepdims=True),)


def _log_softmax_grad(gy, y, x, axis):
    # Chainer's rule: gx = gy - exp(y) * sum(gy)
    return (gy - S.exp(y) * gy.sum(axis=(axis,), keepdims=True),)


register(OpDef("softmax", LIBRARY, _infer, impl=nk.softmax, numpy_name="nk.softmax",
               grad=_softmax_grad, label="Softmax", attr_names=("axis",),
               saves=(), saves_out=True))
register(OpDef("log_softmax", LIBRARY, _infer, impl=nk.log_softmax,
               numpy_name="nk.log_softmax", grad=_log_softmax_grad, label="LogSoftmax",
               attr_names=("axis",), saves=(), saves_out=True))
