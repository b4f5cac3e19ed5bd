"""The CuPy the device tests (test_device_*.py) run on: the strict stand-in
(fake_cupy.py, CUDA kernels compiled for the CPU) by default, CuPy itself
on a GPU with `pytest --cupy`."""
from __future__ import annotations

import pytest

from . import fake_cupy
from .common import need_gxx


@pytest.fixture
def cupy_module(request, monkeypatch):
    if request.config.getoption("--cupy"):
        try:
            import cupy
            cupy.cuda.runtime.getDeviceCount()
        except Exception as e:     # noqa: BLE001 (no CuPy, no driver, no GPU)
            pytest.skip(f"--cupy needs CuPy and a GPU: {e}")
        from kusari.runtime import cupy_backend
        monkeypatch.setattr(cupy_backend, "_backend", [])
        return cupy
    need_gxx()                   # the stand-in compiles CUDA kernels with g++
    return fake_cupy.install(monkeypatch)


def need_devices(cp, n: int) -> None:
    if cp.cuda.runtime.getDeviceCount() < n:
        pytest.skip(f"needs {n} GPUs")


def launches(cp):
    """Kernels launched so far (the stand-in counts them; None on a GPU)."""
    return len(fake_cupy.RawModule.launched) if cp.RawModule is fake_cupy.RawModule else None


def launched_since(cp, before) -> bool:
    """Whether kernels were launched since `before` (launches(cp)); on a GPU,
    where nothing counts them, True."""
    return before is None or launches(cp) > before
