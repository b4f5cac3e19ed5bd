"""cast: x as another dtype."""
from __future__ import annotations

import numpy as np

from ...configuration import state
from .._core import Variable, call, var


def cast(x, typ) -> Variable:
    """`x` as dtype `typ`; gradients flow back cast to x's dtype (to float
    inputs only). A cast to x's own dtype is x itself when backprop is off
    (a Variable of the same array when x is an array), else a new node, as
    in Chainer."""
    typ = np.dtype(typ)
    if typ.kind not in "biuf":
        raise TypeError(f"Cast: kusari computes on bool, integer and float arrays, "
                        f"not {typ}")
    if x.dtype == typ and (not state.enable_backprop or not isinstance(x, Variable)):
        # a Variable of the same array, as Chainer's no-op cast gives (from an
        # array nothing can backpropagate, so no node is needed either)
        return var(x)
    return call("cast", var(x), dtype=typ)
