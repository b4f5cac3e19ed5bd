"""Where a Variable or Parameter lives: as in Chainer, it remembers the device
`to_device` sent it to (a user-defined Device included), and an uninitialized
Parameter creates its array on that device."""
import copy
import pickle

import numpy as np
import pytest

import kusari
from kusari import backend


class DummyDevice(backend.Device):
    """A user's device, defined as Chainer's tests define one: no name, no
    is_array_supported (the base class raises NotImplementedError for both)."""

    xp = np
    supported_array_types = (np.ndarray,)

    def __init__(self, index):
        self.index = index
        self.sent = 0

    def __eq__(self, other):
        return isinstance(other, DummyDevice) and other.index == self.index

    __hash__ = object.__hash__

    def __str__(self):
        return f"@dummy:{self.index}"

    def send_array(self, array):
        self.sent += 1
        return array.copy()


def test_variable_remembers_user_device():
    a = np.arange(3, dtype=np.float32)
    v = kusari.Variable(a)
    assert v.device == backend.CpuDevice()
    v.grad = np.ones(3, np.float32)
    dev = DummyDevice(0)
    v.to_device(dev)
    assert v.device is dev
    assert v.array is not a                # sent: the device's array is a copy
    np.testing.assert_array_equal(v.array, a)
    assert dev.sent == 2                   # the array and the grad
    np.testing.assert_array_equal(v.grad, np.ones(3, np.float32))
    v.to_device(DummyDevice(0))            # the same device: nothing moves
    assert dev.sent == 2
    v.to_device("@numpy")
    assert v.device == backend.CpuDevice()


def test_copies_and_pickles_keep_the_device():
    v = kusari.Variable(np.ones(2, np.float32))
    v.to_device(DummyDevice(3))
    assert copy.copy(v).device == DummyDevice(3)
    assert copy.deepcopy(v).device == DummyDevice(3)
    w = pickle.loads(pickle.dumps(kusari.Variable(np.ones(2, np.float32))))
    assert w.device == backend.CpuDevice()


def test_uninitialized_parameter_initializes_on_its_device():
    p = kusari.Parameter()
    assert p.device == backend.CpuDevice()
    dev = DummyDevice(2)
    p.to_device(dev)
    assert p.device is dev
    assert p.array is None
    p.initialize((2, 3))
    assert p.device is dev
    assert p.array.shape == (2, 3)
    assert np.isnan(p.grad).all()
    assert np.isnan(p.array).all()         # the default NaN initializer


def test_parameter_copies_stop_sharing_when_sent_elsewhere():
    # as in Chainer: a shallow copy shares the array its original gets later,
    # unless the uninitialized original is sent to another device first
    p = kusari.Parameter()
    q = copy.copy(p)
    p.initialize((3,))
    assert q.array is p.array
    p = kusari.Parameter()
    q = copy.copy(p)
    p.to_device(DummyDevice(1))
    p.initialize((3,))
    assert q.array is None
    p = kusari.Parameter()
    q = copy.copy(p)
    p.to_device("@numpy")                 # the same device: still shared
    p.initialize((3,))
    assert q.array is p.array


def test_link_to_user_device():
    class Model(kusari.Link):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.p1 = kusari.Parameter()
                self.p2 = kusari.Parameter(np.array([1, 2], np.float32))

    model = Model()
    dev = DummyDevice(0)
    model.to_device(dev)
    assert model.device == dev
    assert model.p1.device == dev and model.p2.device == dev
    model.p1.initialize((4,))
    assert model.p1.device == dev and model.p1.array.shape == (4,)
    model.to_device("@numpy")
    assert model.p1.device == backend.CpuDevice()


def test_device_of_a_reassigned_array():
    # a built-in device that cannot hold the new array is not reported
    v = kusari.Variable(np.ones(2, np.float32))
    v.to_device("@numpy")
    v.array = np.zeros(2, np.float32)
    assert v.device == backend.CpuDevice()


def test_gpu_device_without_cupy():
    if backend.cuda.available:
        pytest.skip("CuPy is installed")
    v = kusari.Variable(np.ones(2, np.float32))
    with pytest.raises(RuntimeError):
        v.to_device("@cupy:0")
    assert v.device == backend.CpuDevice()
