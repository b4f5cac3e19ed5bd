"""kusari.backend, backends.cuda/intel64 (CPU half), DeviceResident,
utils.type_check and configuration: Chainer's device API and helpers."""
from __future__ import annotations

import io
import pickle
import threading

import numpy as np
import pytest

import kusari
from kusari import backend, configuration
from kusari.backends import cuda, intel64
from kusari.device_resident import DeviceResident
from kusari.utils import type_check as T


def test_get_device_specifiers():
    cpu = backend.CpuDevice()
    assert backend.get_device("@numpy") == cpu
    assert backend.get_device(-1) == cpu and backend.get_device("-1") == cpu
    assert backend.get_device(cpu) is cpu
    assert cpu.xp is np and cpu.name == "@numpy" and str(cpu) == "@numpy"
    assert repr(cpu) == "<CpuDevice (numpy)>"
    assert hash(cpu) == hash(backend.CpuDevice()) and cpu != object()
    with pytest.raises(ValueError, match="must be followed by a module name"):
        backend.get_device("@numpy:0")
    with pytest.raises(RuntimeError, match="ChainerX is not available"):
        backend.get_device("native:0")
    with pytest.raises(TypeError):
        backend.get_device(1.5)
    with pytest.raises(RuntimeError):
        backend.get_device("@intel64")       # iDeep is never available


@pytest.mark.skipif(cuda.available, reason="checks the CPU-only behaviour")
def test_without_cupy_gpu_requests_fail_clearly():
    with pytest.raises(RuntimeError, match="CUDA environment is not correctly set up"):
        backend.get_device("@cupy:0")
    with pytest.raises(RuntimeError, match="CUDA"):
        backend.get_device(0)
    with pytest.raises(RuntimeError, match="CUDA"):
        cuda.to_gpu(np.ones(2))
    assert cuda.cupy is not np and np is not cuda.cupy     # xp is cuda.cupy: False
    assert not isinstance(np.ones(2), cuda.ndarray)
    assert cuda.get_device_from_id(None) is cuda.DummyDevice
    assert cuda.get_device_from_id(-1) is cuda.DummyDevice
    assert cuda.get_device_from_array(np.ones(2)) is cuda.DummyDevice
    with cuda.DummyDevice:
        pass
    assert int(cuda.DummyDevice) == -1
    assert cuda.fuse()(abs) is abs and cuda.fuse(abs) is abs


def test_arrays_and_modules():
    x = np.arange(3.0)
    assert backend.get_array_module(x) is np
    assert backend.get_array_module(kusari.Variable(x)) is np
    assert cuda.get_array_module(x) is np
    assert backend.get_device_from_array(x) == backend.CpuDevice()
    assert backend.get_device_from_array() == backend.CpuDevice()
    assert cuda.to_cpu(x) is x and cuda.to_cpu(None) is None
    same = cuda.to_cpu([x, None, x])
    assert same[0] is x and same[1] is None and same[2] is x
    assert isinstance(cuda.to_cpu(np.float32(1)), np.ndarray)
    with pytest.raises(TypeError, match="cannot be converted"):
        cuda.to_cpu(object())
    dst = np.zeros(3)
    backend.copyto(dst, x)
    np.testing.assert_array_equal(dst, x)
    with pytest.raises(TypeError):
        backend.copyto([0, 0, 0], x)
    assert kusari.is_arrays_compatible([x, None, np.ones(1)])
    assert np.ndarray in kusari.get_array_types()
    with kusari.using_device("@numpy"):
        pass
    assert backend.from_chx(x) is x
    with pytest.raises(RuntimeError):
        backend.to_chx(x)


def test_intel64_is_never_used():
    assert not intel64.is_ideep_available()
    assert not intel64.inputs_all_ready((np.ones((2, 2), np.float32),))
    with kusari.using_config("use_ideep", "always"):
        assert not intel64.should_use_ideep(">=auto")
    with pytest.raises(ValueError):
        intel64.should_use_ideep("==auto")


def test_should_use_cudnn_without_cudnn_is_false():
    # as in Chainer: no cuDNN (version -1) answers False before anything else
    for flag in ("always", "auto", "never"):
        with kusari.using_config("use_cudnn", flag):
            assert not kusari.should_use_cudnn("==always")
            assert not kusari.should_use_cudnn(">=auto")


def test_device_resident_final_and_deprecated_methods():
    with pytest.raises(TypeError, match="final"):
        class Bad(DeviceResident):
            def to_device(self, device):
                pass

    calls = []
    with pytest.warns(DeprecationWarning):
        class Old(DeviceResident):
            def to_cpu(self):
                calls.append(1)

    class Holder(DeviceResident):
        def __init__(self):
            self.child = Old()
            self.array = np.ones(2)

        def device_resident_accept(self, visitor):
            super().device_resident_accept(visitor)
            self.child.device_resident_accept(visitor)
            self.array = visitor.visit_array(self.array)

    h = Holder()
    h.to_device("@numpy")
    assert calls == [1] and h.device == backend.CpuDevice() and h.xp is np
    with pytest.warns(DeprecationWarning):
        h.to_cpu()


def test_walker_alias_samples_the_distribution():
    np.random.seed(0)
    probs = [5, 3, 4, 1, 2]
    sampler = kusari.utils.WalkerAlias(probs)
    counts = np.bincount(sampler.sample((20000,)).ravel(), minlength=5)
    np.testing.assert_allclose(counts / 20000, np.array(probs) / 15, atol=0.01)
    assert not sampler.use_gpu


def test_type_check_expressions_and_messages():
    x = T.Variable(1, "x")
    assert str(x ** x ** x) == "x ** x ** x" and str((x ** x) ** x) == "(x ** x) ** x"
    assert str(-(x + x)) == "-(x + x)" and str(x + (x - x)) == "x + (x - x)"
    assert (x ** T.Constant(3)).eval() == 1 and (T.Variable(2, "y") ** 3).eval() == 8
    with pytest.raises(RuntimeError):
        bool(x == x)
    types = T.get_types((np.zeros((2, 3), np.float32),), "in_types", False)
    t, = types
    T.expect(t.ndim == 2, t.dtype == np.float32, types.size() == 1)
    with pytest.raises(T.InvalidType) as e:
        T.expect(t.shape[1] == 4)
    assert str(e.value) == "Expect: in_types[0].shape[1] == 4\nActual: 3 != 4"

    class Func:
        label = "MyFunc"
    with T.get_function_check_context(Func()):
        with pytest.raises(T.InvalidType, match="Invalid operation is performed in: "
                                                "MyFunc \\(Forward\\)"):
            T.expect(t.ndim == 3)
    with T.light_mode:
        assert T.eval(3) == 3 and T.prod([2, 3]) == 6
        with pytest.raises(T.InvalidType):
            T.expect(False)
    err = pickle.loads(pickle.dumps(T.InvalidType("a", "b", "c")))
    assert (err.expect, err.actual, err.args) == ("a", "b", ("c",))
    # kusari's own functions raise the same class
    with pytest.raises(T.InvalidType):
        kusari.functions.matmul(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32))


def test_standalone_configuration_objects():
    g = configuration.GlobalConfig()
    c = configuration.LocalConfig(g)
    g.x = "global x"
    c.y = "local y"
    assert c.x == "global x" and c.y == "local y" and not hasattr(c, "w")
    with pytest.raises(AttributeError):
        del c.x

    def other_thread():
        c.y = "other"
        g.x = "global x2"
    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    assert c.y == "local y" and c.x == "global x2"
    with kusari.using_config("x", "tmp", c):
        assert c.x == "tmp" and g.x == "global x2"
    assert c.x == "global x2"
    out = io.StringIO()
    c.show(out)
    assert out.getvalue() == "x global x2\ny local y\n"


def test_dtype_helpers():
    with kusari.using_config("dtype", kusari.mixed16):
        assert kusari.get_dtype() == np.float16
        assert kusari.get_dtype(map_mixed16=np.float32) == np.float32
    assert kusari.get_dtype(np.float64) == np.float64
    out = io.StringIO()
    kusari.print_runtime_info(out)
    assert kusari.__version__ in out.getvalue()
