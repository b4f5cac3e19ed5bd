"""float16 helpers: compute in float32, return float16."""
from __future__ import annotations

import functools

import numpy


def _fp16_mixed_precision_helper(fn):
    """Decorate `fn(self, in_data)` so float16 inputs are computed in float32
    and, when no input is float32/64, float32 outputs come back as float16."""
    @functools.wraps(fn)
    def wrapper(self, in_data):
        all_half = all(x.dtype.kind != "f" or x.dtype == numpy.float16
                       for x in in_data)
        widened = tuple(x.astype(numpy.float32) if x.dtype == numpy.float16 else x
                        for x in in_data)
        out = fn(self, widened)
        if all_half:
            out = tuple(y.astype(numpy.float16)
                        if y is not None and y.dtype == numpy.float32 else y
                        for y in out)
        return out
    return wrapper
