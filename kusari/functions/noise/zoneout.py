"""zoneout: keep each element of the previous state at random in training."""
from __future__ import annotations

from ...configuration import state
from .._core import Variable, call, operand, var
from ._random import parse_kwargs, uniform


def zoneout(h, x, ratio: float = .5, **kwargs) -> Variable:
    """In training, h where a uniform draw is below `ratio`, else x (draws
    np.random.rand(*x.shape), as Chainer does); outside training x."""
    parse_kwargs("zoneout", kwargs, {})
    if not state.train:
        return var(x)
    h, x = var(h), var(x)
    u = uniform(x.shape, like=x.array)
    keep_x = call("greater_equal", u, operand(ratio, u))
    keep_h = call("logical_not", keep_x)
    return call("add", call("mul", h, call("cast", keep_h, dtype=h.dtype)),
                call("mul", x, call("cast", keep_x, dtype=x.dtype)))

