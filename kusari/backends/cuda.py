"""CuPy support, Chainer's `chainer.backends.cuda` (also `kusari.cuda`).

CuPy is optional: `available` says whether it is installed; it is imported
only when first used, so `import kusari` stays fast without a GPU. Without
CuPy this module is what Chainer's is without it: `cupy` is a placeholder
object (so `xp is cuda.cupy` is simply False), `ndarray`, `Device`, `Event`
and `Stream` are classes nothing is an instance of, and everything that would
need a GPU raises RuntimeError saying CUDA is not set up.
"""
from __future__ import annotations

import functools
import importlib.util
import threading
import warnings

import numpy

from .. import _backend
from ..configuration import config
from . import _cpu

available = importlib.util.find_spec("cupy") is not None
cudnn_enabled = False
_resolution_error = None if available else ImportError("No module named 'cupy'")
_integer_types = (int, numpy.integer)

if not available:
    class ndarray:  # noqa: N801 (CuPy's name): nothing is an instance of it
        """Stands for cupy.ndarray where CuPy is absent."""

    class Device:
        """Stands for cupy.cuda.Device where CuPy is absent."""

        def __init__(self, device=None):
            check_cuda_available()

    class Event:
        pass

    class Stream:
        pass

    # for `xp is cuda.cupy` to be False for every array module
    cupy = object()
    cupyx = object()
    cudnn = None
    libcudnn = object()

    class _PerformanceWarning(Warning):
        pass


_LAZY = {"ndarray": ("cupy", "ndarray"), "Device": ("cupy.cuda", "Device"),
         "Event": ("cupy.cuda", "Event"), "Stream": ("cupy.cuda", "Stream"),
         "cupy": ("cupy", None), "cuda": ("cupy.cuda", None),
         "cupyx": ("cupyx", None)}


def __getattr__(name):
    # reached only when CuPy is installed: import it on first use
    if name in _LAZY:
        module_name, attr = _LAZY[name]
        module = _cupy_module(module_name)
        value = module if attr is None else getattr(module, attr)
        globals()[name] = value
        return value
    if name in ("memory_pool", "pinned_memory_pool") and available:
        cp = _cupy_module("cupy")
        return (cp.get_default_memory_pool() if name == "memory_pool"
                else cp.get_default_pinned_memory_pool())
    raise AttributeError(f"module 'kusari.backends.cuda' has no attribute {name!r}")


def _cupy_module(name):
    check_cuda_available()
    return importlib.import_module(name)


def _cupy():
    return _cupy_module("cupy")


def check_cuda_available() -> None:
    """Raise RuntimeError unless CuPy is installed and usable."""
    if not available:
        raise RuntimeError(
            "CUDA environment is not correctly set up\n"
            "(see https://github.com/chainer/chainer#installation)."
            f"{_resolution_error}: install CuPy (pip install 'kusari[cuda]')")


def is_cupy_array(x) -> bool:
    return type(x).__module__.split(".")[0] == "cupy"


class DummyDeviceType:
    """A device with cupy.cuda.Device's interface that stands for the CPU."""

    id = -1

    def __int__(self):
        return -1

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False

    def use(self):
        pass

    def synchronize(self):
        pass

    def __eq__(self, other):
        return isinstance(other, DummyDeviceType)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(-1)


DummyDevice = DummyDeviceType()


class GpuDevice(_backend.Device):
    """The device of CuPy arrays on one GPU, named '@cupy:<id>'."""

    supported_array_types = property(lambda self: (_cupy().ndarray,))
    xp = property(lambda self: _cupy())

    __hash__ = _backend.Device.__hash__

    def __init__(self, device):
        check_cuda_available()
        super().__init__()
        self.device = device

    @staticmethod
    def from_device_id(device_id):
        """The GpuDevice of CUDA device `device_id` (a non-negative int)."""
        check_cuda_available()
        if type(device_id) is bool or not isinstance(device_id, _integer_types) \
                or device_id < 0:
            raise ValueError(f"Invalid CUDA device ID: {device_id}")
        return GpuDevice(_cupy().cuda.Device(int(device_id)))

    @staticmethod
    def from_array(array):
        if is_cupy_array(array) and array.device is not None:
            return GpuDevice(array.device)
        return None

    @property
    def name(self):
        return f"@cupy:{self.device.id}"

    def __eq__(self, other):
        return isinstance(other, GpuDevice) and other.device == self.device

    def __repr__(self):
        return f"<{type(self).__name__} (cupy):{self.device.id}>"

    def create_context(self):
        return _cupy().cuda.Device(self.device.id)

    def send_array(self, array):
        return _array_to_gpu(array, self.device)

    def use(self):
        self.device.use()

    def is_array_supported(self, array) -> bool:
        return is_cupy_array(array) and array.device == self.device


# -- devices ------------------------------------------------------------------
def get_device_from_id(device_id):
    """The cupy.cuda.Device of `device_id`, or DummyDevice for None or < 0."""
    if device_id is not None and device_id >= 0:
        check_cuda_available()
        return _cupy().cuda.Device(int(device_id))
    return DummyDevice


def get_device_from_array(*arrays):
    """The device of the first CuPy array among `arrays`, else DummyDevice."""
    for a in arrays:
        if is_cupy_array(a) and a.device is not None:
            return a.device
    return DummyDevice


def get_device(*args):
    """Deprecated: use get_device_from_id or get_device_from_array."""
    warnings.warn("get_device is deprecated. Please use get_device_from_id or"
                  " get_device_from_array instead.", DeprecationWarning)
    return _get_cuda_device(*args)


def _get_cuda_device(*args):
    for a in args:
        if type(a) is not bool and isinstance(a, _integer_types):
            check_cuda_available()
            return _cupy().cuda.Device(int(a))
        if is_cupy_array(a):
            if a.device is None:
                continue
            return a.device
        if available and isinstance(a, _cupy().cuda.Device):
            return a
    return DummyDevice


def _get_device_or_current(device):
    cp = _cupy()
    if device is None:
        return cp.cuda.Device()
    if isinstance(device, cp.cuda.Device):
        return device
    if type(device) is bool or not isinstance(device, _integer_types) or device < 0:
        raise ValueError(f"Invalid CUDA device specifier: {device}")
    return cp.cuda.Device(int(device))


def parse_device_id(device):
    """The CUDA device id in an int or a '@cupy:N' / 'cuda:N' specifier."""
    if device is None or isinstance(device, int):
        return device
    s = str(device)
    for prefix in ("@cupy:", "cuda:"):
        if s.startswith(prefix):
            return int(s[len(prefix):])
    return int(s)


# -- arrays -------------------------------------------------------------------
def to_gpu(array, device=None, stream=None):
    """Copy an array (or a list/tuple of arrays) to a GPU; needs CuPy."""
    if stream is not None:
        warnings.warn("The stream option is deprecated in chainer.backends.cuda."
                      "to_gpu. Please remove it.", DeprecationWarning)
    check_cuda_available()
    device = _cupy().cuda.Device() if device is DummyDevice else \
        _get_device_or_current(device)
    return _backend._convert_arrays(array, lambda a: _array_to_gpu(a, device))


def _array_to_gpu(array, device):
    if array is None:
        return None
    cp = _cupy()
    if isinstance(array, (numpy.number, numpy.bool_)):
        array = numpy.asarray(array)
    if is_cupy_array(array):
        if array.device == device:
            return array
        with device:
            return cp.array(array, copy=True)
    if not isinstance(array, numpy.ndarray):
        raise TypeError("The array sent to gpu must be an array or a NumPy scalar."
                        f"\nActual type: {type(array)}.")
    with device:
        return cp.asarray(array)


def to_cpu(array, stream=None):
    """An array (or a list/tuple of arrays) as NumPy arrays; CPU arrays stay."""
    return _backend._convert_arrays(array, _cpu._array_to_cpu)


def copy(array, out=None, out_device=None, stream=None):
    """Copy a CuPy array, possibly to another device; needs CuPy."""
    check_cuda_available()
    cp = _cupy()
    if out is None:
        if out_device is None:
            out_device = array
        with _get_cuda_device(out_device):
            out = cp.empty_like(array)
    with get_device_from_array(array):
        cp.copyto(out, array)
    return out


# -- kernels and memoization ----------------------------------------------------
def memoize(for_each_device=False):
    """cupy.memoize with CuPy; without it, a decorator that changes nothing."""
    if available:
        return _cupy().memoize(for_each_device)

    def passthrough(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            return f(*args, **kwargs)
        return wrapper
    return passthrough


def clear_memo():
    if available:
        _cupy().clear_memo()


def elementwise(in_params, out_params, operation, name, **kwargs):
    check_cuda_available()
    return _cupy().ElementwiseKernel(in_params, out_params, operation, name, **kwargs)


def reduce(in_params, out_params, map_expr, reduce_expr, post_map_expr,
           identity, name, **kwargs):
    check_cuda_available()
    return _cupy().ReductionKernel(in_params, out_params, map_expr, reduce_expr,
                                   post_map_expr, identity, name, **kwargs)


def raw(code, name, *args, **kwargs):
    check_cuda_available()
    return _cupy().RawKernel(code, name, *args, **kwargs)


def get_array_module(*args):
    """cupy if any argument is a CuPy array (or a Variable holding one), else numpy."""
    from .. import backend
    return backend.get_array_module(*args)


def get_max_workspace_size():
    return 0


def set_max_workspace_size(size):
    pass


def fuse(*args, **kwargs):
    """cupy.fuse with CuPy; without it the function itself."""
    if available:
        return _cupy().fuse(*args, **kwargs)
    if len(args) == 1 and not kwargs and callable(args[0]):
        return args[0]
    return lambda f: f


# -- cuDNN ----------------------------------------------------------------------
_SHOULD_USE_CUDNN = {
    "==always": {"always": True, "auto": False, "never": False},
    ">=auto": {"always": True, "auto": True, "never": False},
}
_cudnn_version = -1


def should_use_cudnn(level, lowest_version=0):
    """Whether cuDNN should be used (never: kusari does not call cuDNN)."""
    if _cudnn_version < lowest_version:
        return False
    if level not in _SHOULD_USE_CUDNN:
        raise ValueError(f"invalid cuDNN use level: {level!r} "
                         '(must be either of "==always" or ">=auto")')
    flags = _SHOULD_USE_CUDNN[level]
    if config.use_cudnn not in flags:
        raise ValueError(f"invalid use_cudnn configuration: {config.use_cudnn!r} "
                         '(must be either of "always", "auto", or "never")')
    return flags[config.use_cudnn] and cudnn_enabled


_TENSOR_CORE = {"always": True, "auto": None, "never": False}


def should_use_cudnn_tensor_core(dtype):
    flag = getattr(config, "use_cudnn_tensor_core", "auto")
    if flag not in _TENSOR_CORE:
        raise ValueError(f"invalid use_cudnn_tensor_core configuration: {flag!r} "
                         '(must be either of "always", "auto", or "never")')
    use = _TENSOR_CORE[flag]
    return bool(use) if use is not None else False


_dropout_states = threading.local()


def get_cudnn_dropout_states():
    if not cudnn_enabled:
        raise RuntimeError("cuDNN is not enabled.")
    raise RuntimeError("kusari does not use cuDNN dropout states")
