"""celu: continuously differentiable ELU (a kusari extension; not in Chainer 7)."""
from __future__ import annotations

from .._core import Variable, call
from ..math.selection import select
from ._common import compare, float_input


def celu(x, alpha: float = 1.0) -> Variable:
    """x where x > 0, else alpha * (exp(x / alpha) - 1); alpha > 0."""
    if not alpha > 0:
        raise ValueError(f"celu: alpha must be positive, not {alpha!r}")
    x = float_input("CELU", x)
    return select(compare("greater", x, 0), x, None,
                  lambda v: call("expm1", v * (1.0 / alpha)) * alpha)
