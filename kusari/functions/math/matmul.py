"""matmul and batch_matmul (Chainer's chainer.functions.math.matmul)."""
from __future__ import annotations

import warnings

import numpy as np

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call, var


def _swap_last(x: Variable) -> Variable:
    axes = list(range(x.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return call("transpose", x, axes=tuple(axes))


def _promote(label: str, a: Variable, b: Variable):
    """Both operands in NumPy's result dtype (float16 @ float32 is float32, as
    in Chainer); the casts send each gradient back in its operand's dtype."""
    for x, name in ((a, "a"), (b, "b")):
        if x.dtype.kind != "f":
            raise invalid_in(label, InvalidType(f"{name}.dtype.kind == f",
                                                f"{name}.dtype.kind = {x.dtype.kind}"))
    if a.dtype != b.dtype:
        dtype = np.result_type(a.dtype, b.dtype)
        if a.dtype != dtype:
            a = call("cast", a, dtype=dtype)
        if b.dtype != dtype:
            b = call("cast", b, dtype=dtype)
    return a, b


def matmul(a, b, transa: bool = False, transb: bool = False) -> Variable:
    """Matrix product with NumPy's matmul rules (1-D operands are vectors,
    more than 2-D are stacks of matrices, broadcast); transa / transb
    transpose the last two axes of an operand of 2 or more dimensions."""
    a, b = var(a), var(b)
    a, b = _promote("MatMul", a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise invalid_in("MatMul", InvalidType("a.ndim >= 1 and b.ndim >= 1",
                                               f"a.ndim = {a.ndim}, b.ndim = {b.ndim}"))
    if transa and a.ndim >= 2:
        a = _swap_last(a)
    if transb and b.ndim >= 2:
        b = _swap_last(b)
    return call("matmul", a, b)


def batch_matmul(a, b, transa: bool = False, transb: bool = False) -> Variable:
    """Products of the matrices in two batches (Chainer's deprecated form):
    a (B, N) stands for B N x 1 matrices, a (B, M, N) for B M x N ones; both
    of one float dtype (Chainer's takes float32 only). The result is (B,
    rows, cols)."""
    warnings.warn("batch_matmul is deprecated. Use matmul instead.", DeprecationWarning)
    a, b = var(a), var(b)
    for x, name in ((a, "a"), (b, "b")):
        if x.dtype.kind != "f":     # (Chainer's takes float32 only)
            raise invalid_in("BatchMatMul", InvalidType(f"{name}.dtype.kind == f",
                                                        f"{name}.dtype = {x.dtype}"))
        if not 2 <= x.ndim <= 3:
            raise invalid_in("BatchMatMul", InvalidType(f"2 <= {name}.ndim <= 3",
                                                         f"{name}.ndim = {x.ndim}"))
    a, b = _promote("BatchMatMul", a, b)
    a3 = call("reshape", a, shape=a.shape[:2] + (int(np.prod(a.shape[2:], dtype=np.int64)),))
    b3 = call("reshape", b, shape=b.shape[:2] + (int(np.prod(b.shape[2:], dtype=np.int64)),))
    if transa:
        a3 = _swap_last(a3)
    if transb:
        b3 = _swap_last(b3)
    if a3.shape[2] != b3.shape[1] or a3.shape[0] != b3.shape[0]:
        raise invalid_in("BatchMatMul", InvalidType(
            "a and b hold as many matrices, and a's columns match b's rows",
            f"a: {a.shape} (transa={transa}), b: {b.shape} (transb={transb})"))
    return call("matmul", a3, b3)
