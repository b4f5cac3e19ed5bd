"""transpose_sequence: a batch of sequences as a sequence of batches."""
from __future__ import annotations

from .._core import call, var
from ._util import expect
from .pad import constant_pad


def transpose_sequence(xs) -> tuple:
    """Sequences `xs` (sorted by decreasing length) as a tuple of time steps:
    step t stacks element t of every sequence longer than t."""
    if not xs:
        return ()
    xs = [var(x) for x in xs]
    for i, (p, n) in enumerate(zip(xs, xs[1:])):
        expect("TransposeSequence", p.shape[0] >= n.shape[0],
               f"xs[{i}].shape[0] >= xs[{i + 1}].shape[0]", f"{p.shape[0]} < {n.shape[0]}")
        expect("TransposeSequence", p.shape[1:] == n.shape[1:],
               f"xs[{i}].shape[1:] == xs[{i + 1}].shape[1:]", f"{p.shape[1:]} != {n.shape[1:]}")
        if p.shape[0] < n.shape[0] or p.shape[1:] != n.shape[1:]:
            raise ValueError("transpose_sequence: sequences must be sorted by decreasing "
                             "length and share their other dimensions")
    length = xs[0].shape[0]
    # one batch (len(xs), length, ...) padded with zeros, time axis first
    rows = []
    for x in xs:
        if x.shape[0] < length:
            x = constant_pad(x, ((0, length - x.shape[0]),) + ((0, 0),) * (x.ndim - 1), 0)
        rows.append(call("reshape", x, shape=(1,) + x.shape))
    batch = call("concat", *rows, axis=0)
    axes = (1, 0) + tuple(range(2, batch.ndim))
    steps = call("transpose", batch, axes=axes)
    out = []
    for t in range(length):
        n = sum(1 for x in xs if x.shape[0] > t)
        out.append(call("getitem", steps, key=(("i", t), ("s", 0, n, None))))
    return tuple(out)
