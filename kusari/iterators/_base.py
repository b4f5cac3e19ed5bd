"""What kusari's iterators share: the order sampler chosen from `shuffle`,
the epoch bookkeeping, `reset`, and `serialize` in Chainer's key layout
(`current_position`, `epoch`, `is_new_epoch`, `order`,
`previous_epoch_detail`; -1 stands for None, as some serializers cannot
store None)."""
from __future__ import annotations

import numpy

from ..dataset.iterator import Iterator
from ..serializer import Deserializer
from . import _statemachine
from .order_samplers import ShuffleOrderSampler


def choose_order_sampler(shuffle, order_sampler):
    """The order sampler an iterator uses: `shuffle=None` means the given
    sampler, or shuffling when none is given; True/False override, and may
    not be combined with a sampler."""
    if shuffle is not None:
        if order_sampler is not None:
            raise ValueError("`shuffle` is not `None` and a custom `order_sampler` "
                             "is set. Please set `shuffle` to `None` to use the "
                             "custom order sampler.")
        return ShuffleOrderSampler() if shuffle else None
    return ShuffleOrderSampler() if order_sampler is None else order_sampler


class EpochIterator(Iterator):
    """An iterator over `self.dataset` whose position is an IteratorState
    (`self._state`) advanced by `_statemachine.iterator_statemachine`."""

    _order_key = "order"            # the key its snapshots store the order under

    @property
    def current_position(self):
        return self._state.current_position

    @property
    def epoch(self):
        return self._state.epoch

    @property
    def is_new_epoch(self):
        return self._state.is_new_epoch

    @property
    def epoch_detail(self):
        size = self._epoch_size
        return self.epoch + (self.current_position / size if size else 0.)

    @property
    def previous_epoch_detail(self):
        if self._previous_epoch_detail < 0:
            return None
        return self._previous_epoch_detail

    @property
    def repeat(self):
        return self._repeat

    @property
    def _epoch_size(self):
        order = self._state.order
        return len(self.dataset) if order is None else len(order)

    def _advance(self, state):
        return _statemachine.iterator_statemachine(
            state, self.batch_size, self._repeat, self.order_sampler, len(self.dataset))

    def _initial_state(self):
        order = None
        if self.order_sampler is not None:
            order = self.order_sampler(numpy.arange(len(self.dataset)), 0)
        return _statemachine.IteratorState(0, 0, False, order)

    def _set_state(self, state):
        self._state = state

    def reset(self):
        """Back to the start of the first epoch (a new order is drawn)."""
        self._set_state(self._initial_state())
        self._previous_epoch_detail = -1.

    def serialize(self, serializer):
        current_position = serializer("current_position", self.current_position)
        epoch = serializer("epoch", self.epoch)
        is_new_epoch = serializer("is_new_epoch", self.is_new_epoch)
        order = self._state.order
        if order is not None:
            order = numpy.array(order)          # filled in place when loading
            self._serialize_order(serializer, order)
        if isinstance(serializer, Deserializer):
            self._set_state(_statemachine.IteratorState(
                int(current_position), int(epoch), bool(is_new_epoch), order))
        try:
            previous = serializer("previous_epoch_detail", self._previous_epoch_detail)
        except KeyError:        # snapshots older than Chainer v4: estimate it
            previous = self.epoch + \
                (self.current_position - self.batch_size) / self._epoch_size
            previous = max(previous, 0.) if self.epoch_detail > 0 else -1.
        self._previous_epoch_detail = -1. if previous is None else float(previous)

    def _serialize_order(self, serializer, order):
        keys = (self._order_key,) + tuple(
            k for k in ("order", "_order") if k != self._order_key)
        if not isinstance(serializer, Deserializer):
            serializer(keys[0], order)
            return
        for key in keys:                # Chainer's older snapshots use '_order'
            try:
                serializer(key, order)
                return
            except KeyError:
                continue
        raise KeyError(f"{keys[0]!r} is not in the snapshot")
