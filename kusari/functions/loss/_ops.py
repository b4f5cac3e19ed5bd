"""Small wrappers over registry ops that the loss, evaluation and
normalization functions share (axes normalized as the IR keeps them)."""
from __future__ import annotations

import numpy as np

from ...variable import Variable
from .._core import call, sent, var


def _axes(axis, ndim: int) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    return tuple(sorted(int(a) % ndim for a in axis))


def rsum(x: Variable, axis=None, keepdims: bool = False) -> Variable:
    return call("sum", x, axis=_axes(axis, x.ndim), keepdims=bool(keepdims))


def rmean(x: Variable, axis=None, keepdims: bool = False) -> Variable:
    return call("mean", x, axis=_axes(axis, x.ndim), keepdims=bool(keepdims))


def reshape(x: Variable, shape) -> Variable:
    shape = tuple(int(d) for d in shape)
    return x if x.shape == shape else call("reshape", x, shape=shape)


def broadcast_to(x: Variable, shape) -> Variable:
    shape = tuple(shape)
    return x if x.shape == shape else call("broadcast_to", x, shape=shape)


def cast(x: Variable, dtype) -> Variable:
    dtype = np.dtype(dtype)
    return x if x.dtype == dtype else call("cast", x, dtype=dtype)


def onehot(t: Variable, n: int, dtype=None) -> Variable:
    """(t[..., None] == arange(n)): a boolean one-hot of integer labels t,
    or of `dtype`."""
    iota = var(sent(np.arange(n, dtype=t.dtype), t))
    hit = call("equal", reshape(t, t.shape + (1,)), iota)
    return hit if dtype is None else cast(hit, dtype)


def safe_sqrt(s: Variable) -> Variable:
    """sqrt(s) for s >= 0 whose gradient is 0, not inf (NaN once multiplied
    by a zero), where s is 0: the norms here are 0 only where every element
    is, and there Chainer's rules give 0 too."""
    from .._core import scalar_like
    nonzero = call("not_equal", s, scalar_like(s, 0))
    root = call("sqrt", call("where", nonzero, s, scalar_like(s, 1)))
    return call("where", nonzero, root, scalar_like(s, 0))


def concrete(x: Variable) -> bool:
    """Whether x holds values (not a placeholder being traced by jit)."""
    from ...tracing import Traced
    return x.array is not None and type(x.array) is not Traced
