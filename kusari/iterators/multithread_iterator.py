"""`MultithreadIterator`: examples read by worker threads, the next batch
while the current one is used."""
from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

from ._base import EpochIterator, choose_order_sampler


class _ThreadPool:
    """`n` daemon threads running submitted functions (daemon: a read that
    never returns cannot keep the interpreter from exiting)."""

    def __init__(self, n):
        self._tasks = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"MultithreadIterator-{i}",
                                          daemon=True) for i in range(n)]
        for t in self._threads:
            t.start()

    def _work(self):
        while True:
            task = self._tasks.get()
            if task is None:
                return
            future, function, args = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as e:     # handed to the thread that waits
                future.set_exception(e)

    def submit(self, function, *args) -> Future:
        future = Future()
        self._tasks.put((future, function, args))
        return future

    def shutdown(self):
        for _ in self._threads:
            self._tasks.put(None)


def _read(dataset, indices):
    return [dataset[i] for i in indices]


class MultithreadIterator(EpochIterator):
    """As SerialIterator, with the examples of a batch read by `n_threads`
    threads (each a contiguous part of the batch), the next batch read while
    the current one is used. Batches are in the same order as
    SerialIterator's under the same order sampler. An error reading an
    example is raised by `next()`, which reads the same batch again when
    called again. `finalize()` stops the threads; the iterator may still be
    used afterwards (new threads start).

    Snapshots store the order under '_order', as Chainer's
    MultithreadIterator does (it reads 'order' too).
    """

    _order_key = "_order"

    def __init__(self, dataset, batch_size, repeat=True, shuffle=None, n_threads=1,
                 order_sampler=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self._repeat = repeat
        self._shuffle = shuffle
        self.order_sampler = choose_order_sampler(shuffle, order_sampler)
        self.n_threads = n_threads
        self._pool = None
        self._next = None               # (state after the batch, futures)
        self.reset()

    def _set_state(self, state):
        self._state = state
        self._next = None               # what was prefetched is for another state

    def finalize(self):
        pool, self._pool, self._next = getattr(self, "_pool", None), None, None
        if pool is not None:
            pool.shutdown()

    def __copy__(self):
        # the same settings and position, threads of its own
        other = type(self).__new__(type(self))
        other.__dict__.update(self.__dict__)
        other._pool = other._next = None
        return other

    def __next__(self):
        if self._next is None:
            self._prefetch()
        state, futures = self._next
        if futures is None:
            self._previous_epoch_detail = self.epoch_detail
            self._state = state
            raise StopIteration
        try:
            batch = [example for f in futures for example in f.result()]
        except BaseException:
            self._next = None           # the same batch is read again next time
            raise
        self._previous_epoch_detail = self.epoch_detail
        self._state = state
        self._next = None
        self._prefetch()
        return batch

    next = __next__

    def _prefetch(self):
        state, indices = self._advance(self._state)
        if indices is None:
            self._next = (state, None)
            return
        if self._pool is None:
            self._pool = _ThreadPool(self.n_threads)
        n = len(indices)
        parts = min(self.n_threads, n) or 1
        bounds = [n * i // parts for i in range(parts + 1)]
        futures = [self._pool.submit(_read, self.dataset, indices[bounds[i]:bounds[i + 1]])
                   for i in range(parts)]
        self._next = (state, futures)
