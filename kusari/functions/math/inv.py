"""inv and batch_inv (Chainer's chainer.functions.math.inv)."""
from __future__ import annotations


from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call, var
from ._axis import check_float


def _inverse(label: str, a, ndim: int) -> Variable:
    a = var(a)
    check_float(label, a, "a")
    if a.ndim != ndim:
        raise invalid_in(label, InvalidType(f"a.ndim == {ndim}", f"a.ndim = {a.ndim}"))
    if a.shape[-1] != a.shape[-2]:
        raise invalid_in(label, InvalidType("a.shape[-1] == a.shape[-2]",
                                            f"{a.shape[-1]} != {a.shape[-2]}"))
    try:
        return call("inv", a)
    except InvalidType as e:
        if "ingular" in str(e):
            raise ValueError(f"{label}: input has singular matrices") from None
        raise


def inv(a) -> Variable:
    """The inverse of a square matrix; a singular one raises ValueError. Its
    gradient is -inv(a)^T gy inv(a)^T."""
    return _inverse("Inv", a, 2)


def batch_inv(a) -> Variable:
    """The inverses of a batch of square matrices, a (B, N, N)."""
    return _inverse("BatchInv", a, 3)


