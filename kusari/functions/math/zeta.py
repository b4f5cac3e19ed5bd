"""zeta (Chainer's chainer.functions.math.zeta): Hurwitz's zeta function;
its NumPy form is kusari's own (SciPy is not needed)."""
from __future__ import annotations

import numpy as np

from ...backends import cuda
from .._core import Variable, call, sent, var


def zeta(x, q) -> Variable:
    """Hurwitz's zeta function, the sum over k >= 0 of (q + k) ** -x,
    elementwise. `x` is a constant (a number or an array, taken in q's
    dtype); the result is differentiable in q only, as in Chainer."""
    q = var(q)
    if isinstance(x, Variable):
        x = x.array
    x = sent(x if cuda.is_cupy_array(x) else np.asarray(x), q)
    if q.dtype.kind == "f":
        x = x.astype(q.dtype, copy=False)
    return call("zeta", var(x), q)
