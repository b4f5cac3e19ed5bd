"""tensordot (Chainer's chainer.functions.math.tensordot)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call, var


def _axes_pair(axes, a_ndim: int, b_ndim: int):
    """(a's contracted axes, b's), each a list of axes >= 0."""
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
        n = int(axes)
        if n < 0 or n > a_ndim or n > b_ndim:
            raise ValueError("tensordot: dimension of input tensors must be greater equal "
                             f"to dot-axes count ({n})")
        return list(range(a_ndim - n, a_ndim)), list(range(n))
    if isinstance(axes, Sequence) and not isinstance(axes, str):
        if len(axes) != 2:
            raise ValueError("tensordot: axes must be a pair of sequence of integers when "
                             "it is a list or tuple.")
        pair = []
        for ax, ndim in zip(axes, (a_ndim, b_ndim)):
            ax = [ax] if np.isscalar(ax) else list(ax)
            pair.append([int(i) % ndim if ndim else int(i) for i in ax])
        if len(pair[0]) != len(pair[1]):
            raise ValueError("tensordot: axes count mismatch")
        return pair
    raise TypeError("tensordot: axes must be a pair of sequence of integers or an integer")


def tensordot(a, b, axes=2) -> Variable:
    """Sum of products over the given axes of a and b (NumPy's tensordot):
    `axes` an int n (a's last n axes with b's first n) or a pair of
    sequences. Mixed float dtypes compute in NumPy's result dtype."""
    a, b = var(a), var(b)
    for x, name in ((a, "a"), (b, "b")):
        if x.dtype.kind != "f":
            raise invalid_in("TensorDot", InvalidType(f"{name}.dtype.kind == f",
                                                      f"{name}.dtype.kind = {x.dtype.kind}"))
    a_sum, b_sum = _axes_pair(axes, a.ndim, b.ndim)
    for i, j in zip(a_sum, b_sum):
        if not (0 <= i < a.ndim and 0 <= j < b.ndim):
            raise ValueError("tensordot: dimension of input tensors must be greater equal "
                             f"to dot-axes count ({len(a_sum)})")
        if a.shape[i] != b.shape[j]:
            raise ValueError(f"tensordot: shape mismatch: a.shape[{i}] = {a.shape[i]}, "
                             f"b.shape[{j}] = {b.shape[j]}")
    dtype = np.result_type(a.dtype, b.dtype)
    if a.dtype != dtype:
        a = call("cast", a, dtype=dtype)
    if b.dtype != dtype:
        b = call("cast", b, dtype=dtype)
    a_free = [i for i in range(a.ndim) if i not in a_sum]
    b_free = [j for j in range(b.ndim) if j not in b_sum]
    k = int(np.prod([a.shape[i] for i in a_sum], dtype=np.int64))
    m = int(np.prod([a.shape[i] for i in a_free], dtype=np.int64))
    n = int(np.prod([b.shape[j] for j in b_free], dtype=np.int64))
    a2 = _arrange(a, a_free + a_sum, (m, k))
    b2 = _arrange(b, b_sum + b_free, (k, n))
    out = call("matmul", a2, b2)
    shape = tuple(a.shape[i] for i in a_free) + tuple(b.shape[j] for j in b_free)
    return out if out.shape == shape else call("reshape", out, shape=shape)


def _arrange(x: Variable, order: list, shape: tuple) -> Variable:
    if order != list(range(x.ndim)):
        x = call("transpose", x, axes=tuple(order))
    return x if x.shape == shape else call("reshape", x, shape=shape)
