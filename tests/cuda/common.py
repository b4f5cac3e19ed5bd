"""Shared pieces of the CUDA generator's tests: special values, comparison
with the NumPy backend, and skips with a message where a compiler is absent."""
from __future__ import annotations

import numpy as np
import pytest

from kusari.compiler import compile as spine_compile
from kusari.compiler.codegen import cuda_gen
from kusari.compiler.passes import optimize
from kusari.runtime import NUMPY

from . import harness

FLOATS = (np.float16, np.float32, np.float64)


def specials(dtype) -> np.ndarray:
    """0, -0.0, +-inf, NaN, huge, tiny (subnormal) and ordinary values."""
    dt = np.dtype(dtype)
    if dt.kind == "f":
        fi = np.finfo(dt)
        huge, tiny = float(fi.max), float(fi.smallest_subnormal)
        v = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.7, -3.7, 0.001, 10.0, -10.0,
             100.0, 0.99, -0.99, 1.5, np.inf, -np.inf, np.nan, huge, -huge, tiny, -tiny,
             float(fi.tiny), 1e4 if dt.itemsize > 2 else 1e3]
        return np.array(v, dt)
    if dt.kind == "b":
        return np.array([False, True], dt)
    info = np.iinfo(dt)
    v = [0, 1, -1, 2, -2, 7, -7, 100, -100, info.max, info.min + 1] if dt.kind == "i" \
        else [0, 1, 2, 7, 100, info.max]
    return np.array(v, dt)


def need_nvcc():
    if harness.nvcc() is None:
        pytest.skip("nvcc is not on this machine: the CUDA source is not compiled "
                    "(install the CUDA toolkit to run this test)")


def need_gxx():
    if harness.gxx() is None:
        pytest.skip("no g++ on this machine: the host shim cannot compile the kernels")


def cuda_program(g, name: str):
    """The CUDA program of an optimized copy of `g`, and that copy."""
    g = g.copy()
    optimize(g, mark_kernels=False)
    return cuda_gen.generate(g, name), g


def numpy_results(g, arrays) -> tuple:
    exe = spine_compile(g, NUMPY)
    return tuple(exe.fn(*arrays))


def tolerance(dtype) -> dict:
    dt = np.dtype(dtype)
    if dt == np.float16:
        return dict(rtol=2e-3, atol=0)
    if dt == np.float32:
        return dict(rtol=4e-6, atol=0)
    if dt == np.float64:
        return dict(rtol=1e-13, atol=0)
    return dict(rtol=0, atol=0)


def assert_same(got, want, what: str, rtol=None, atol=None) -> None:
    """Equal dtype and shape; NaN where NumPy has NaN, the same infinities,
    equal values to a few units in the last place (the math library's
    rounding), the sign of an exact zero, and exact for ints and bools."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != NumPy's {want.dtype}"
    assert got.shape == want.shape, f"{what}: shape {got.shape} != NumPy's {want.shape}"
    tol = tolerance(want.dtype)
    if rtol is not None:
        tol["rtol"] = rtol
    if atol is not None:
        tol["atol"] = atol
    if want.dtype.kind != "f":
        np.testing.assert_array_equal(got, want, err_msg=what)
        return
    # and a few units of the smallest subnormal (the last place there)
    tol["atol"] = max(tol["atol"], 4 * float(np.finfo(want.dtype).smallest_subnormal))
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64),
                               equal_nan=True, err_msg=what, **tol)
    zero = (want == 0) & (got == 0)
    bad = zero & (np.signbit(got) != np.signbit(want))
    assert not bad.any(), f"{what}: the sign of a zero differs at {np.argwhere(bad)[:5].tolist()}"
