"""F.connectionist_temporal_classification: the CTC loss."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...variable import Variable
from .._core import call, host, sent, var
from ._checks import check_reduce, expect, float_kind, ndim_is
from ._ops import concrete, rmean


def _values(a, name: str):
    """The array of labels or lengths (they choose the paths: values are needed)."""
    if isinstance(a, Variable):
        if not concrete(a):
            raise TypeError(f"connectionist_temporal_classification: {name} must have "
                            "values (it cannot be traced)")
    return host(a)


def connectionist_temporal_classification(x, t, blank_symbol, input_length=None,
                                          label_length=None, reduce="mean") -> Variable:
    """-log p(t | x) summed over the alignments of the labels t (with blanks
    `blank_symbol` between and around them) to the T steps of x (a list of
    (batch, vocabulary) scores, softmax taken over the vocabulary), by the
    forward algorithm in log space (-1e10, -1e4 in float16, standing for
    log 0 as in Chainer). input_length and label_length give each sample's
    own lengths; reduce="mean" averages over the batch."""
    if not isinstance(x, Sequence):
        raise TypeError("x must be a list of Variables")
    if not isinstance(blank_symbol, int):
        raise TypeError("blank_symbol must be non-negative integer.")
    assert 0 <= blank_symbol < x[0].shape[1]
    assert x[0].ndim == 2
    check_reduce(reduce, ("mean", "no"))
    from ..array import get_item, stack
    from ..math.logsumexp import logsumexp
    xs = stack(list(x))                                              # (T, batch, V)
    t = _values(t, "t")
    steps, batch = xs.shape[0], xs.shape[1]
    input_length = np.full(batch, steps, np.int32) if input_length is None else \
        _values(input_length, "input_length")
    label_length = np.full(len(t), t.shape[1], np.int32) if label_length is None else \
        _values(label_length, "label_length")
    expect("ConnectionistTemporalClassification",
           (input_length.dtype == np.int32, "input_length.dtype == int32",
            f"{input_length.dtype} != int32"), ndim_is(input_length, 1, "input_length"),
           (label_length.dtype == np.int32, "label_length.dtype == int32",
            f"{label_length.dtype} != int32"), ndim_is(label_length, 1, "label_length"),
           ndim_is(t, 2, "t"), (t.dtype == np.int32, "t.dtype == int32", f"{t.dtype} != int32"),
           ndim_is(xs, 3, "x"), float_kind(xs, "x"),
           (t.shape[0] == batch, "t.shape[0] == x.shape[1]", f"{t.shape[0]} != {batch}"),
           (input_length.shape[0] == batch, "input_length.shape[0] == x.shape[1]",
            f"{input_length.shape[0]} != {batch}"),
           (label_length.shape[0] == batch, "label_length.shape[0] == x.shape[1]",
            f"{label_length.shape[0]} != {batch}"))
    pad = -10000.0 if xs.dtype == np.float16 else -10000000000.0
    width = 2 * t.shape[1] + 1
    path = np.full((batch, width), blank_symbol, np.int32)
    path[:, 1::2] = t
    path_length = 2 * label_length + 1
    positions = np.arange(width)
    inside = positions < path_length[:, None]
    skip = np.zeros((batch, width), bool)                 # s - 2 -> s allowed
    skip[:, 2:] = path[:, 2:] != path[:, :-2]
    last = (positions == path_length[:, None] - 1) | (positions == path_length[:, None] - 2)
    log_y = call("log_softmax", xs, axis=2)
    picked = get_item(log_y, (slice(None), np.arange(batch)[:, None], path))  # (T, b, w)
    dtype = xs.dtype

    def const(a):              # (made here, on the host: sent where x is)
        return var(sent(a, xs))
    pad_var = const(np.full((batch, width), pad, dtype))
    alpha = const(np.where(positions == 0, 0, pad).astype(dtype)[None].repeat(batch, 0))
    pad1, pad2 = const(np.full((batch, 1), pad, dtype)), const(np.full((batch, 2), pad, dtype))
    skip, inside, last = const(skip), const(inside), const(last)
    for step in range(steps):
        shift1 = call("concat", pad1, alpha[:, :-1], axis=1)
        shift2 = call("concat", pad2, alpha[:, :-2], axis=1) if width > 2 else pad_var
        shift2 = call("where", skip, shift2, pad_var)
        new = logsumexp(stack([alpha, shift1, shift2]), axis=0)
        new = call("where", inside, new, pad_var) + picked[step]
        running = const((step < input_length)[:, None])
        alpha = call("where", running, new, alpha)
    log_p = logsumexp(call("where", last, alpha, pad_var), axis=1)
    loss = -log_p
    return rmean(loss) if reduce == "mean" else loss
