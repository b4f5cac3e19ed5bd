"""`print_runtime_info()`: the versions kusari runs with, for bug reports."""
from __future__ import annotations

import io
import platform
import sys

import numpy


class _RuntimeInfo:
    def __init__(self):
        import kusari
        from .backends import cuda
        self.chainer_version = kusari.__version__
        self.chainerx_available = False
        self.numpy_version = numpy.__version__
        self.platform_version = platform.platform()
        self.cuda_info = None
        if cuda.available:
            try:
                self.cuda_info = cuda._cupy().__version__
            except Exception as e:   # a broken CUDA install is worth reporting
                self.cuda_info = f"unusable ({type(e).__name__}: {e})"
        self.ideep_version = None

    def __str__(self):
        s = io.StringIO()
        s.write(f"Platform: {self.platform_version}\n")
        s.write(f"Chainer: {self.chainer_version}\n")
        s.write("ChainerX: Not Available\n")
        s.write(f"NumPy: {self.numpy_version}\n")
        if self.cuda_info is None:
            s.write("CuPy: Not Available\n")
        else:
            s.write("CuPy:\n")
            for line in str(self.cuda_info).splitlines():
                s.write(f"  {line}\n")
        s.write("iDeep: Not Available\n")
        return s.getvalue()


def _get_runtime_info() -> _RuntimeInfo:
    return _RuntimeInfo()


def print_runtime_info(out=None) -> None:
    """Write the platform, kusari (as Chainer), NumPy and CuPy versions."""
    out = sys.stdout if out is None else out
    out.write(str(_get_runtime_info()))
    if hasattr(out, "flush"):
        out.flush()
