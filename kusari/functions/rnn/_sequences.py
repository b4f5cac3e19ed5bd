"""Between a list of sequences and the time-major batches the n-step
functions read: what the n-step links do around them (Chainer's
transpose_sequence and permutate, here as gathers, whose gradient is a
scatter_add, so it differentiates to any order)."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, var


def by_time(xs: list) -> list:
    """Sequences sorted by decreasing length -> one batch per time step:
    step t holds row t of every sequence longer than t."""
    xs = [var(x) for x in xs]
    lengths = [x.shape[0] for x in xs]
    joined = xs[0] if len(xs) == 1 else call("concat", *xs, axis=0)
    if len(xs) == 1:
        return [call("getitem", joined, key=(("s", t, t + 1, None),)) for t in range(lengths[0])]
    starts = np.cumsum([0] + lengths[:-1])
    return [_gather(joined, [s + t for s, n in zip(starts, lengths) if n > t])
            for t in range(max(lengths, default=0))]


def by_sequence(ys: list, lengths: list) -> list:
    """The inverse of by_time: time-major batches -> one array per sequence
    (of `lengths`, sorted decreasing)."""
    ys = [var(y) for y in ys]
    joined = ys[0] if len(ys) == 1 else call("concat", *ys, axis=0)
    batches = [y.shape[0] for y in ys]
    starts = np.cumsum([0] + batches[:-1])
    return [_gather(joined, [starts[t] + i for t in range(n)]) for i, n in enumerate(lengths)]


def permute_batch(h, order) -> Variable:
    """h[:, order]: states (layers, batch, units) in another batch order."""
    from ..array.get_item import get_item
    return get_item(var(h), (slice(None), np.asarray(order, np.int32)))


def _gather(x: Variable, index: list) -> Variable:
    from ..array.get_item import get_item
    return get_item(x, np.asarray(index, np.int32))
