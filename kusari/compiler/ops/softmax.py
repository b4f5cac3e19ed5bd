"""Library ops along one axis: softmax and log_softmax.

Each is one op, as in Chainer (and PyTorch and JAX): the forward is a few
NumPy calls shifted by the maximum, and the gradient rule is written in ops
(so it differentiates again) from the op's own output. They stand alone in
fused code, like matmul.
"""
from __future__ import annotations

import numpy as np

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


# -- softmax cross entropy -----------------------------------------------------------

def _sce_infer(attrs, x, t):
    check_float(x, "x")
    if t.dtype.kind not in "iu":
        raise InvalidType("t.dtype.kind == i", f"{t.dtype.kind} != i")
    if x.ndim != 2 or t.shape != x.shape[:1]:
        raise InvalidType("x.ndim == 2 and t.shape == x.shape[:1]",
                          f"x.shape = {x.shape}, t.shape = {t.shape}")
    return (x.shape[0],) if attrs["reduce"] == "no" else (), x.dtype


def _sce_grad(gy, y, x, t, normalize, ignore_label, reduce):
    # Chainer's rule: (softmax(x) - onehot(t)) * (t != ignore), times gy
    # (and -1/count's magnitude, 1/count, for the mean)
    n, c = x.shape
    p = S.exp(S.apply("log_softmax", x, axis=1))
    valid = S.not_equal(t, ignore_label)
    safe = S.where(valid, t, 0)
    iota = S.Sym(x.g, x.g.add_const(np.arange(c, dtype=t.dtype).reshape(1, c), t.dtype))
    onehot = S.equal(iota, safe.reshape((n, 1))).astype(x.dtype)
    mask = valid.astype(x.dtype).reshape((n, 1))
    if reduce == "no":
        scale = gy.reshape((n, 1))
    else:
        if normalize:
            count = valid.astype(x.dtype).sum()
            count = S.where(count > 0, count, 1)
            scale = gy * (1 / count)
        else:
            scale = gy * (1.0 / max(n, 1))
    return (p - onehot) * mask * scale, None


register(OpDef("softmax_cross_entropy", LIBRARY, _sce_infer, impl=nk.softmax_cross_entropy,
               numpy_name="nk.softmax_cross_entropy", grad=_sce_grad,
               label="SoftmaxCrossEntropy", arg_names=("x", "t"),
               attr_names=("normalize", "ignore_label", "reduce"), saves=(0, 1)))
