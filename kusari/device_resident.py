"""Objects that live on a device and move with `to_device` (Chainer's
DeviceResident: the base of Link and WalkerAlias).

An object lists what it holds by `device_resident_accept(visitor)`: it calls
`visitor.visit_array` for each array it owns (and stores what comes back),
`visitor.visit_variable` for each Variable, and `device_resident_accept` of
each DeviceResident it contains. Moving is one visitor that sends every
array to the target device.

As in Chainer, `to_device`, `to_chx` and `from_chx` are final (overriding
one is a TypeError when the subclass is defined); `to_cpu`, `to_gpu` and
`to_intel64` are deprecated: overriding them warns, and an overriding
method is still called when its object is moved by `to_device`.
"""
from __future__ import annotations

import abc
import warnings

from . import backend
from .utils.meta import enable_final, final

_TO_METHODS = ("to_cpu", "to_gpu", "to_intel64")
_NAMES = {"to_cpu": "@numpy", "to_gpu": "@cupy:N", "to_intel64": "@intel64"}


class DeviceResident(enable_final(meta_base=abc.ABCMeta)):
    """Something whose arrays live on one device (`device`, `xp`)."""

    _device = backend.CpuDevice()

    @property
    def _overridden_to_methods(self) -> tuple:
        """The deprecated to_* methods this object's class overrides."""
        cls = type(self)
        return tuple(m for m in _TO_METHODS
                     if getattr(cls, m) is not getattr(DeviceResident, m))

    def device_resident_accept(self, visitor):
        """Let `visitor` visit this object (subclasses add what they hold)."""
        visitor.visit_device_resident(self)

    @property
    def device(self):
        return self._device

    @property
    def xp(self):
        """The array module of the device (numpy or cupy)."""
        return None if self._device is None else self._device.xp

    @final(action=DeprecationWarning)
    def to_cpu(self):
        """Deprecated: `to_device('@numpy')`."""
        self.device_resident_accept(_ToDeviceVisitor(
            backend.CpuDevice(), entry=("to_cpu", {}), start=self))
        return self

    @final(action=DeprecationWarning)
    def to_gpu(self, device=None):
        """Deprecated: `to_device('@cupy:N')` (needs CuPy). Arrays already on
        a GPU stay where they are."""
        from .backends import cuda
        cuda.check_cuda_available()
        target = cuda.GpuDevice(cuda._get_device_or_current(device))
        self.device_resident_accept(_ToDeviceVisitor(
            target, entry=("to_gpu", {"device": target.device}),
            skip_between_gpus=True, start=self))
        return self

    @final(action=DeprecationWarning)
    def to_intel64(self):
        """Deprecated: `to_device('@intel64')`; iDeep is not available."""
        from .backends import intel64
        intel64.check_ideep_available()
        return self

    @final
    def to_chx(self):
        raise RuntimeError("ChainerX is not available.")

    @final
    def from_chx(self):
        """Nothing to do: kusari's arrays are never ChainerX arrays."""
        self.device_resident_accept(_FromChxVisitor())
        return self

    @final
    def to_device(self, device):
        """Move every array held to `device` (anything get_device takes)."""
        self.device_resident_accept(_ToDeviceVisitor(backend.get_device(device)))
        return self


class DeviceResidentsVisitor:
    """Visits the device residents, arrays and Variables an object holds."""

    def visit_device_resident(self, device_resident):
        raise NotImplementedError

    def visit_array(self, arr):
        """Return the array to store in place of `arr`."""
        raise NotImplementedError

    def visit_variable(self, param):
        raise NotImplementedError


class _ToDeviceVisitor(DeviceResidentsVisitor):
    def __init__(self, device, entry=None, skip_between_gpus=False, start=None):
        assert isinstance(device, backend.Device)
        if entry is not None:
            method = entry[0]
            warnings.warn(f"{method} is deprecated. Please use "
                          f"to_device('{_NAMES[method]}') instead.", DeprecationWarning)
        self._device = device
        self._entry = entry
        self._skip_between_gpus = skip_between_gpus
        self._start = start

    def visit_device_resident(self, device_resident):
        device_resident._device = self._device
        overridden = device_resident._overridden_to_methods
        if not overridden or device_resident is self._start:
            return
        method, kwargs = self._entry if self._entry is not None else \
            self._method_for(self._device)
        if method in overridden:
            # a subclass's own to_cpu/to_gpu (deprecated) still runs
            getattr(device_resident, method)(**kwargs)

    @staticmethod
    def _method_for(device):
        if isinstance(device, backend.GpuDevice):
            return "to_gpu", {"device": device.device.id}
        if isinstance(device, backend.Intel64Device):
            return "to_intel64", {}
        return "to_cpu", {}

    def _skip(self, device) -> bool:
        return (self._skip_between_gpus and isinstance(self._device, backend.GpuDevice)
                and isinstance(device, backend.GpuDevice))

    def visit_array(self, arr):
        if self._skip(backend.get_device_from_array(arr)):
            return arr
        return self._device.send(arr)

    def visit_variable(self, param):
        if param.array is not None and \
                self._skip(backend.get_device_from_array(param.array)):
            return
        param.to_device(self._device)


class _FromChxVisitor(DeviceResidentsVisitor):
    def visit_device_resident(self, device_resident):
        pass

    def visit_array(self, arr):
        return backend.from_chx(arr)

    def visit_variable(self, param):
        pass
