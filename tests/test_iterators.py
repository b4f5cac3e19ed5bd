"""kusari.iterators: epochs and orders (under a seed equal to Chainer
7.8.1's: the expected batches below were printed by Chainer), snapshots
interchangeable between the three iterators and with Chainer's files, and
the MultithreadIterator's threads."""
from __future__ import annotations

import copy
import pathlib
import threading
import time

import numpy as np
import pytest

from kusari import iterators, serializers

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "chainer"
ALL = [iterators.SerialIterator, iterators.MultithreadIterator,
       iterators.MultiprocessIterator]


def make(cls, dataset, batch_size, **kw):
    if cls is iterators.MultiprocessIterator:
        kw.setdefault("n_processes", 2)
    return cls(dataset, batch_size, **kw)


@pytest.fixture
def seeded():
    state = np.random.get_state()
    yield
    np.random.set_state(state)


def test_serial_epochs_in_order():
    it = iterators.SerialIterator([1, 2, 3, 4, 5], 2, shuffle=False)
    assert it.epoch == 0 and it.epoch_detail == 0 and it.previous_epoch_detail is None
    seen = []
    for _ in range(5):
        seen.append((it.next(), it.epoch, it.is_new_epoch, it.epoch_detail,
                     it.previous_epoch_detail))
    assert seen == [([1, 2], 0, False, 0.4, 0.0), ([3, 4], 0, False, 0.8, 0.4),
                    ([5, 1], 1, True, 1.2, 0.8), ([2, 3], 1, False, 1.6, 1.2),
                    ([4, 5], 2, True, 2.0, 1.6)]


def test_serial_without_repeat_stops_and_resets():
    it = iterators.SerialIterator([1, 2, 3, 4, 5], 2, repeat=False, shuffle=False)
    assert list(it) == [[1, 2], [3, 4], [5]]
    assert it.epoch == 1 and it.is_new_epoch and it.epoch_detail == 1.0
    with pytest.raises(StopIteration):
        it.next()
    it.reset()
    assert it.next() == [1, 2] and it.previous_epoch_detail == 0.0


@pytest.mark.parametrize("cls", ALL)
def test_shuffled_orders_equal_chainers_under_a_seed(cls, seeded):
    np.random.seed(0)
    it = make(cls, list(range(10)), 4)
    batches = [it.next() for _ in range(6)]
    it.finalize()
    assert batches == [[2, 8, 4, 9], [1, 6, 7, 3], [0, 5, 3, 5], [1, 2, 9, 8],
                       [0, 6, 7, 4], [2, 3, 8, 4]]


def test_a_batch_larger_than_the_dataset_spans_epochs(seeded):
    np.random.seed(1)
    it = iterators.SerialIterator(list(range(5)), 7)
    assert [it.next() for _ in range(3)] == [[2, 1, 4, 0, 3, 0, 2], [4, 3, 1, 2, 3, 1, 4],
                                             [0, 3, 0, 1, 2, 4, 3]]
    assert it.epoch == 4 and it.epoch_detail == pytest.approx(4.2)


def test_order_sampler_gets_the_position_and_must_keep_the_length():
    calls = []

    def sampler(order, position):
        calls.append(position)
        return np.arange(len(order))[::-1]
    it = iterators.SerialIterator(list(range(5)), 3, order_sampler=sampler)
    assert it.next() == [4, 3, 2] and it.next() == [1, 0, 4]
    assert calls == [0, 3]          # the reset, then where the epoch's tail began
    shrinking = iter([5, 4])
    with pytest.raises(ValueError, match="returned 4 indices for 5"):
        iterators.SerialIterator(list(range(5)), 5,
                                 order_sampler=lambda o, p: np.arange(next(shrinking))).next()
    with pytest.raises(ValueError, match="`shuffle` is not `None`"):
        iterators.SerialIterator([1], 1, shuffle=True, order_sampler=sampler)
    with pytest.raises(ValueError, match="Epoch size must be positive"):
        iterators.SerialIterator([], 1).next()


def test_shuffle_order_sampler_with_its_own_random_state():
    a = iterators.ShuffleOrderSampler(np.random.RandomState(5))
    b = iterators.ShuffleOrderSampler(np.random.RandomState(5))
    assert a(np.arange(8), 0).tolist() == b(np.arange(8), 0).tolist()


@pytest.mark.parametrize("before", ALL, ids=lambda c: c.__name__)
@pytest.mark.parametrize("after", ALL, ids=lambda c: c.__name__)
def test_snapshots_move_between_iterators(before, after, tmp_path, seeded):
    np.random.seed(2)
    it = make(before, list(range(6)), 2)
    first = it.next() + it.next()
    serializers.save_npz(tmp_path / "it.npz", it)
    it.finalize()
    again = make(after, list(range(6)), 2)
    serializers.load_npz(tmp_path / "it.npz", again)
    assert again.epoch_detail == pytest.approx(4 / 6)
    assert again.previous_epoch_detail == pytest.approx(2 / 6)
    assert not again.is_new_epoch
    last = again.next()
    again.finalize()
    assert sorted(first + last) == list(range(6)) and again.is_new_epoch


def test_old_snapshots_without_previous_epoch_detail():
    it = iterators.SerialIterator(list(range(6)), 2)
    it.next(), it.next()
    target = {}
    it.serialize(serializers.DictionarySerializer(target))
    target["_order"] = target.pop("order")
    del target["previous_epoch_detail"]
    again = iterators.SerialIterator(list(range(6)), 2)
    again.serialize(serializers.NpzDeserializer(target))
    assert again.previous_epoch_detail == pytest.approx(2 / 6)
    assert again.epoch_detail == pytest.approx(4 / 6)


@pytest.mark.parametrize("name", ["serial", "multithread", "multiprocess"])
@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_resume_from_chainers_snapshot(name, cls, seeded):
    it = make(cls, list(range(10)), 4)
    serializers.load_npz(FIXTURES / f"iterator_{name}.npz", it)
    assert it.epoch == 1 and it.is_new_epoch and it.current_position == 2
    assert it.previous_epoch_detail == pytest.approx(0.8)
    np.random.seed(7)
    batches = [it.next() for _ in range(4)]
    it.finalize()
    assert batches == [[2, 1, 9, 4], [0, 6, 7, 5], [8, 5, 0, 2], [1, 9, 7, 3]]


def test_multithread_reads_in_worker_threads():
    readers = set()

    class Data:
        def __len__(self):
            return 12

        def __getitem__(self, i):
            readers.add(threading.current_thread().name)
            time.sleep(0.01)            # long enough for the parts to spread
            return i

    it = iterators.MultithreadIterator(Data(), 6, shuffle=False, n_threads=3)
    assert it.next() == [0, 1, 2, 3, 4, 5] and it.next() == [6, 7, 8, 9, 10, 11]
    assert threading.current_thread().name not in readers and len(readers) >= 2
    it.finalize()
    assert it.next() == [0, 1, 2, 3, 4, 5]      # new threads after finalize
    it.finalize()


def test_multithread_raises_a_read_error_and_reads_the_batch_again():
    failures = [3]

    class Flaky:
        def __len__(self):
            return 4

        def __getitem__(self, i):
            if i == failures[0]:
                failures[0] = None
                raise OSError(f"cannot read {i}")
            return i

    it = iterators.MultithreadIterator(Flaky(), 2, shuffle=False, n_threads=2)
    assert it.next() == [0, 1]
    with pytest.raises(OSError, match="cannot read 3"):
        it.next()
    assert it.epoch_detail == 0.5
    assert it.next() == [2, 3] and it.epoch == 1
    it.finalize()


def test_multithread_copy_has_its_own_threads():
    it = iterators.MultithreadIterator([1, 2, 3, 4, 5], 2, repeat=False, shuffle=False)
    it.next()
    other = copy.copy(it)
    assert it.next() == [3, 4]
    it.finalize()
    assert other.next() == [3, 4] and other.next() == [5]
    other.finalize()
