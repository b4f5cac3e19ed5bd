"""cast: x as another dtype."""
from __future__ import annotations

import numpy as np

from ...configuration import state
from .._core import Variable, call, var


def cast(x, typ) -> Variable:
    """`x` as dtype `typ`; gradients flow back cast to x's dtype (to float
    inputs only). A cast to x's own dtype is x itself when backprop is off,
    else a new node, as in Chainer."""
    typ = np.dtype(typ)
    if typ.kind not in "biuf":
        raise TypeError(f"Cast: kusari computes on bool, integer and float arrays, "
                        f"not {typ}")
    if x.dtype == typ and not state.enable_backprop:
        return var(x)
    return call("cast", var(x), dtype=typ)
