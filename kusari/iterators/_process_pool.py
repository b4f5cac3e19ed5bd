"""The worker processes of MultiprocessIterator, each with a pipe of its own.

`multiprocessing.Pool`'s workers share one result queue whose lock is held
across processes: `terminate()` kills a worker that may be holding it, and
the pool's own shutdown then waits on that lock forever. Here no lock
crosses a process boundary. A worker killed in the middle of a reply breaks
only its own pipe, whose reader sees EOF. A worker that dies (killed,
segfault, out of memory) fails the jobs it had with `WorkerDied` instead of
leaving them to wait forever, and is replaced by the next `submit`.

One thread here reads every worker's replies as they come, so a worker is
never left blocked writing a large reply while this process writes it more
tasks.
"""
from __future__ import annotations

import itertools
import multiprocessing
import pickle
import signal
import threading
import traceback
from multiprocessing import connection


class WorkerDied(RuntimeError):
    """A worker process exited while it had examples to read."""


class _RemoteTraceback(Exception):
    """The worker's traceback, chained as the cause of its error."""

    def __str__(self):
        return self.args[0]


def _serve(conn, inherited, function, initializer, initargs):
    """A worker: (job, tasks) in, (job, ok, pickled results or error) out;
    None or EOF ends it. The results are pickled here, apart from the
    message, so that what will not pickle, or not unpickle, fails only its
    own job."""
    for other in inherited:          # the parent's ends, copied by fork: closing
        other.close()                # them lets EOF reach us if the parent dies
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        job, tasks = message
        try:
            ok, value = True, [function(task) for task in tasks]
        except BaseException as e:                   # noqa: BLE001 (handed back)
            ok, value = False, (e, traceback.format_exc())
        try:
            payload = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        except Exception as e:                       # noqa: BLE001 (named in the error)
            what = "the examples read" if ok else f"the error {value[0]!r}"
            ok, payload = False, pickle.dumps((RuntimeError(
                f"{what} could not be sent back from the worker process: "
                f"{type(e).__name__}: {e}"), ""))
        try:
            conn.send((job, ok, payload))
        except (EOFError, OSError):
            return


class _Worker:
    __slots__ = ("process", "conn", "assigned", "alive")

    def __init__(self, process, conn):
        self.process = process
        self.conn = conn
        self.assigned = 0            # tasks given to it
        self.alive = True


class Job:
    """What `submit` returns: the results of its tasks, in order, once every
    part is back."""

    def __init__(self, pool, parts):
        self._pool = pool
        self._parts = parts

    def ready(self) -> bool:
        with self._pool._cv:
            return self._pool._done(self._parts)

    def wait(self, timeout=None) -> bool:
        pool = self._pool
        with pool._cv:
            return pool._cv.wait_for(lambda: pool._closed or pool._done(self._parts), timeout) \
                and pool._done(self._parts)

    def get(self) -> list:
        """The results; a worker's error is raised here, with its traceback
        as the cause."""
        pool = self._pool
        with pool._cv:
            pool._cv.wait_for(lambda: pool._closed or pool._done(self._parts))
            if not pool._done(self._parts):
                raise RuntimeError("the worker processes were stopped while reading examples")
            replies = [pool._replies.pop(part) for part in self._parts]
        results = []
        for ok, payload in replies:
            try:
                value = pickle.loads(payload)
            except Exception as e:                   # noqa: BLE001 (named in the error)
                raise RuntimeError(
                    "what a worker process sent back could not be unpickled here: "
                    f"{type(e).__name__}: {e}") from e
            if not ok:
                error, remote = value
                if remote:
                    error.__cause__ = _RemoteTraceback(remote)
                raise error
            results.extend(value)
        return results

    def abandon(self) -> None:
        """Nobody will get() this job: drop its replies, now or when they come."""
        pool = self._pool
        with pool._cv:
            for part in self._parts:
                if part in pool._owner:
                    pool._dropped.add(part)
                else:
                    pool._replies.pop(part, None)


class Pool:
    """`n` worker processes running `function(task)`, after
    `initializer(*initargs)`; a worker is replaced after `maxtasksperchild`
    tasks (None: never)."""

    def __init__(self, n, function, initializer=None, initargs=(), maxtasksperchild=None):
        self._ctx = multiprocessing.get_context()
        self._function = function
        self._initializer = initializer
        self._initargs = initargs
        self._limit = maxtasksperchild
        self._cv = threading.Condition()
        self._replies = {}           # job -> (ok, value)
        self._owner = {}             # job under way -> its worker
        self._dropped = set()        # jobs under way whose replies nobody wants
        self._ids = itertools.count()
        self._turn = 0
        self._closed = False
        self._wake_read, self._wake_write = self._ctx.Pipe(duplex=False)
        self._workers = []
        self._retiring = []          # told to stop after the jobs they have
        self._to_close = []          # pipes of reaped workers, closed by the reader
        for _ in range(max(1, int(n))):
            self._workers.append(self._start_worker())
        self._reader = threading.Thread(target=self._collect, daemon=True,
                                        name="MultiprocessIterator-replies")
        self._reader.start()

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers]

    # -- submitting ---------------------------------------------------------------

    def submit(self, tasks) -> Job:
        """Splits `tasks` into contiguous parts, one per worker."""
        if self._closed:
            raise RuntimeError("the worker processes are stopped")
        self._replace_dead()
        tasks = list(tasks)
        k = max(1, min(len(self._workers), len(tasks)))
        bounds = [len(tasks) * i // k for i in range(k + 1)]
        parts, sends = [], []
        with self._cv:
            for i in range(k):
                worker = self._next_worker()
                job = next(self._ids)
                self._owner[job] = worker
                worker.assigned += bounds[i + 1] - bounds[i]
                parts.append(job)
                sends.append((worker, job, tasks[bounds[i]:bounds[i + 1]]))
        for worker, job, part in sends:              # outside the lock: a send may
            try:                                     # wait for the worker to read
                worker.conn.send((job, part))
            except (OSError, ValueError):
                self._lost(worker)
        return Job(self, parts)

    def _next_worker(self):
        i = self._turn % len(self._workers)
        self._turn += 1
        worker = self._workers[i]
        if self._limit is not None and worker.assigned >= self._limit:
            self._retire(worker)
            worker = self._workers[i] = self._start_worker()
        return worker

    def _retire(self, worker):
        self._retiring.append(worker)
        try:
            worker.conn.send(None)                   # it stops after its jobs
        except (OSError, ValueError):
            pass
        self._wake()

    def _start_worker(self):
        ours, theirs = self._ctx.Pipe()
        inherited = []
        if self._ctx.get_start_method() == "fork":
            inherited = [w.conn for w in self._workers + self._retiring] + self._to_close
            inherited += [ours, self._wake_read, self._wake_write]
        process = self._ctx.Process(
            target=_serve, daemon=True,
            args=(theirs, inherited, self._function, self._initializer, self._initargs))
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        self._wake()                                 # the reader listens to it too
        return worker

    def _replace_dead(self):
        with self._cv:
            dead = [i for i, w in enumerate(self._workers) if not w.alive]
            gone = [w for w in self._retiring if not w.alive]
            self._retiring = [w for w in self._retiring if w.alive]
        for i in dead:
            gone.append(self._workers[i])
            self._workers[i] = self._start_worker()
        for worker in gone:
            _join(worker)
        with self._cv:               # the reader may still be listening to them
            self._to_close += [w.conn for w in gone]
        self._wake()

    # -- replies --------------------------------------------------------------------

    def _done(self, parts) -> bool:
        return not any(part in self._owner for part in parts)

    def _wake(self):
        try:
            self._wake_write.send_bytes(b"")
        except (OSError, ValueError):
            pass

    def _collect(self):
        while True:
            with self._cv:
                if self._closed:
                    return
                for conn in self._to_close:
                    conn.close()
                self._to_close.clear()
                listening = {w.conn: w for w in self._workers + self._retiring if w.alive}
            ready = connection.wait([self._wake_read, *listening])
            for conn in ready:
                if conn is self._wake_read:
                    while conn.poll():
                        conn.recv_bytes()
                    continue
                worker = listening[conn]
                try:
                    job, ok, payload = conn.recv()
                except (EOFError, OSError):          # it exited, or was killed
                    self._lost(worker)
                    continue
                with self._cv:
                    self._owner.pop(job, None)
                    if job in self._dropped:
                        self._dropped.discard(job)
                    else:
                        self._replies[job] = (ok, payload)
                    self._cv.notify_all()

    def _lost(self, worker):
        """The worker's pipe closed: it exited. Its jobs fail."""
        with self._cv:
            if not worker.alive:
                return
            worker.alive = False
        worker.process.join(1.0)
        code = worker.process.exitcode
        with self._cv:
            for job in [j for j, w in self._owner.items() if w is worker]:
                del self._owner[job]
                if job in self._dropped:
                    self._dropped.discard(job)
                    continue
                self._replies[job] = (False, pickle.dumps((WorkerDied(
                    f"a worker process of the MultiprocessIterator (pid "
                    f"{worker.process.pid}) exited with {_exit_status(code)} while "
                    "reading examples; the next call starts a new one"), "")))
            self._cv.notify_all()

    # -- stopping -------------------------------------------------------------------

    def terminate(self) -> None:
        """Stops every worker at once (what they were reading is dropped)."""
        with self._cv:
            if self._closed:
                return
            self._closed = True
            self._cv.notify_all()
        self._wake()
        if self._reader is not threading.current_thread():
            self._reader.join(5.0)
        workers = self._workers + self._retiring
        for worker in workers:
            if worker.process.exitcode is None:
                worker.process.terminate()
        for worker in workers:
            _join(worker)
        for conn in [w.conn for w in workers] + self._to_close + [self._wake_read,
                                                                   self._wake_write]:
            conn.close()


def _join(worker):
    """Waits for the process to end, killing it if it does not."""
    worker.process.join(5.0)
    if worker.process.exitcode is None:
        worker.process.kill()
        worker.process.join()


def _exit_status(code):
    if code is None:
        return "no exit code yet"
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"
