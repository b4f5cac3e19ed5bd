"""L.CRF1d: a linear-chain conditional random field."""
from __future__ import annotations

import numpy as np

from ... import initializers
from ...functions.array.transpose_sequence import transpose_sequence
from ...functions.loss import crf1d as _crf
from ...link import Link
from ...variable import Parameter


def _longest_first(xs):
    """The order of the sequences xs by length, longest first (stable)."""
    return np.argsort([-len(x) for x in xs], kind="stable")


def _permuted(xs, order, inverse: bool = False):
    if inverse:
        out = [None] * len(xs)
        for i, j in enumerate(order):
            out[j] = xs[i]
        return out
    return [xs[i] for i in order]


class CRF1d(Link):
    """A linear-chain CRF over `n_label` labels with a learned transition
    cost (n_label, n_label), zero at first. forward(xs, ys) is the negative
    log-likelihood; argmax(xs) the best paths. With transpose=True, xs and ys
    are per-sequence lists (any order) instead of per-step batches."""

    def __init__(self, n_label, initial_cost=None):
        super().__init__()
        if initial_cost is None:
            initial_cost = initializers.Zero()
        with self.init_scope():
            self.cost = Parameter(initializer=initial_cost, shape=(n_label, n_label))

    def forward(self, xs, ys, reduce="mean", transpose=False):
        if transpose:
            order = _longest_first(xs)
            xs = transpose_sequence(_permuted(xs, order))
            ys = transpose_sequence(_permuted(ys, order))
        return _crf.crf1d(self.cost, xs, ys, reduce)

    def argmax(self, xs, transpose=False):
        if not transpose:
            return _crf.argmax_crf1d(self.cost, xs)
        order = _longest_first(xs)
        score, path = _crf.argmax_crf1d(self.cost, transpose_sequence(_permuted(xs, order)))
        path = [p.array for p in transpose_sequence(path)]
        return score, _permuted(path, order, inverse=True)
