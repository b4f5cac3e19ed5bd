"""`MultiprocessIterator`: examples read by worker processes, the next
batches while the current one is used.

The main process decides every batch (the order sampler runs there, in
order), so a seed gives the same batches as SerialIterator's under the same
sampler; the workers only read `dataset[i]`. Arrays come back through
shared memory (sized from the first batch, or by `shared_mem`).
"""
from __future__ import annotations

import atexit
import collections
import multiprocessing
import signal
import sys
import threading
import warnings
import weakref
from multiprocessing import sharedctypes

from . import _process_pool, _shared_memory
from ._base import EpochIterator, choose_order_sampler

_live = weakref.WeakSet()


@atexit.register
def _finalize_live_iterators():
    for iterator in list(_live):
        iterator.finalize()


# -- in the worker processes ----------------------------------------------------

_worker = {}


def _worker_setup(dataset, mem, region):
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the main process's
    _worker["dataset"] = dataset
    _worker["mem"] = mem
    _worker["region"] = region


def _worker_fetch(task):
    offset, index = task
    example = _worker["dataset"][index]
    if offset is None:
        return example, 0
    return _shared_memory.pack(example, _worker["mem"], offset, offset + _worker["region"])


# -- in the main process --------------------------------------------------------

class MultiprocessIterator(EpochIterator):
    """As SerialIterator, with examples read by `n_processes` worker processes
    (the number of CPUs by default), `n_prefetch` batches ahead.

    `shared_mem` is the bytes of shared memory per example for its arrays;
    None measures the first batch (read in this process) and sizes it from
    that; an example that does not fit travels pickled, with a warning.
    `dataset_timeout` (seconds, None for never) warns with `TimeoutWarning`
    when a batch takes longer. `maxtasksperchild` replaces a worker after
    that many tasks.

    An error reading an example is raised by `next()` (and the same batch is
    read again by the next call); so is a worker that dies (it is replaced).
    `finalize()` (also at exit, and when the iterator is collected) stops the
    workers; a finalized iterator cannot be reset, as in Chainer. The dataset
    and the order sampler must pickle when the start method is not 'fork'.
    """

    class TimeoutWarning(RuntimeWarning):
        """A batch takes longer than `dataset_timeout` seconds."""

    WorkerDied = _process_pool.WorkerDied

    _interruption_testing = False
    _finalized = False
    _pool = None

    def __init__(self, dataset, batch_size, repeat=True, shuffle=None, n_processes=None,
                 n_prefetch=1, shared_mem=None, order_sampler=None, dataset_timeout=30.0,
                 maxtasksperchild=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self._repeat = repeat
        self.shuffle = shuffle
        self.n_processes = n_processes or multiprocessing.cpu_count()
        self.n_prefetch = max(n_prefetch, 1)
        self.shared_mem = shared_mem
        self.dataset_timeout = dataset_timeout
        self._maxtasksperchild = maxtasksperchild
        self.order_sampler = choose_order_sampler(shuffle, order_sampler)
        self._setup()
        self.reset()

    def _setup(self):
        self._finalized = False
        self._pool = None
        self._mem = None
        self._region = None if self.shared_mem is None else _aligned(self.shared_mem)
        self._pending = collections.deque()      # (state after, AsyncResult, slot)
        self._free_slots = []
        self._abandoned = []                     # (AsyncResult, slot) still running
        self._warned_overflow = False
        _live.add(self)

    # -- state ------------------------------------------------------------------

    def _set_state(self, state):
        if self._finalized:
            raise NotImplementedError(
                "Reset of finalized MultiProcessIterator is currently not supported.")
        self._state = state
        self._abandon_pending()

    def _abandon_pending(self):
        for _, result, slot in self._pending:
            if result is not None:
                result.abandon()
                if slot is not None:          # free once the workers are done with it
                    self._abandoned.append((result, slot))
        self._pending.clear()
        self._prefetch_state = self._state

    # -- iterating --------------------------------------------------------------

    def __next__(self):
        if self._finalized:
            raise RuntimeError("this MultiprocessIterator was finalized: its worker "
                               "processes are stopped")
        if self._pool is None and self._region is None:
            return self._next_measuring()
        if not self._pending:
            self._start()
            self._top_up()
        state, result, slot = self._pending[0]
        if result is None:                        # a non-repeating epoch is over
            self._previous_epoch_detail = self.epoch_detail
            self._state = state
            raise StopIteration
        try:
            fetched = self._wait(result)
        except BaseException:
            self._abandon_pending()               # read this batch again next time
            raise
        self._pending.popleft()
        batch = self._unpack(fetched, slot)
        self._previous_epoch_detail = self.epoch_detail
        self._state = state
        self._top_up()
        return batch

    next = __next__

    def _next_measuring(self):
        """The first batch, read here, sizing the shared memory."""
        state, indices = self._advance(self._state)
        if indices is None:
            self._previous_epoch_detail = self.epoch_detail
            self._state = state
            raise StopIteration
        batch = self._read_here(indices)
        self._region = max((_shared_memory.measure(x) for x in batch), default=0)
        self._previous_epoch_detail = self.epoch_detail
        self._state = self._prefetch_state = state
        self._start()
        self._top_up()
        return batch

    def _read_here(self, indices):
        out = {}

        def read():
            try:
                out["batch"] = [self.dataset[i] for i in indices]
            except BaseException as e:
                out["error"] = e
        if self.dataset_timeout is None:
            read()
        else:
            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            reader.join(self.dataset_timeout)
            if reader.is_alive():
                _warn_stalled()
            reader.join()
        if "error" in out:
            raise out["error"]
        return out["batch"]

    def _start(self):
        if self._pool is not None:
            return
        if self._region:
            self._mem = sharedctypes.RawArray(
                "b", self.n_prefetch * self.batch_size * self._region)
            self._free_slots = list(range(self.n_prefetch))
        self._pool = _process_pool.Pool(
            self.n_processes, _worker_fetch, initializer=_worker_setup,
            initargs=(self.dataset, self._mem, self._region),
            maxtasksperchild=self._maxtasksperchild)
        if self._interruption_testing:            # Chainer's tests read the pids
            print(" ".join(map(str, self._pool.pids)))
            sys.stdout.flush()

    def _top_up(self):
        while len(self._pending) < self.n_prefetch:
            if self._pending and self._pending[-1][1] is None:
                return                            # the end is already queued
            state, indices = self._advance(self._prefetch_state)
            self._prefetch_state = state
            if indices is None:
                self._pending.append((state, None, None))
                return
            slot = self._take_slot()
            if slot is None:
                tasks = [(None, int(i)) for i in indices]
            else:
                base = slot * self.batch_size
                tasks = [((base + k) * self._region, int(i)) for k, i in enumerate(indices)]
            self._pending.append((state, self._pool.submit(tasks), slot))

    def _take_slot(self):
        if self._mem is None:
            return None
        still_running = []
        for result, slot in self._abandoned:
            if result.ready():
                self._free_slots.append(slot)
            else:
                still_running.append((result, slot))
        self._abandoned = still_running
        return self._free_slots.pop() if self._free_slots else None

    def _wait(self, result):
        if self.dataset_timeout is not None:
            result.wait(self.dataset_timeout)
            if not result.ready():
                _warn_stalled()
        return result.get()

    def _unpack(self, fetched, slot):
        overflow = max((o for _, o in fetched), default=0)
        if slot is None:
            batch = [example for example, _ in fetched]
        else:
            batch = [_shared_memory.unpack(example, self._mem) for example, _ in fetched]
            self._free_slots.append(slot)
        if overflow and not self._warned_overflow:
            self._warned_overflow = True
            warnings.warn(
                "Shared memory size is too small.\nPlease set shared_mem option for "
                f"MultiprocessIterator.\nExpect shared memory size: at least "
                f"{overflow} bytes more.\nActual shared memory size: {self._region} "
                "bytes.", UserWarning)
        return batch

    # -- lifetime ---------------------------------------------------------------

    def finalize(self):
        if self._finalized:
            return
        self._finalized = True
        pool, self._pool = self._pool, None
        pending = getattr(self, "_pending", None)
        if pending is not None:
            pending.clear()
        self._abandoned = []
        if pool is not None:
            pool.terminate()

    def __copy__(self):
        other = type(self).__new__(type(self))
        other.__dict__.update(self._settings())
        other._setup()
        other._state = self._state
        other._prefetch_state = self._state
        other._previous_epoch_detail = self._previous_epoch_detail
        return other

    _SETTINGS = ("dataset", "batch_size", "_repeat", "shuffle", "n_processes",
                 "n_prefetch", "shared_mem", "dataset_timeout", "_maxtasksperchild",
                 "order_sampler")

    def _settings(self):
        return {name: getattr(self, name) for name in self._SETTINGS}

    def __getstate__(self):
        return {"settings": self._settings(), "state": tuple(self._state),
                "previous_epoch_detail": self._previous_epoch_detail}

    def __setstate__(self, state):
        from ._statemachine import IteratorState
        self.__dict__.update(state["settings"])
        self._setup()
        self._state = self._prefetch_state = IteratorState(*state["state"])
        self._previous_epoch_detail = state["previous_epoch_detail"]


def _aligned(n):
    return -(-int(n) // 16) * 16


def _warn_stalled():
    warnings.warn(
        "Stalled dataset is detected. See the documentation of "
        "MultiprocessIterator for common causes and workarounds:\n"
        "https://docs.chainer.org/en/stable/reference/generated/"
        "chainer.iterators.MultiprocessIterator.html",
        MultiprocessIterator.TimeoutWarning, stacklevel=3)
