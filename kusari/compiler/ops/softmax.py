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
#
# One op, as Chainer's SoftmaxCrossEntropy: 2-D scores x (classes on axis 1),
# integer labels t and, optionally, constant class weights w (no gradient).
# Labels equal to `ignore_label` count for nothing. reduce="mean" sums in
# float32 for float16 scores (Chainer's reduction dtype) and scales by
# -1/count (count: the labels that count, or without `normalize` the
# `batch` size of the scores before their other axes were flattened into
# rows; at least 1).

def _sce_infer(attrs, x, t, *w):
    check_float(x, "x")
    if t.dtype.kind not in "iu":
        raise InvalidType("t.dtype.kind == i", f"{t.dtype.kind} != i")
    if x.ndim != 2 or t.shape != x.shape[:1]:
        raise InvalidType("x.ndim == 2 and t.shape == x.shape[:1]",
                          f"x.shape = {x.shape}, t.shape = {t.shape}")
    if w and (w[0].shape != x.shape[1:] or w[0].dtype != x.dtype):
        raise InvalidType("class_weight.shape == x.shape[1:] and "
                          "class_weight.dtype == x.dtype",
                          f"{w[0].shape}, {w[0].dtype} (x: {x.shape}, {x.dtype})")
    return (x.shape[0],) if attrs["reduce"] == "no" else (), x.dtype


def _sce_impl(x, t, *w, normalize, ignore_label, reduce, batch):
    logp = nk.log_softmax(x, 1)
    valid = t != ignore_label
    rows = np.arange(t.shape[0])
    safe = np.where(valid, t, 0)
    picked = logp[rows, safe]
    if w:
        picked *= w[0][safe]
    picked *= valid
    if reduce == "no":
        return np.negative(picked)
    count = int(valid.sum()) if normalize else batch
    acc = np.float32 if x.dtype == np.float16 else x.dtype.type
    total = picked.sum(dtype=acc) * acc(-1.0 / (count if count > 0 else 1))
    return np.asarray(total, x.dtype)


def _sce_grad(gy, y, x, t, *w, normalize, ignore_label, reduce, batch):
    # Chainer's rule: (softmax(x) - onehot(t)) * w[t] * (t != ignore), times
    # gy (and 1/count for the mean)
    n, c = x.shape
    p = S.exp(S.apply("log_softmax", x, axis=1))
    valid = S.not_equal(t, ignore_label)
    safe = S.where(valid, t, 0)
    iota = S.Sym(x.g, x.g.add_const(np.arange(c, dtype=t.dtype).reshape(1, c), t.dtype))
    onehot = S.equal(iota, safe.reshape((n, 1))).astype(x.dtype)
    mask = valid.astype(x.dtype).reshape((n, 1))
    if w:
        mask = mask * (onehot * w[0].reshape((1, c))).sum(axis=(1,), keepdims=True)
    gx = (p - onehot) * mask
    if reduce == "no":
        return (gx * gy.reshape((n, 1)), None) + (None,) * len(w)
    # the mean's scale in float32 for float16 (a count over 65504 overflows)
    acc = np.dtype(np.float32) if x.dtype == np.float16 else x.dtype
    if normalize:
        count = valid.astype(acc).sum()
        scale = gy.astype(acc) * (1 / S.where(count > 0, count, 1))
    else:
        scale = gy.astype(acc) * (1.0 / max(batch, 1))
    if acc != x.dtype:
        gx = (gx.astype(acc) * scale).astype(x.dtype)
    else:
        gx = gx * scale
    return (gx, None) + (None,) * len(w)


register(OpDef("softmax_cross_entropy", LIBRARY, _sce_infer, impl=_sce_impl,
               grad=_sce_grad, label="SoftmaxCrossEntropy", arg_names=("x", "t", "w"),
               attr_names=("normalize", "ignore_label", "reduce", "batch"),
               saves=slice(0, None)))
