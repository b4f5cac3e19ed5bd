"""clipped_relu and relu6 (Chainer's chainer.functions.activation.clipped_relu)."""
from __future__ import annotations

from .._core import Variable, call
from ..math.selection import where
from ._common import compare, float_input


def clipped_relu(x, z: float = 20.0) -> Variable:
    """min(max(0, x), z); the gradient is 1 where 0 < x < z, else 0."""
    if not isinstance(z, float):
        raise TypeError(f"clipped_relu: z must be float value, not {type(z).__name__}")
    if not z > 0:
        raise ValueError(f"clipped_relu: z must be positive, not {z!r}")
    x = float_input("ClippedReLU", x)
    return where(compare("greater_equal", x, z), z, call("relu", x))


def relu6(x) -> Variable:
    """min(max(0, x), 6)."""
    return clipped_relu(x, 6.0)
