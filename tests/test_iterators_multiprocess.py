"""MultiprocessIterator: real worker processes, arrays through shared
memory, errors raised where the user calls next(), clean shutdown on
finalize and at exit (no worker left behind)."""
from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

from kusari import iterators

MPI = iterators.MultiprocessIterator


def alive(pid) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:                                 # a zombie is dead too
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class Pids:
    """A dataset whose examples say which process read them."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return (i, os.getpid())


@pytest.mark.parametrize("shared_mem", [None, 4096])
def test_examples_are_read_by_worker_processes(shared_mem):
    it = MPI(Pids(), 4, shuffle=False, n_processes=2, shared_mem=shared_mem)
    first, second = it.next(), it.next()
    it.finalize()
    assert [i for i, _ in first + second] == list(range(8))
    workers = {pid for _, pid in second}
    assert os.getpid() not in workers
    if shared_mem is None:        # the first batch is read here, to size the memory
        assert {pid for _, pid in first} == {os.getpid()}


@pytest.mark.parametrize("shared_mem", [None, 1 << 16])
@pytest.mark.parametrize("kind", ["array", "tuple", "list", "dict"])
def test_arrays_come_back_through_shared_memory_intact(kind, shared_mem):
    rng = np.random.RandomState(0)
    arrays = [rng.rand(3, 5).astype(np.float32)[:, ::2] for _ in range(6)]   # not contiguous
    make = {"array": lambda i: arrays[i], "tuple": lambda i: (arrays[i], i),
            "list": lambda i: [i, arrays[i], np.int8(i)], "dict": lambda i: {"x": arrays[i]}}
    data = [make[kind](i) for i in range(6)]
    it = MPI(data, 2, shuffle=False, n_processes=2, shared_mem=shared_mem, n_prefetch=2)
    got = [example for _ in range(6) for example in it.next()]
    it.finalize()
    assert it._region != 0        # shared memory was used
    for i, example in enumerate(got):
        expected = data[i % 6]
        assert type(example) is type(expected)
        value = example["x"] if kind == "dict" else example if kind == "array" else \
            example[0 if kind == "tuple" else 1]
        want = expected["x"] if kind == "dict" else expected if kind == "array" else \
            expected[0 if kind == "tuple" else 1]
        assert value.dtype == want.dtype and value.shape == want.shape
        np.testing.assert_array_equal(value, want)


def test_examples_too_large_for_the_shared_memory_still_arrive_with_a_warning():
    data = [np.full(n, n, np.float64) for n in (1, 1, 50, 50)]
    it = MPI(data, 2, shuffle=False, n_processes=1)      # sized from [1, 1]
    assert [len(a) for a in it.next()] == [1, 1]
    with pytest.warns(UserWarning, match="Shared memory size is too small"):
        big = it.next()
    it.finalize()
    np.testing.assert_array_equal(big[1], np.full(50, 50.))


class BrokenOnce:
    """Reading example `at` the first time any process reads it calls `fail`
    (a marker file says it happened: the processes share no memory)."""

    def __init__(self, marker, at, fail):
        self.marker = marker
        self.at = at
        self.fail = fail

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == self.at and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            self.fail(i)
        return i


def raise_key_error(i):
    raise KeyError(f"example {i} is broken")


def kill_this_process(i):
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_error_is_raised_by_next_and_the_batch_is_read_again(tmp_path):
    it = MPI(BrokenOnce(str(tmp_path / "m"), 5, raise_key_error), 2, shuffle=False, n_processes=2,
             shared_mem=0, n_prefetch=2)
    assert it.next() == [0, 1] and it.next() == [2, 3]
    with pytest.raises(KeyError, match="example 5 is broken"):
        it.next()
    assert it.epoch_detail == 0.5
    assert it.next() == [4, 5] and it.next() == [6, 7] and it.epoch == 1
    it.finalize()


def test_finalize_stops_the_workers():
    it = MPI(list(range(10)), 2, n_processes=2, shared_mem=0)
    it.next()
    pids = list(it._pool.pids)
    assert pids and all(alive(p) for p in pids)
    it.finalize()
    deadline = time.time() + 10
    while any(alive(p) for p in pids) and time.time() < deadline:
        time.sleep(0.05)
    assert not any(alive(p) for p in pids)
    with pytest.raises(RuntimeError, match="finalized"):
        it.next()
    with pytest.raises(NotImplementedError):      # as in Chainer
        it.reset()
    it.finalize()                                 # twice is fine


def run_script(tmp_path, source, timeout=120):
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(source))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
         os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=timeout, env=env)


SCRIPT = """
import os, sys, time
from kusari import iterators

class Data:
    def __len__(self):
        return 100
    def __getitem__(self, i):
        if {fail} and i == 7:
            raise ValueError("bad example")
        if {stall}:
            time.sleep(1000)
        return i

if __name__ == "__main__":
    it = iterators.MultiprocessIterator(Data(), 4, shuffle=False, n_processes=2,
                                        shared_mem=0, dataset_timeout=None)
    it.next()
    print(" ".join(map(str, it._pool.pids)), flush=True)
    it.next(); it.next()
"""


@pytest.mark.parametrize("fail, stall", [(False, False), (True, False)])
def test_exit_without_finalize_leaves_no_worker(tmp_path, fail, stall):
    done = run_script(tmp_path, SCRIPT.format(fail=fail, stall=stall), timeout=60)
    if fail:
        assert done.returncode != 0 and "ValueError: bad example" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
    pids = [int(p) for p in done.stdout.split()]
    assert len(pids) == 2
    time.sleep(0.2)
    assert not any(alive(p) for p in pids)


def test_a_stalled_dataset_warns():
    class Slow:
        def __len__(self):
            return 4

        def __getitem__(self, i):
            time.sleep(0.5 if i == 2 else 0)
            return i

    it = MPI(Slow(), 2, shuffle=False, repeat=False, n_processes=2, dataset_timeout=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert it.next() == [0, 1]
    with pytest.warns(MPI.TimeoutWarning):
        assert it.next() == [2, 3]
    with pytest.raises(StopIteration):
        it.next()
    it.finalize()


def test_pickle_reset_and_stop_with_deep_prefetch():
    it = MPI(list(range(5)), 2, shuffle=False, repeat=False, n_processes=2, n_prefetch=3)
    assert it.next() == [0, 1]
    again = pickle.loads(pickle.dumps(it))
    assert again.next() == [2, 3] and again.next() == [4]
    for _ in range(2):
        with pytest.raises(StopIteration):
            again.next()
    again.reset()
    assert again.next() == [0, 1]
    it.reset()                                   # prefetched batches are dropped
    assert it.next() == [0, 1] and it.next() == [2, 3]
    it.finalize()
    again.finalize()


STOP_MID_REPLY = """
import time
import numpy as np
from kusari import iterators

class Big:
    def __len__(self):
        return 64
    def __getitem__(self, i):
        return np.ones(1 << 16)          # 512 KiB a reply: workers are often mid-write

if __name__ == "__main__":
    for k in range(60):
        it = iterators.MultiprocessIterator(Big(), 8, n_processes=2, shared_mem=0,
                                            n_prefetch=2)
        it.next()
        time.sleep(0.001 * (k % 4))
        it.finalize()
    print("stopped", k + 1)
"""


def test_finalize_while_workers_are_mid_reply_does_not_hang(tmp_path):
    # multiprocessing.Pool.terminate() hangs here within a few rounds: it kills a
    # worker holding the lock of the queue all workers reply through
    done = run_script(tmp_path, STOP_MID_REPLY)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["stopped", "60"]


def test_a_worker_that_dies_is_an_error_and_is_replaced(tmp_path):
    it = MPI(BrokenOnce(str(tmp_path / "m"), 3, kill_this_process), 4, shuffle=False,
             n_processes=2, shared_mem=0)
    with pytest.raises(MPI.WorkerDied, match=r"pid \d+\) exited with signal SIGKILL"):
        it.next()
    assert it.epoch_detail == 0
    with_the_dead_one = set(it._pool.pids)
    assert it.next() == [0, 1, 2, 3]               # read again, by a new worker
    assert it.next() == [4, 5, 6, 7] and it.epoch == 1
    assert len(set(it._pool.pids) - with_the_dead_one) == 1
    it.finalize()


def test_unpicklable_examples_are_an_error_naming_them():
    class Local:                                   # defined here: pickle cannot find it
        pass

    it = MPI([Local() for _ in range(4)], 2, shuffle=False, n_processes=1, shared_mem=0)
    with pytest.raises(RuntimeError, match="could not be sent back from the worker"):
        it.next()
    it.finalize()


def test_workers_are_replaced_after_maxtasksperchild():
    it = MPI(Pids(), 2, shuffle=False, n_processes=2, shared_mem=0, maxtasksperchild=2)
    batches = [it.next() for _ in range(8)]
    it.finalize()
    assert [i for batch in batches for i, _ in batch] == list(range(8)) * 2
    assert len({pid for batch in batches for _, pid in batch}) >= 4


KILLED_PARENT = """
import os, signal
from kusari import iterators

class Data:
    def __len__(self):
        return 100
    def __getitem__(self, i):
        return i

if __name__ == "__main__":
    it = iterators.MultiprocessIterator(Data(), 4, n_processes=3, shared_mem=0)
    it.next()
    print(" ".join(map(str, it._pool.pids)), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)           # no atexit, no finalize
"""


def test_workers_of_a_killed_parent_exit(tmp_path):
    done = run_script(tmp_path, KILLED_PARENT)
    assert done.returncode == -signal.SIGKILL
    pids = [int(p) for p in done.stdout.split()]
    assert len(pids) == 3
    deadline = time.time() + 10
    while any(alive(p) for p in pids) and time.time() < deadline:
        time.sleep(0.05)
    assert not any(alive(p) for p in pids)
