"""rrelu (Chainer's chainer.functions.activation.rrelu)."""
from __future__ import annotations

import numpy as np

from ...compiler.errors import InvalidType, invalid_in
from ...configuration import config
from .._core import Variable
from ..math.selection import where
from ._common import compare, float_input


def rrelu(x, l: float = 1. / 8, u: float = 1. / 3, **kwargs):  # noqa: E741 - Chainer's name
    """x where x >= 0, else r * x. In training r is drawn uniformly from
    [l, u) per element (NumPy's global generator, as Chainer); in test mode
    it is (l + u) / 2. `r=` gives r; `return_r=True` returns (y, r)."""
    r = kwargs.pop("r", None)
    return_r = kwargs.pop("return_r", False)
    if kwargs:
        raise TypeError(f"rrelu() got unexpected keyword arguments {sorted(kwargs)}")
    if not 0.0 <= l < 1.0:
        raise ValueError("lower must be in the range [0, 1)")
    if not 0.0 <= u < 1.0:
        raise ValueError("upper must be in the range [0, 1)")
    if not l < u:
        raise ValueError("lower must be less than upper")
    x = float_input("RReLU", x)
    if r is not None:
        if r.dtype != x.dtype or r.shape != x.shape:
            raise invalid_in("RReLU", InvalidType("r.dtype == x.dtype and r.shape == x.shape",
                                                  f"r: {r.dtype}{r.shape}, "
                                                  f"x: {x.dtype}{x.shape}"))
    if not config.train:
        r = np.full(x.shape, (l + u) / 2, dtype=x.dtype)
    elif r is None:
        r = np.random.uniform(l, u, x.shape).astype(x.dtype, copy=False)
    y = where(compare("greater_equal", x, 0), x, x * r)
    return (y, r) if return_r else y
