"""Objects that live on a device and move with `to_device` (Chainer's
DeviceResident, the base of WalkerAlias; Link may use it too).

An object lists what it holds by `device_resident_accept(visitor)`: it calls
`visitor.visit_array` for each array it owns (and stores what comes back),
`visitor.visit_variable` for each Variable, and `accept` of each
DeviceResident it contains. Moving is one visitor that sends every array to
the target device.
"""
from __future__ import annotations

import warnings

from . import backend


class DeviceResident:
    """Something whose arrays live on one device (`device`, `xp`)."""

    _device = backend.CpuDevice()

    def device_resident_accept(self, visitor):
        visitor.visit_device_resident(self)

    @property
    def device(self):
        return self._device

    @property
    def xp(self):
        return None if self._device is None else self._device.xp

    def to_device(self, device):
        """Move every array held to `device` (any specifier get_device takes)."""
        self.device_resident_accept(_ToDeviceVisitor(backend.get_device(device)))
        return self

    def to_cpu(self):
        """Deprecated: to_device('@numpy')."""
        warnings.warn("to_cpu is deprecated. Please use to_device('@numpy') "
                      "instead.", DeprecationWarning)
        self.device_resident_accept(_ToDeviceVisitor(backend.CpuDevice()))
        return self

    def to_gpu(self, device=None):
        """Deprecated: to_device('@cupy:N'); needs CuPy."""
        from .backends import cuda
        cuda.check_cuda_available()
        warnings.warn("to_gpu is deprecated. Please use to_device('@cupy:N') "
                      "instead.", DeprecationWarning)
        target = cuda.GpuDevice(cuda._get_device_or_current(device))
        self.device_resident_accept(_ToDeviceVisitor(target))
        return self

    def to_intel64(self):
        """Deprecated: to_device('@intel64'); needs iDeep (never available)."""
        from .backends import intel64
        intel64.check_ideep_available()
        return self

    def to_chx(self):
        raise RuntimeError("ChainerX is not available.")

    def from_chx(self):
        """Nothing to do: kusari's arrays are never ChainerX arrays."""
        return self


class DeviceResidentsVisitor:
    """Visits the device residents, arrays and Variables an object holds."""

    def visit_device_resident(self, device_resident):
        raise NotImplementedError

    def visit_array(self, arr):
        raise NotImplementedError

    def visit_variable(self, param):
        raise NotImplementedError


class _ToDeviceVisitor(DeviceResidentsVisitor):
    def __init__(self, device):
        assert isinstance(device, backend.Device)
        self._device = device

    def visit_device_resident(self, device_resident):
        device_resident._device = self._device

    def visit_array(self, arr):
        return self._device.send(arr)

    def visit_variable(self, param):
        param.to_device(self._device)
