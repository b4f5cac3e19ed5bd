"""where: choose elementwise between two arrays."""
from __future__ import annotations

import numpy as np

from ...compiler.errors import InvalidType, invalid_in
from ...compiler.ops.registry import broadcast_shapes
from .._core import Variable, call, var
from ._util import expect


def where(condition, x, y) -> Variable:
    """x where `condition` holds, else y (broadcasting); no gradient flows to
    the condition."""
    if not isinstance(condition, Variable):     # (a Variable: no gradient flows to it)
        condition = var(condition if hasattr(condition, "shape") else np.asarray(condition))
    x, y = var(x), var(y)
    expect("Where", condition.dtype == np.bool_, "condition.dtype == bool",
           f"{condition.dtype} != bool")
    expect("Where", x.dtype == y.dtype, "x.dtype == y.dtype", f"{x.dtype} != {y.dtype}")
    try:
        broadcast_shapes([condition.shape, x.shape, y.shape], ["condition", "x", "y"])
    except InvalidType as e:
        raise invalid_in("Where", e) from None
    return call("where", condition, x, y)
