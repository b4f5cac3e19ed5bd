"""elu (Chainer's chainer.functions.activation.elu)."""
from __future__ import annotations

from .._core import Variable, call
from ..math.selection import select
from ._common import compare, float_input


def elu(x, alpha: float = 1.0) -> Variable:
    """x where x > 0, else alpha * (exp(x) - 1) (the gradient at 0 is alpha,
    as in Chainer). expm1 sees only the inputs it is taken at, so a large x
    gets gradient 1, not 0 * inf."""
    x = float_input("ELU", x)
    return select(compare("greater", x, 0), x, None, lambda v: call("expm1", v) * alpha)
