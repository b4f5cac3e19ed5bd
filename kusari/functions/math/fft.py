"""fft and ifft (Chainer's chainer.functions.math.fft): complex arrays as
(real, imag) pairs."""
from __future__ import annotations

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call, var


def _transform(method: str, x) -> tuple:
    real, imag = x
    real, imag = var(real), var(imag)
    if real.dtype.kind != "f" or real.ndim == 0 or real.shape != imag.shape or \
            real.dtype != imag.dtype:
        raise invalid_in("FFT", InvalidType(
            "real.dtype.kind == f, real.ndim > 0, real.shape == imag.shape, "
            "real.dtype == imag.dtype",
            f"real: {real.dtype}{real.shape}, imag: {imag.dtype}{imag.shape}"))
    pair = call("concat", call("reshape", real, shape=(1,) + real.shape),
                call("reshape", imag, shape=(1,) + imag.shape), axis=0)
    y = call("fft", pair, method=method)
    return (call("getitem", y, key=(("i", 0),)), call("getitem", y, key=(("i", 1),)))


def fft(x) -> tuple:
    """The discrete Fourier transform along the last axis of real + 1j imag,
    x = (real, imag); returns (real, imag) of the result."""
    return _transform("fft", x)


def ifft(x) -> tuple:
    """The inverse discrete Fourier transform, as fft."""
    return _transform("ifft", x)
