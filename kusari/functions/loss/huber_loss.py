"""F.huber_loss."""
from __future__ import annotations

from ...variable import Variable
from .._core import call, scalar_like
from ._checks import check_reduce
from .mean_squared_error import _pair


def huber_loss(x, t, delta, reduce: str = "sum_along_second_axis") -> Variable:
    """Half the squared error where |x - t| <= delta, delta (|x - t| - delta / 2)
    beyond: Chainer's min(d^2, max(2 delta |d| - delta^2, delta^2)) / 2. Its
    gradient is clip(x - t, -delta, delta). reduce="sum_along_second_axis"
    sums over axis 1."""
    check_reduce(reduce, ("sum_along_second_axis", "no"), capital=True)
    x, t = _pair("HuberLoss", x, t)
    d = x - t
    a = call("abs", d)
    dl = x.dtype.type(delta)
    linear = call("maximum", a * (2 * dl) - dl * dl, scalar_like(x, dl * dl))
    y = call("minimum", d * d, linear) * 0.5
    if reduce == "sum_along_second_axis":
        return call("sum", y, axis=(1,), keepdims=False)
    return y
