"""batch_l2_norm_squared (Chainer's chainer.functions.math.batch_l2_norm_squared)."""
from __future__ import annotations

import numpy as np

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call, var
from ._axis import check_float


def batch_l2_norm_squared(x) -> Variable:
    """The squared L2 norm of each sample: x (B, ...) gives (B,)."""
    x = var(x)
    check_float("BatchL2NormSquared", x)
    if x.ndim < 2:
        raise invalid_in("BatchL2NormSquared", InvalidType("x.ndim >= 2", f"x.ndim = {x.ndim}"))
    flat = call("reshape", x, shape=(x.shape[0], int(np.prod(x.shape[1:], dtype=np.int64))))
    return call("sum", flat * flat, axis=(1,), keepdims=False)
