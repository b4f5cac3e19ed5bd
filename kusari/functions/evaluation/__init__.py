"""Evaluation functions (no gradient)."""
from __future__ import annotations

__all__ = ['accuracy']

from .._core import Variable, call, scalar_like, var
from ..math import argmax, cast, sum, where  # noqa: A004


def accuracy(y, t, ignore_label=None) -> Variable:
    """The fraction of rows whose argmax over axis 1 equals t."""
    y, t = var(y), var(t)
    pred = argmax(y, axis=1)
    if pred.shape != t.shape:
        from ..array import reshape
        pred = reshape(pred, t.shape)
    hit = call("equal", cast(pred, t.dtype), t)
    if ignore_label is None:
        return cast(sum(cast(hit, y.dtype)), y.dtype) * (1.0 / max(t.size, 1))
    valid = call("not_equal", t, scalar_like(t, ignore_label))
    hits = sum(cast(call("logical_and", hit, valid), y.dtype))
    count = sum(cast(valid, y.dtype))
    return hits / where(call("greater", count, scalar_like(count, 0)), count,
                        scalar_like(count, 1))
