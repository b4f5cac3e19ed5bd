"""pad_sequence: arrays of different lengths padded into one batch."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import expect
from .pad import constant_pad


def pad_sequence(xs, length=None, padding=0) -> Variable:
    """The arrays `xs` (lengths along axis 0 may differ) padded with `padding`
    to `length` (the longest by default) and stacked: shape
    (len(xs), length) + xs[0].shape[1:]."""
    xs = [var(x) for x in xs]
    expect("PadSequence", len(xs) > 0, "in_types.size() > 0", "0 <= 0")
    if not xs:
        raise ValueError("pad_sequence needs at least one array")
    first = xs[0]
    for i, x in enumerate(xs):
        expect("PadSequence", x.ndim > 0, f"x{i}.ndim > 0", f"{x.ndim} <= 0")
        expect("PadSequence", x.shape[1:] == first.shape[1:],
               f"x{i}.shape[1:] == x0.shape[1:]", f"{x.shape[1:]} != {first.shape[1:]}")
        expect("PadSequence", x.dtype == first.dtype, f"x{i}.dtype == x0.dtype",
               f"{x.dtype} != {first.dtype}")
        if length is not None:
            expect("PadSequence", x.shape[0] <= length, f"x{i}.shape[0] <= length",
                   f"{x.shape[0]} > {length}")
    if any(x.ndim == 0 for x in xs) or any(x.shape[1:] != first.shape[1:] for x in xs):
        raise ValueError("pad_sequence: the arrays must have ndim > 0 and equal shape[1:]")
    if length is None:
        length = max(x.shape[0] for x in xs)
    if any(x.shape[0] > length for x in xs):
        raise ValueError(f"pad_sequence: an array is longer than length {length}")
    rows = []
    for x in xs:
        if x.shape[0] < length:
            widths = ((0, length - x.shape[0]),) + ((0, 0),) * (x.ndim - 1)
            x = constant_pad(x, widths, padding)
        rows.append(call("reshape", x, shape=(1,) + x.shape))
    return call("concat", *rows, axis=0)
