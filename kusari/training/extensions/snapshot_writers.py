"""Snapshot writers: how a snapshot's serialized dict reaches its file.

Every writer saves through `Writer.save`: the save function writes into a
fresh temporary directory inside the output directory and the file is then
renamed onto its final name, so the snapshot a crash or a reader finds is
either the old whole one or the new whole one, never a part.

- SimpleWriter: saves in the training loop.
- ThreadWriter / ProcessWriter: each snapshot in a new thread / process
  (the next snapshot waits for the previous one).
- ThreadQueueWriter / ProcessQueueWriter: one worker thread / process takes
  snapshots from a queue in order.
"""
from __future__ import annotations

import multiprocessing
import queue
import sys
import threading
import traceback

from kusari.serializers import npz

from ._common import replacing


class Writer:
    """Base class: subclasses implement ``__call__(filename, outdir, target)``,
    where `target` is the dict of arrays to save.

    A save that fails in a worker thread or process is not lost: the writer
    raises RuntimeError at its next snapshot or at `finalize` (Chainer's
    writers dropped the error, and a failed queue task hung `finalize`)."""

    def __init__(self):
        self._post_save_hooks = []
        self._errors = []

    def _raise_worker_errors(self) -> None:
        if self._errors:
            errors, self._errors = self._errors, []
            name, exc = errors[0]
            raise RuntimeError(f"writing the snapshot {name!r} failed in the background: "
                               f"{type(exc).__name__}: {exc}") from exc

    def __call__(self, filename, outdir, target):
        raise NotImplementedError

    def __del__(self):
        try:
            self.finalize()
        except Exception:      # interpreter shutdown: nothing left to do
            pass

    def finalize(self) -> None:
        """Waits for the snapshots under way (nothing to wait for here)."""

    def save(self, filename, outdir, target, savefun, **kwds) -> None:
        """``savefun(path, target, **kwds)`` into a temporary file that then
        replaces ``outdir/filename``; then the post-save hooks (the removal
        of stale snapshots) run."""
        _save(filename, outdir, target, savefun, self._post_save_hooks, kwds)

    def _add_cleanup_hook(self, hook_fun) -> None:
        self._post_save_hooks.append(hook_fun)

    def _post_save(self) -> None:
        for hook in self._post_save_hooks:
            hook()


class SimpleWriter(Writer):
    """Saves at once, in the caller's thread.

    Args:
        savefun: ``savefun(path, target, **kwds)`` (``save_npz``).
        kwds: passed to savefun.
    """

    def __init__(self, savefun=npz.save_npz, **kwds):
        super().__init__()
        self._savefun = savefun
        self._kwds = kwds

    def __call__(self, filename, outdir, target):
        self.save(filename, outdir, target, self._savefun, **self._kwds)


class StandardWriter(Writer):
    """Base of writers that save each snapshot in a new worker
    (`create_worker` makes it); a new snapshot first waits for the last."""

    _started = False
    _finalized = False
    _worker = None

    def __init__(self, savefun=npz.save_npz, **kwds):
        super().__init__()
        self._savefun = savefun
        self._kwds = kwds
        self._started = False
        self._finalized = False

    def __call__(self, filename, outdir, target):
        if self._started:
            self._started = False          # before _join, which may raise
            self._join()
        self._filename = filename
        self._worker = self.create_worker(filename, outdir, target, **self._kwds)
        self._worker.start()
        self._started = True

    def _join(self) -> None:
        self._worker.join()
        exitcode = getattr(self._worker, "exitcode", None)
        if isinstance(exitcode, int) and exitcode != 0:       # a process that failed
            self._errors.append((self._filename, OSError(
                f"the writer process exited with code {exitcode}")))
        self._raise_worker_errors()

    def create_worker(self, filename, outdir, target, **kwds):
        raise NotImplementedError

    def finalize(self) -> None:
        if self._started:
            self._started = False
            if not self._finalized:
                self._finalized = True
                self._join()
        self._finalized = True


class ThreadWriter(StandardWriter):
    """Saves each snapshot in a new thread."""

    def create_worker(self, filename, outdir, target, **kwds):
        def save():
            try:
                self.save(filename, outdir, target, self._savefun, **self._kwds)
            except Exception as e:          # raised by the writer later
                self._errors.append((filename, e))
        return threading.Thread(target=save)


class ProcessWriter(StandardWriter):
    """Saves each snapshot in a new process (the target is copied to it)."""

    def create_worker(self, filename, outdir, target, **kwds):
        # A module-level function, not self.save: the process gets only what
        # it needs, picklable under every start method (fork, spawn, forkserver).
        return multiprocessing.Process(
            target=_save, args=(filename, outdir, target, self._savefun,
                                list(self._post_save_hooks), dict(self._kwds)))


class QueueWriter(Writer):
    """Base of writers whose one consumer (`create_consumer`) saves the
    snapshots put on a queue (`create_queue`), in order; `task` is the writer
    the consumer calls (a SimpleWriter of `savefun` if None)."""

    _started = False
    _finalized = False
    _queue = None
    _consumer = None

    def __init__(self, savefun=npz.save_npz, task=None):
        super().__init__()
        self._task = self.create_task(savefun) if task is None else task
        self._queue = self.create_queue()
        self._consumer = self.create_consumer(self._queue)
        self._consumer.start()
        self._started = True
        self._finalized = False

    def __call__(self, filename, outdir, target):
        self._queue.put([self._task, filename, outdir, target])

    def _add_cleanup_hook(self, hook_fun) -> None:
        # The task saves, so the task runs the hooks after its saves.
        super()._add_cleanup_hook(hook_fun)
        if isinstance(self._task, Writer):
            self._task._add_cleanup_hook(hook_fun)

    def create_task(self, savefun):
        return SimpleWriter(savefun=savefun)

    def create_queue(self):
        raise NotImplementedError

    def create_consumer(self, q):
        raise NotImplementedError

    def consume(self, q) -> None:
        """Saves the queued snapshots in order until a None arrives."""
        _consume(q, self._errors)

    def finalize(self) -> None:
        if self._started:
            self._started = False
            if not self._finalized:
                self._finalized = True
                self._queue.put(None)
                self._queue.join()
                self._consumer.join()
                exitcode = getattr(self._consumer, "exitcode", None)
                if isinstance(exitcode, int) and exitcode != 0:
                    self._errors.append(("(queued)", OSError(
                        f"the writer process exited with code {exitcode}")))
                self._raise_worker_errors()
        self._finalized = True


class ThreadQueueWriter(QueueWriter):
    """A QueueWriter whose consumer is a thread."""

    def create_queue(self):
        return queue.Queue()

    def create_consumer(self, q):
        return threading.Thread(target=self.consume, args=(q,))


class ProcessQueueWriter(QueueWriter):
    """A QueueWriter whose consumer is a process."""

    def create_queue(self):
        return multiprocessing.JoinableQueue()

    def create_consumer(self, q):
        return multiprocessing.Process(target=_consume, args=(q,))


def _save(filename, outdir, target, savefun, hooks, kwds) -> None:
    with replacing(outdir, filename) as path:
        savefun(path, target, **kwds)
    for hook in hooks:
        hook()


def _consume(q, errors=None) -> None:
    """Runs queued tasks until None. A failing task does not stop the
    consumer (else `finalize` would wait forever on the queue): its error is
    kept in `errors` (a thread's writer raises it later) or, in a process,
    printed and turned into the process's exit code."""
    failed = False
    while True:
        task = q.get()
        if task is None:
            q.task_done()
            break
        try:
            task[0](task[1], task[2], task[3])
        except Exception as e:
            failed = True
            if errors is not None:
                errors.append((task[1], e))
            else:
                traceback.print_exc()
        finally:
            q.task_done()
    if failed and errors is None:
        sys.exit(1)
