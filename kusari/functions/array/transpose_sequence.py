"""transpose_sequence: a batch of sequences as a sequence of batches."""
from __future__ import annotations

import numpy as np

from .._core import call, var
from ._util import expect


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
    lengths = [x.shape[0] for x in xs]
    # every row once, time-major: step t is rows offsets[t]:offsets[t + 1]
    starts = np.cumsum([0] + lengths[:-1])
    order = np.array([starts[i] + t for t in range(length)
                      for i, n in enumerate(lengths) if n > t], np.int64)
    rows = call("concat", *xs, axis=0) if len(xs) > 1 else xs[0]
    packed = call("getitem", rows, var(order), key=(("a", 0),))
    batch = [sum(1 for n in lengths if n > t) for t in range(length)]
    offsets = np.cumsum([0] + batch)
    return tuple(call("getitem", packed, key=(("s", int(a), int(b), None),))
                 for a, b in zip(offsets, offsets[1:]))
