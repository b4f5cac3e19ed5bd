"""dropout: zero elements at random in training, scale the rest."""
from __future__ import annotations

import numpy as np

from ...configuration import state
from .._core import Variable, call, operand, var
from ._random import parse_kwargs, uniform


def _mask(shape: tuple, ratio: float, dtype) -> Variable:
    """Chainer's mask: (rand >= ratio) * scale, in x's dtype."""
    u = uniform(shape)
    keep = call("greater_equal", u, operand(ratio, u))
    flag = call("cast", keep, dtype=np.dtype(dtype))
    return call("mul", flag, operand(np.dtype(dtype).type(1.0 / (1.0 - ratio)), flag))


def dropout(x, ratio: float = .5, **kwargs):
    """In training (``config.train``), each element of x zeroed with
    probability `ratio` and the others scaled by 1 / (1 - ratio); outside
    training x itself. ``mask=`` gives the scaled mask to use instead of a
    random one; ``return_mask=True`` returns (y, mask) (mask None outside
    training). Draws np.random.rand(*x.shape), as Chainer does."""
    mask, return_mask = parse_kwargs("dropout", kwargs, {"mask": None, "return_mask": False})
    if not state.train:
        out = var(x)
        return (out, None) if return_mask else out
    if not 0.0 <= ratio < 1.0:
        raise ValueError("dropout_ratio must be in the range [0, 1)")
    x = var(x)
    if x.dtype.kind != "f":
        from ...compiler.errors import InvalidType, invalid_in
        raise invalid_in("Dropout", InvalidType("x.dtype.kind == f", f"{x.dtype.kind} != f"))
    if mask is None:
        m = _mask(x.shape, ratio, x.dtype)
        y = call("mul", x, m)
        mask = m.array
    else:
        m = mask if isinstance(mask, Variable) else var(mask)
        y = call("mul", x, m)
    return (y, mask) if return_mask else y
