"""kusari.dataset: concat_examples and converters, to_device, DatasetMixin,
against Chainer's documented behaviour."""
from __future__ import annotations

import pickle
import sys

import numpy as np
import pytest

from kusari import backend, dataset
from kusari.dataset import convert


def test_concat_examples_arrays_tuples_dicts():
    rng = np.random.RandomState(0)
    arrays = [rng.rand(2, 3).astype(np.float32) for _ in range(4)]
    out = dataset.concat_examples(arrays)
    assert out.shape == (4, 2, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out, np.stack(arrays))

    tuples = [(a, np.int32(i)) for i, a in enumerate(arrays)]
    x, y = dataset.concat_examples(tuples)
    np.testing.assert_array_equal(x, np.stack(arrays))
    assert y.dtype == np.int32 and list(y) == [0, 1, 2, 3]

    dicts = [{"x": a, "t": i} for i, a in enumerate(arrays)]
    d = dataset.concat_examples(dicts)
    assert set(d) == {"x", "t"}
    np.testing.assert_array_equal(d["x"], np.stack(arrays))


def test_concat_examples_of_python_numbers_are_numpy_arrays():
    ints = dataset.concat_examples([1, 2, 3])
    floats = dataset.concat_examples([1.0, 2.0, 3.0], -1)
    assert ints.dtype == (np.int32 if sys.platform == "win32" else np.int64)
    assert floats.dtype == np.float64 and floats.shape == (3,)
    assert isinstance(dataset.concat_examples([1, 2], padding=0), np.ndarray)


def test_padding_scalar_tuple_and_dict():
    a = [np.ones((3, 4)), np.ones((2, 5)) * 2, np.ones((4, 3)) * 3]
    out = dataset.concat_examples(a, padding=-1)
    assert out.shape == (3, 4, 5)
    np.testing.assert_array_equal(out[0, :3, :4], 1)
    np.testing.assert_array_equal(out[0, 3:], -1)
    np.testing.assert_array_equal(out[1, :2, :5], 2)
    np.testing.assert_array_equal(out[2, :, 3:], -1)

    pairs = [(np.array([1, 2]), np.array([0])), (np.array([3]), np.array([], np.int64)),
             (np.array([], np.int64), np.array([2]))]
    x, t = dataset.concat_examples(pairs, padding=(100, 200))
    np.testing.assert_array_equal(x, [[1, 2], [3, 100], [100, 100]])
    np.testing.assert_array_equal(t, [[0], [200], [2]])

    dicts = [{"x": np.arange(i + 1)} for i in range(3)]
    d = dataset.concat_examples(dicts, padding={"x": 7})
    np.testing.assert_array_equal(d["x"], [[0, 7, 7], [0, 1, 7], [0, 1, 2]])


def test_bad_batches_say_what_is_wrong():
    with pytest.raises(ValueError, match="batch is empty"):
        dataset.concat_examples([])
    with pytest.raises(ValueError, match="different shapes.*padding"):
        dataset.concat_examples([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="padding"):
        dataset.concat_examples([[1, 2], [3]])
    with pytest.raises(ValueError, match="dimensions"):
        dataset.concat_examples([np.zeros(2), np.zeros((2, 2))], padding=0)


@pytest.mark.parametrize("device", [None, -1, "@numpy", backend.CpuDevice()])
def test_devices(device):
    x = np.arange(3)
    y = dataset.to_device(device, x)
    assert isinstance(y, np.ndarray)
    if device is None:
        assert y is x
    out = dataset.concat_examples([x, x], device)
    assert backend.get_device_from_array(out) == backend.CpuDevice()


def test_converter_decorator_gives_the_function_a_device():
    seen = []

    @dataset.converter()
    def conv(batch, device):
        seen.append(device)
        return batch

    assert isinstance(conv, dataset.Converter)
    conv([1], -1)
    conv([1], device="@numpy")
    conv([1], None)
    assert seen[0] == backend.CpuDevice() and seen[1] == backend.CpuDevice()
    assert seen[2] is None
    with pytest.raises(TypeError, match="callable"):
        dataset.converter()(3)


def test_call_converter_gives_old_style_functions_an_int():
    got = []
    convert._call_converter(lambda b, d: got.append(d), [1], backend.CpuDevice())
    convert._call_converter(lambda b, d: got.append(d), [1], None)
    assert got == [-1, None]
    new_style = dataset.converter()(lambda b, d: got.append(d))
    convert._call_converter(new_style, [1], backend.CpuDevice())
    assert got[-1] == backend.CpuDevice()


def test_converters_pickle():
    for c in (dataset.concat_examples, dataset.ConcatWithAsyncTransfer()):
        again = pickle.loads(pickle.dumps(c))
        np.testing.assert_array_equal(again([np.ones(2), np.zeros(2)]), [[1, 1], [0, 0]])


def test_concat_with_async_transfer_on_the_cpu():
    conv = dataset.ConcatWithAsyncTransfer()
    batch = [(np.ones(2), np.int32(1)), (np.zeros(2), np.int32(2))]
    x, t = conv(batch)
    np.testing.assert_array_equal(x, [[1, 1], [0, 0]])
    d = conv([{"a": 1}, {"a": 2}])
    np.testing.assert_array_equal(d["a"], [1, 2])
    with pytest.raises(ValueError, match="device is different"):
        conv(batch, -1)


class Squares(dataset.DatasetMixin):
    def __len__(self):
        return 6

    def get_example(self, i):
        if not -6 <= i < 6:
            raise IndexError(i)
        return (i % 6) ** 2


def test_dataset_mixin_indexing():
    ds = Squares()
    values = [0, 1, 4, 9, 16, 25]
    assert ds[2] == 4
    assert ds[:] == values and ds[::-2] == values[::-2] and ds[1:10:3] == values[1:10:3]
    assert ds[[5, 0, 5]] == [25, 0, 25]
    assert ds[np.array([1, 2])] == [1, 4]
    with pytest.raises(IndexError):
        ds[6]


def test_dataset_mixin_without_get_example_says_so():
    class Empty(dataset.DatasetMixin):
        def __len__(self):
            return 1
    with pytest.raises(NotImplementedError, match="Empty must define get_example"):
        Empty()[0]
