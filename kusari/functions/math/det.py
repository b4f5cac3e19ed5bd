"""det and batch_det (Chainer's chainer.functions.math.det)."""
from __future__ import annotations

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call, var
from ._axis import check_float


def _determinant(label: str, a, ndim: int) -> Variable:
    a = var(a)
    check_float(label, a, "a")
    if a.ndim != ndim:
        raise invalid_in(label, InvalidType(f"a.ndim == {ndim}", f"a.ndim = {a.ndim}"))
    if a.shape[-1] != a.shape[-2]:
        raise invalid_in(label, InvalidType("a.shape[-1] == a.shape[-2]",
                                            f"{a.shape[-1]} != {a.shape[-2]}"))
    return call("det", a)


def det(a) -> Variable:
    """The determinant of a square matrix (a 0-d result). Its gradient is
    gy det(a) inv(a)^T."""
    return _determinant("Det", a, 2)


def batch_det(a) -> Variable:
    """The determinants of a batch of square matrices, a (B, N, N)."""
    return _determinant("BatchDet", a, 3)
