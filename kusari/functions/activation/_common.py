"""Checks and helpers the activation functions share."""
from __future__ import annotations

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call, scalar_like, var


def float_input(label: str, x) -> Variable:
    """x as a Variable, checked to be float (Chainer's x.dtype.kind == 'f')."""
    x = var(x)
    if x.dtype.kind != "f":
        raise invalid_in(label, InvalidType("x.dtype.kind == f",
                                            f"x.dtype.kind = {x.dtype.kind}"))
    return x


def compare(op: str, x: Variable, value: float) -> Variable:
    """x <op> value as a bool Variable (no gradient)."""
    return call(op, x, scalar_like(x, value))


def along_axis1(label: str, x: Variable, w: Variable, name: str) -> Variable:
    """w (shape x.shape[1:1 + w.ndim]) reshaped to broadcast over x, as
    Chainer's PReLU and Swish take their parameters."""
    if w.dtype != x.dtype:
        raise invalid_in(label, InvalidType(f"{name}.dtype == x.dtype",
                                            f"{w.dtype} != {x.dtype}"))
    if x.ndim < w.ndim + 1 or x.shape[1:1 + w.ndim] != w.shape:
        raise invalid_in(label, InvalidType(f"x.shape[1:1 + {name}.ndim] == {name}.shape",
                                            f"x.shape = {x.shape}, {name}.shape = {w.shape}"))
    shape = (1,) + w.shape + (1,) * (x.ndim - w.ndim - 1)
    return call("reshape", w, shape=shape) if shape != w.shape else w
