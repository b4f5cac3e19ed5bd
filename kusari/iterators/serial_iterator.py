"""`SerialIterator`: batches read in this thread, one example at a time."""
from __future__ import annotations

from ._base import EpochIterator, choose_order_sampler


class SerialIterator(EpochIterator):
    """Batches of `batch_size` examples of `dataset`, in a new random order
    each epoch (`shuffle=True`, the default when no `order_sampler` is
    given), in index order (`shuffle=False`), or in the order
    `order_sampler(current_order, current_position)` returns each epoch.

    With `repeat=True` it runs forever, batches running across epoch
    boundaries; otherwise it stops (StopIteration) after one epoch, whose last
    batch may be short. `epoch`, `epoch_detail`, `previous_epoch_detail`,
    `is_new_epoch` say where it is; `serialize` saves and restores that
    (snapshots are interchangeable with Chainer's).
    """

    def __init__(self, dataset, batch_size, repeat=True, shuffle=None, order_sampler=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self._repeat = repeat
        self._shuffle = shuffle
        self.order_sampler = choose_order_sampler(shuffle, order_sampler)
        self.reset()

    def __next__(self):
        self._previous_epoch_detail = self.epoch_detail
        self._state, indices = self._advance(self._state)
        if indices is None:
            raise StopIteration
        dataset = self.dataset
        return [dataset[index] for index in indices]

    next = __next__
