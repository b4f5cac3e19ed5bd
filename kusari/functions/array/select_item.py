"""select_item: one item of every row, chosen by labels."""
from __future__ import annotations

import numpy as np

from ...configuration import state
from ...tracing import Traced
from .._core import Variable, call, var


def select_item(x, t) -> Variable:
    """x[i, t[i]] for each row i of the 2-D `x`."""
    x, t = var(x), var(t)
    if state.debug and not isinstance(t.array, Traced) and x.ndim == 2:
        labels = np.asarray(t.array)
        if not ((0 <= labels).all() and (labels < x.shape[1]).all()):
            raise ValueError("Each label `t` need to satisfty `0 <= t < x.shape[1]`")
    return call("select_item", x, t)
