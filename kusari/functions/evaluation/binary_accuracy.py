"""F.binary_accuracy."""
from __future__ import annotations

import numpy as np

from ...variable import Variable
from .._core import call, scalar_like, var
from ..loss._checks import expect, float_kind, int_kind, same_shape
from ..loss._ops import cast, rsum

_I64 = np.dtype(np.int64)


def binary_accuracy(y, t) -> Variable:
    """The fraction of labels t (0 or 1; -1 is ignored) that y >= 0 predicts."""
    y, t = var(y), var(t)
    expect("BinaryAccuracy", float_kind(y, "x"), int_kind(t, "t"), same_shape(t, y, "t", "x"))
    pred = cast(call("greater_equal", y, scalar_like(y, 0)), t.dtype)
    hits = rsum(cast(call("equal", pred, t), _I64))
    count = rsum(cast(call("not_equal", t, scalar_like(t, -1)), _I64))
    count = call("maximum", count, scalar_like(count, 1))
    return cast(hits / count, y.dtype)
