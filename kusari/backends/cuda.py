"""CuPy support, Chainer's `chainer.backends.cuda` (also `kusari.cuda`).

CuPy is optional: `available` says whether it is installed; it is imported
only when first used, so `import kusari` stays fast without a GPU.
"""
from __future__ import annotations

import importlib.util

import numpy as np

available = importlib.util.find_spec("cupy") is not None
cudnn_enabled = False


def _cupy():
    if not available:
        raise RuntimeError("CUDA environment is not correctly set up: CuPy is not "
                           "installed (pip install 'kusari[cuda]')")
    import cupy
    return cupy


def __getattr__(name):
    if name == "cupy":
        return _cupy() if available else None
    if name == "ndarray":
        return _cupy().ndarray if available else _NoCupyArray
    raise AttributeError(f"module 'kusari.backends.cuda' has no attribute {name!r}")


class _NoCupyArray:
    """Stands for cupy.ndarray where CuPy is absent: nothing is an instance."""


def check_cuda_available() -> None:
    _cupy()


def is_cupy_array(x) -> bool:
    return type(x).__module__.split(".")[0] == "cupy"


def get_array_module(*args):
    """cupy if any argument is a CuPy array (or a Variable holding one), else numpy."""
    for a in args:
        a = getattr(a, "array", a)
        if is_cupy_array(a):
            return _cupy()
    return np


def to_cpu(array, stream=None):
    if array is None or isinstance(array, np.ndarray):
        return array
    if is_cupy_array(array):
        return array.get(stream)
    if isinstance(array, (list, tuple)):
        return type(array)(to_cpu(a) for a in array)
    return np.asarray(array)


def to_gpu(array, device=None, stream=None):
    cupy = _cupy()
    if array is None:
        return None
    with cupy.cuda.Device(parse_device_id(device) if device is not None else None):
        return cupy.asarray(array)


def parse_device_id(device) -> int | None:
    if device is None:
        return None
    if isinstance(device, int):
        return device
    s = str(device)
    if s.startswith("@cupy:"):
        return int(s.split(":")[1])
    if s.startswith("cuda:"):
        return int(s.split(":")[1])
    return int(s)


def get_device_from_id(device_id):
    return _cupy().cuda.Device(device_id)


def get_device_from_array(*arrays):
    for a in arrays:
        if is_cupy_array(a):
            return a.device
    return DummyDevice


class _DummyDevice:
    id = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def use(self):
        pass

    def synchronize(self):
        pass

    def __int__(self):
        return -1


DummyDevice = _DummyDevice()


def get_device(*args):
    return get_device_from_array(*args)
