"""Elementwise selection with scalars, for the other functions' use: where
(a scalar branch takes the other branch's dtype) and select (each branch
computed only where it is taken). F.where itself is Chainer's, in
kusari.functions.array."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, operand, scalar_like, var


def where(condition, x, y) -> Variable:
    """x where condition holds, else y (broadcasting; one may be a scalar)."""
    condition = var(condition)
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        raise TypeError("where needs at least one of x and y to be an array")
    if isinstance(x, (int, float, np.generic)):
        y = var(y)
        x = operand(x, y)
    else:
        x = var(x)
        y = operand(y, x)
    return call("where", condition, x, y)


def select(condition, x, if_true, if_false, safe: float = 0.0) -> Variable:
    """where(condition, if_true(x), if_false(x)), each branch computed only
    where it is taken: elsewhere it sees `safe` instead of x (a branch given
    as None is x itself).

    where's gradient sends 0 to the branch it does not take, but that
    branch's own gradient multiplies the 0 by its derivative at x: 0 * inf
    is NaN where the untaken branch overflows or is undefined (expm1 of a
    large x). Seeing `safe` there instead, it passes the 0 on unharmed."""
    condition = var(condition)
    x = var(x)
    s = scalar_like(x, safe)
    on_true = x if if_true is None else if_true(call("where", condition, x, s))
    on_false = x if if_false is None else if_false(call("where", condition, s, x))
    return where(condition, on_true, on_false)
