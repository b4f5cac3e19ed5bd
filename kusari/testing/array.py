"""`assert_allclose` for arrays on any device (and Variables), with a
report of the worst element."""
from __future__ import annotations

import io

import numpy

from .. import backend


def _to_numpy(x):
    from ..utils import force_array
    from ..variable import Variable
    if isinstance(x, Variable):
        x = x.array
    return backend.CpuDevice().send(force_array(x))


def assert_allclose(x, y, atol=1e-5, rtol=1e-4, verbose=True):
    """Assert |x - y| <= atol + rtol * |y| elementwise (CPU or GPU arrays)."""
    x = _to_numpy(x)
    y = _to_numpy(y)
    try:
        numpy.testing.assert_allclose(x, y, atol=atol, rtol=rtol, verbose=verbose)
    except AssertionError as e:
        f = io.StringIO()
        f.write(f"{e}\n\n")
        f.write(f"assert_allclose failed:\n  shape: {x.shape} {y.shape}\n"
                f"  dtype: {x.dtype} {y.dtype}\n")
        if x.shape == y.shape:
            xx, yy = numpy.atleast_1d(x), numpy.atleast_1d(y)
            err = numpy.abs(xx - yy)
            tol_rtol = rtol * numpy.abs(yy).astype(numpy.float64)
            tol = atol + tol_rtol
            i = numpy.unravel_index(numpy.argmax(err.astype(numpy.float64) - tol),
                                    err.shape)
            rel = "inf" if yy[i] == 0 else err[i] / numpy.abs(yy[i])
            f.write(f"  i: {i}\n  x[i]: {xx[i]}\n  y[i]: {yy[i]}\n"
                    f"  relative error[i]: {rel}\n  absolute error[i]: {err[i]}\n"
                    f"  relative tolerance * |y[i]|: {tol_rtol[i]}\n"
                    f"  absolute tolerance: {atol}\n  total tolerance: {tol[i]}\n")
        options = numpy.get_printoptions()
        try:
            numpy.set_printoptions(threshold=10000)
            f.write("x: " + numpy.array2string(x, prefix="x: ") + "\n")
            f.write("y: " + numpy.array2string(y, prefix="y: ") + "\n")
        finally:
            numpy.set_printoptions(**options)
        raise AssertionError(f.getvalue()) from None


def _as_noncontiguous_array(array):
    """The same values in an array that is not C-contiguous (sizes > 1)."""
    if isinstance(array, (list, tuple)):
        return type(array)(_as_noncontiguous_array(a) for a in array)
    if array is None or array.size <= 1:
        return array
    xp = backend.get_device_from_array(array).xp
    every_other = (slice(None, None, -2),) * array.ndim
    out = xp.empty(tuple(2 * s for s in array.shape), dtype=array.dtype)
    out[every_other] = array
    out = out[every_other]
    assert not out.flags.c_contiguous
    return out
