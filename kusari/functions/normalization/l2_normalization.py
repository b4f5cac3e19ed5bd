"""F.normalize: L2 normalization."""
from __future__ import annotations

from ...variable import Variable
from .._core import var
from ..loss._checks import expect, float_kind
from ..loss._ops import rsum, safe_sqrt


def normalize(x, eps=1e-5, axis=1) -> Variable:
    """x / (||x|| + eps), the norm taken over `axis` (an int or a tuple).
    Where the norm is 0 the gradient is gy / eps, as Chainer's."""
    x = var(x)
    expect("NormalizeL2", float_kind(x, "x"))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    norm = safe_sqrt(rsum(x * x, axes, keepdims=True)) + x.dtype.type(eps)
    return x / norm
