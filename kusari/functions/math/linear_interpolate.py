"""linear_interpolate (Chainer's chainer.functions.math.linear_interpolate)."""
from __future__ import annotations

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, var


def linear_interpolate(p, x, y) -> Variable:
    """p * x + (1 - p) * y, elementwise; p, x and y of one float dtype and
    one shape."""
    p, x, y = var(p), var(x), var(y)
    if p.dtype.kind != "f":
        raise invalid_in("LinearInterpolate", InvalidType("p.dtype.kind == f",
                                                          f"p.dtype.kind = {p.dtype.kind}"))
    for v, name in ((x, "x"), (y, "y")):
        if v.dtype != p.dtype:
            raise invalid_in("LinearInterpolate", InvalidType(f"{name}.dtype == p.dtype",
                                                              f"{v.dtype} != {p.dtype}"))
        if v.shape != p.shape:
            raise invalid_in("LinearInterpolate", InvalidType(f"p.shape == {name}.shape",
                                                              f"{p.shape} != {v.shape}"))
    return p * x + (1 - p) * y
