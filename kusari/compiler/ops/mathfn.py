"""More of Chainer's math as ops: arctan2, arctanh, fmod, fix, sinc and
cumsum.

Each is one NumPy call; gradients are made of registry ops (cumsum's is a
cumsum run backwards), so they differentiate to any order.
"""
from __future__ import annotations

import math

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from .elementwise import binary, unary
from .registry import LIBRARY, ZERO, OpDef, check_float, register
from .scan import flip


def _arctan2_grad(gy, y, a, b):
    # Chainer's rule: d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)
    sqnorm = a * a + b * b
    return gy * b / sqnorm, -gy * a / sqnorm


binary("arctan2", np.arctan2, "np.arctan2", "atan2({0}, {1})", _arctan2_grad,
       label="arctan2", saves=(0, 1), float_only=True)


def _fmod_grad(gy, y, x, d):
    # Chainer's rule: d/dx = 1, d/ddivisor = -fix(x / divisor)
    return gy, -(S.apply("fix", x / d) * gy)


binary("fmod", np.fmod, "np.fmod", "fmod({0}, {1})", _fmod_grad, label="fmod",
       saves=(0, 1), float_only=True)

unary("arctanh", np.arctanh, "np.arctanh", "atanh({0})",
      lambda gy, y, x: (gy / (1 - x * x),), saves=(0,), label="arctanh")
# rounding toward zero: piecewise constant, nothing flows back
unary("fix", np.trunc, "np.trunc", "trunc({0})", ZERO, label="fix")


def sinc(x, out=None):
    result = np.sinc(x)
    if out is None:
        return result
    np.copyto(out, result)
    return out


def _sinc_grad(gy, y, x):
    # (cos(pi x) - sinc(x)) / x away from 0; at 0 the limit 0, written as
    # -pi^2/3 x so that it differentiates to sinc''(0) = -pi^2/3 there too
    zero = S.equal(x, 0)
    safe = S.where(zero, 1, x)
    away = (S.cos(safe * math.pi) - S.apply("sinc", safe)) / safe
    return (gy * S.where(zero, x * (-math.pi * math.pi / 3), away),)


unary("sinc", sinc, None, "({0} == (T)0 ? (T)1 : sin((T)M_PI * {0}) / ((T)M_PI * {0}))",
      _sinc_grad, saves=(0,), label="sinc")


# -- cumsum -------------------------------------------------------------------

def _cumsum_infer(attrs, x):
    check_float(x, "x")
    axis = attrs["axis"]
    if not 0 <= axis < x.ndim:
        raise InvalidType("0 <= axis < x.ndim", f"axis {axis} for x.ndim = {x.ndim}")
    return x.shape, x.dtype


def cumsum(x, axis):
    return np.cumsum(x, axis=axis)


register(OpDef("cumsum", LIBRARY, _cumsum_infer, impl=cumsum, label="Cumsum",
               attr_names=("axis",),
               grad=lambda gy, y, x, axis: (
                   flip(S.apply("cumsum", flip(gy, axis), axis=axis), axis),)))


# -- fft ----------------------------------------------------------------------

def _fft_infer(attrs, x):
    check_float(x, "x")
    if x.ndim < 2 or x.shape[0] != 2:
        raise InvalidType("x.shape[0] == 2 (real and imaginary parts) and x.ndim >= 2",
                          f"x.shape = {x.shape}")
    return x.shape, x.dtype


def fft(x, method):
    """The DFT (`method` 'fft') or its inverse ('ifft') along the last axis of
    the complex array whose real and imaginary parts are x[0] and x[1]."""
    y = getattr(np.fft, method)(x[0] + 1j * x[1])
    return np.stack([y.real, y.imag]).astype(x.dtype, copy=False)


def _fft_grad(gy, y, x, method):
    # the transform applied to (imag, real) of gy gives (imag, real) of gx
    # (Chainer's rule: the DFT matrix is symmetric)
    return (flip(S.apply("fft", flip(gy, 0), method=method), 0),)


register(OpDef("fft", LIBRARY, _fft_infer, impl=fft, label="FFT", attr_names=("method",),
               grad=_fft_grad))
