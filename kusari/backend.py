"""Chainer's device API (`chainer.backend`): devices, device specifiers,
moving arrays between devices and finding the array module of arrays.

Specifiers: a `Device`; '@numpy' (the CPU); '@cupy:N' or an int N >= 0 (GPU
N, needs CuPy); -1 or '-1' (the CPU); '@intel64' (needs iDeep, which kusari
does not use). ChainerX is not part of kusari: its specifiers ('native:0')
raise RuntimeError as in a Chainer built without ChainerX.
"""
from __future__ import annotations

import numpy

from ._backend import Device  # noqa: F401
from .backends import _cpu, cuda, intel64
from .backends._cpu import CpuDevice  # noqa: F401
from .backends.cuda import GpuDevice  # noqa: F401
from .backends.intel64 import Intel64Device  # noqa: F401

_CHAINERX_MISSING = "ChainerX is not available: kusari does not use ChainerX"


class ChainerxDevice(Device):
    """Chainer's ChainerX device: ChainerX is not available in kusari."""

    def __init__(self, device=None):
        raise RuntimeError(_CHAINERX_MISSING)

    @staticmethod
    def from_array(array):
        return None

    @staticmethod
    def from_fallback_device(device):
        raise RuntimeError(_CHAINERX_MISSING)


def to_chx(array):
    """Convert arrays to ChainerX: not available in kusari (RuntimeError)."""
    raise RuntimeError(_CHAINERX_MISSING)


def from_chx(array):
    """Arrays from ChainerX to NumPy/CuPy: kusari's arrays are never ChainerX
    arrays, so NumPy and CuPy arrays are returned as they are."""
    from ._backend import _convert_arrays

    def convert(a):
        if a is None or isinstance(a, get_array_types()):
            return a
        raise TypeError("Tried to convert to a non-ChainerX array from an "
                        f"invalid type: {type(a)}")
    return _convert_arrays(array, convert)


def get_array_types() -> tuple:
    """The array types kusari computes on: NumPy's, and CuPy's when installed."""
    return get_cpu_array_types() + get_gpu_array_types()


def get_cpu_array_types() -> tuple:
    return (numpy.ndarray, intel64.mdarray)


def get_gpu_array_types() -> tuple:
    return (cuda.ndarray,) if cuda.available else ()


def is_arrays_compatible(arrays) -> bool:
    """Whether all the (non-None) arrays live on the same kind of device."""
    arrays = [a for a in arrays if a is not None]
    if not arrays:
        return True
    gpu = cuda.is_cupy_array(arrays[0])
    if gpu:
        return all(cuda.is_cupy_array(a) for a in arrays)
    return all(isinstance(a, get_cpu_array_types()) for a in arrays)


def _contains_nan(x) -> bool:
    """Whether array `x` has a NaN."""
    if x.dtype.kind not in "fc":
        return False
    device = get_device_from_array(x)
    return bool(device.xp.isnan(x).any())


def copyto(dst, src) -> None:
    """Copy the elements of `src` into `dst`, across devices."""
    if isinstance(dst, numpy.ndarray):
        numpy.copyto(dst, _cpu._to_cpu(src))
    elif cuda.is_cupy_array(dst):
        cp = cuda._cupy()
        if isinstance(src, get_cpu_array_types()):
            src = numpy.asarray(src)
            if src.dtype == dst.dtype and (dst.flags.c_contiguous or
                                           dst.flags.f_contiguous):
                dst.set(src)
            else:
                cp.copyto(dst, cuda.to_gpu(src, device=dst.device))
        elif cuda.is_cupy_array(src):
            cp.copyto(dst, src)
        else:
            raise TypeError(f"cannot copy from non-array object of type {type(src)}")
    else:
        raise TypeError(f"cannot copy to non-array object of type {type(dst)}")


def _guess_device_from_array_module(xp) -> Device:
    if cuda.available and xp is cuda.cupy:
        return GpuDevice(cuda.cupy.cuda.Device())
    return CpuDevice()


def get_device(device_spec) -> Device:
    """The Device a specifier names (see the module's docstring)."""
    if isinstance(device_spec, Device):
        return device_spec
    if isinstance(device_spec, cuda._integer_types) and type(device_spec) is not bool:
        return _device_from_int(int(device_spec))
    if cuda.available and isinstance(device_spec, cuda._cupy().cuda.Device):
        return GpuDevice(device_spec)
    if isinstance(device_spec, str):
        try:
            number = int(device_spec)
        except ValueError:
            pass
        else:
            return _device_from_int(number)
        if device_spec.startswith("@"):
            module, colon, rest = device_spec[1:].partition(":")
            if module == "numpy" and not colon:
                return CpuDevice()
            if module == "cupy" and colon:
                return GpuDevice.from_device_id(int(rest))
            if module == "intel64" and not colon:
                return Intel64Device()
            raise ValueError(
                "Device specifiers starting with '@' must be followed by a module "
                "name and depending on the module, module specific precise device "
                f"specifiers. Actual: {device_spec}")
        raise RuntimeError(
            f"Tried to parse ChainerX device specifier '{device_spec}', but "
            "ChainerX is not available. Note that device specifiers without '@' "
            "prefix are assumed to be ChainerX device specifiers.")
    raise TypeError("Device specifier must be a backend.Device, cuda.Device, "
                    "chainerx.Device, integer or a string. "
                    f"Actual: {type(device_spec)}")


def _device_from_int(number: int) -> Device:
    return GpuDevice.from_device_id(number) if number >= 0 else CpuDevice()


def using_device(device_spec):
    """A context manager in which the device `device_spec` names is current."""
    return get_device(device_spec).create_context()


def get_array_module(*args):
    """The array module (numpy or cupy) for the arguments (arrays or Variables)."""
    if cuda.available:
        from .variable import Variable
        for a in args:
            if isinstance(a, Variable):
                a = a.array
            if cuda.is_cupy_array(a):
                return cuda._cupy()
    return numpy


def get_device_from_array(*arrays) -> Device:
    """The Device of the first array among `arrays` that is not a NumPy array
    (CpuDevice when all are NumPy arrays or there are none)."""
    for a in arrays:
        device = GpuDevice.from_array(a)
        if device is not None:
            return device
        device = Intel64Device.from_array(a)
        if device is not None:
            return device
    return CpuDevice()
