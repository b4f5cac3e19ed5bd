"""polygamma (Chainer's chainer.functions.math.polygamma); its NumPy form is
kusari's own (SciPy is not needed)."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, var
from ._unary import node_class


def polygamma(n, x) -> Variable:
    """The n-th derivative of digamma at x, elementwise (n an integer array,
    broadcast with x; n = 0 is digamma). Differentiable in x only."""
    if isinstance(n, (int, np.integer)) and not isinstance(n, bool):
        n = np.asarray(n)               # (a kusari extension: an int n)
    return call("polygamma", var(n), var(x))


PolyGamma = node_class("PolyGamma", "polygamma", "polygamma")
