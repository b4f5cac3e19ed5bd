"""MultiprocessIterator: real worker processes, arrays through shared
memory, errors raised where the user calls next(), clean shutdown on
finalize and at exit (no worker left behind)."""
from __future__ import annotations

import os
import pickle
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


class FailsOnce:
    """Example 5 fails the first time any process reads it."""

    def __init__(self, marker):
        self.marker = marker

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5 and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            raise KeyError(f"example {i} is broken")
        return i


def test_a_worker_error_is_raised_by_next_and_the_batch_is_read_again(tmp_path):
    it = MPI(FailsOnce(str(tmp_path / "m")), 2, shuffle=False, n_processes=2,
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
    pids = [p.pid for p in it._pool._pool]
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
    print(" ".join(str(p.pid) for p in it._pool._pool), flush=True)
    it.next(); it.next()
"""


@pytest.mark.parametrize("fail, stall", [(False, False), (True, False)])
def test_exit_without_finalize_leaves_no_worker(tmp_path, fail, stall):
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(SCRIPT.format(fail=fail, stall=stall)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
         os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, env=env)
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
