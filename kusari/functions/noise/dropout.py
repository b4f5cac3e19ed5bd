"""dropout: zero elements at random in training, scale the rest."""
from __future__ import annotations

import numpy as np

from ... import tracing
from ...configuration import state
from .._core import Variable, call, operand, var
from ._random import parse_kwargs, uniform


def _mask(shape: tuple, ratio: float, dtype, like=None) -> Variable:
    """Chainer's mask: (rand >= ratio) * scale, in x's dtype (a constant:
    computed at once eagerly, from the traced draw under jit), drawn on the
    device of `like` (CuPy's generator for a CuPy array)."""
    scale = np.dtype(dtype).type(1.0 / (1.0 - ratio))
    if not (tracing.TRACING and tracing.active() is not None):
        return var(scale * (uniform(shape, like).array >= ratio))
    u = uniform(shape)
    keep = call("greater_equal", u, operand(ratio, u))
    flag = call("cast", keep, dtype=np.dtype(dtype))
    return call("mul", flag, operand(scale, flag))


class Dropout:
    """Chainer's Dropout function object: ``Dropout(ratio).apply((x,))`` is
    dropout with one mask, drawn at the first application and reused by the
    later ones (as Chainer's is); the mask is `self.mask`."""

    def __init__(self, dropout_ratio: float, mask=None, return_mask: bool = False):
        if not 0.0 <= dropout_ratio < 1.0:
            raise ValueError("dropout_ratio must be in the range [0, 1)")
        self.dropout_ratio = dropout_ratio
        self.mask = mask
        self.return_mask = return_mask

    def apply(self, inputs) -> tuple:
        x, = inputs
        x = var(x)
        _check_float(x)
        if self.mask is None:
            m = _mask(x.shape, self.dropout_ratio, x.dtype, x.array)
            # (inside a trace the mask is the traced Variable)
            self.mask = m if isinstance(m.array, tracing.Traced) else m.array
        else:
            m = self.mask if isinstance(self.mask, Variable) else var(self.mask)
            if m.dtype != x.dtype:        # (NumPy would promote; the mask's values stay)
                m = call("cast", m, dtype=x.dtype)
        return (call("mul", x, m),)


def _check_float(x: Variable) -> None:
    if x.dtype.kind != "f":
        from ...compiler.errors import InvalidType, invalid_in
        raise invalid_in("Dropout", InvalidType("x.dtype.kind == f", f"{x.dtype.kind} != f"))


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
    func = Dropout(ratio, mask, return_mask)
    y, = func.apply((x,))
    return (y, func.mask) if return_mask else y
