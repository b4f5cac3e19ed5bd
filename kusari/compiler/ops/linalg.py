"""Library ops: matmul (NumPy's semantics, batched) and linear (Chainer's).

They stand alone in fused code and call BLAS through NumPy (cuBLAS through
CuPy); their gradients are matmuls again, so they differentiate to any order.
"""
from __future__ import annotations

from ..errors import InvalidType, expect_eq
from . import numpy_kernels as nk
from .registry import LIBRARY, OpDef, broadcast_shapes, check_float, register


def _matmul_infer(attrs, a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise InvalidType("a.ndim >= 1 and b.ndim >= 1", f"a.ndim = {a.ndim}, b.ndim = {b.ndim}")
    if a.dtype != b.dtype:
        raise InvalidType("a.dtype == b.dtype", f"{a.dtype} != {b.dtype}")
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    expect_eq(k_a, k_b, "a.shape[-1]", "b.shape[0]" if b.ndim == 1 else "b.shape[-2]")
    batch = broadcast_shapes((a.shape[:-2], b.shape[:-2]), ("a.batch", "b.batch"))
    shape = batch + (a.shape[-2:-1] if a.ndim >= 2 else ()) + \
        (b.shape[-1:] if b.ndim >= 2 else ())
    return shape, a.dtype


def _matmul_grad(gy, y, a, b):
    # Work in the 2-D-or-more form, then undo the 1-D promotions and batching.
    a2 = a if a.ndim >= 2 else a.reshape((1,) + a.shape)
    b2 = b if b.ndim >= 2 else b.reshape(b.shape + (1,))
    batch = broadcast_shapes((a2.shape[:-2], b2.shape[:-2]), ("a", "b"))
    gy2 = gy.reshape(batch + (a2.shape[-2], b2.shape[-1]))
    ga = (gy2 @ b2.swap_last()).sum_to(a2.shape).reshape(a.shape)
    gb = (a2.swap_last() @ gy2).sum_to(b2.shape).reshape(b.shape)
    return ga, gb


register(OpDef("matmul", LIBRARY, _matmul_infer, impl=nk.matmul, numpy_name="np.matmul",
               grad=_matmul_grad, label="MatMul", arg_names=("a", "b"), saves=(0, 1)))


def _linear_infer(attrs, x, W, b=None):
    check_float(x, "x")
    check_float(W, "W")
    if x.ndim != 2:
        raise InvalidType("x.ndim == 2", f"{x.ndim} != 2")
    if W.ndim != 2:
        raise InvalidType("W.ndim == 2", f"{W.ndim} != 2")
    expect_eq(x.shape[1], W.shape[1], "x.shape[1]", "W.shape[1]")
    expect_eq(x.dtype, W.dtype, "x.dtype", "W.dtype")
    if b is not None:
        expect_eq(b.dtype, x.dtype, "b.dtype", "x.dtype")
        expect_eq(b.ndim, 1, "b.ndim", "1")
        expect_eq(b.shape[0], W.shape[0], "b.shape[0]", "W.shape[0]")
    return (x.shape[0], W.shape[0]), x.dtype


def _linear_grad(gy, y, x, W, b=None):
    gx = gy @ W
    gW = gy.T @ x
    if b is None:
        return gx, gW
    return gx, gW, gy.sum(axis=0)


register(OpDef("linear", LIBRARY, _linear_infer, impl=nk.linear, numpy_name="nk.linear",
               grad=_linear_grad, label="LinearFunction", arg_names=("x", "W", "b"),
               saves=(0, 1)))
