"""Where an iterator is (position, epoch, order) and the next batch's
indices: one function all of kusari's iterators share, so they agree on
every epoch boundary and can load each other's snapshots."""
from __future__ import annotations

import collections

import numpy

IteratorState = collections.namedtuple(
    "IteratorState", ("current_position", "epoch", "is_new_epoch", "order"))


def iterator_statemachine(state, batch_size, repeat, order_sampler, dataset_len):
    """(next state, indices of the next batch), or (state, None) when a
    non-repeating iterator has finished its epoch.

    A batch that reaches the end of the epoch takes what is left and, when
    repeating, continues from the start of the next epoch (whose order the
    order sampler draws, given the old order and the position where the
    batch's tail began). A batch ending exactly at the end also starts the
    next epoch: position 0, `is_new_epoch` True.
    """
    position, epoch, _, order = state
    if not repeat and epoch > 0:
        return state, None
    n = dataset_len if order is None else len(order)
    if repeat and n == 0:
        raise ValueError("Epoch size must be positive for an iterator that repeats.")
    pieces = []
    remaining = batch_size
    is_new_epoch = False
    while position + remaining >= n:
        pieces.append(_indices(order, position, n))
        remaining -= n - position
        epoch += 1
        is_new_epoch = True
        if order is not None:
            new_order = order_sampler(order, position)
            if len(new_order) != len(order):
                raise ValueError(
                    "The size of order does not match the size of the previous "
                    f"order: the order sampler returned {len(new_order)} indices "
                    f"for {len(order)}")
            order = new_order
        position = 0
        if not repeat:
            remaining = 0
            break
    pieces.append(_indices(order, position, position + remaining))
    state = IteratorState(position + remaining, epoch, is_new_epoch, order)
    return state, numpy.concatenate(pieces)


def _indices(order, start, stop):
    if order is None:
        return numpy.arange(start, stop, dtype=numpy.intp)
    return numpy.asarray(order[start:stop])
