"""flipud: reverse the rows (axis 0)."""
from __future__ import annotations

from .._core import Variable, var
from ._util import expect, expect_float
from .flip import reversed_along


def flipud(a) -> Variable:
    """`a` reversed along axis 0 (a float array of 1 or more dimensions)."""
    a = var(a)
    expect_float("FlipUD", a, "a")
    expect("FlipUD", a.ndim >= 1, "a.ndim >= 1", f"{a.ndim} < 1")
    if a.ndim < 1:
        raise ValueError("flipud needs an array of at least 1 dimension")
    return reversed_along(a, 0)
