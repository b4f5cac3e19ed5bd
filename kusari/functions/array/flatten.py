"""flatten: x as a 1-D array."""
from __future__ import annotations

from .._core import Variable, var
from .reshape import reshape


def flatten(x) -> Variable:
    """`x` as a 1-D array (x itself if it is one already, as in Chainer)."""
    x = var(x)
    return reshape(x, (x.size,))
