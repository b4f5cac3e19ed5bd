"""Special functions: the error function family, the normal distribution,
lgamma, digamma, polygamma and Hurwitz's zeta (Chainer's F.erf ... F.zeta).

Their NumPy forms are in special_kernels and gamma_kernels (SciPy is not a dependency); each
gradient is made of these ops again (d lgamma = digamma, d digamma =
polygamma(1, .), d polygamma(n, .) = polygamma(n + 1, .), d zeta(s, q) / dq =
-s zeta(s + 1, q)), so they differentiate to any order. The CUDA forms are
CUDA's own math functions where it has them; digamma, polygamma and zeta
call device functions written from their NumPy forms' algorithms
(codegen.cuda_math).
"""
from __future__ import annotations

import math

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from . import gamma_kernels as gk
from . import special_kernels as sk
from .elementwise import unary
from .registry import ELEMENTWISE, OpDef, broadcast_shapes, check_float, register

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
HALF_SQRT_PI = math.sqrt(math.pi) / 2.0
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SQRT_2PI = math.sqrt(2.0 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
SQRT1_2 = math.sqrt(0.5)


def _int_const(like: S.Sym, value: int) -> S.Sym:
    return S.Sym(like.g, like.g.add_const(value, np.dtype(np.int32)))


# name       NumPy form      CUDA                         gradient (gy, y, x)
unary("erf", sk.erf, None, "erf({0})",
      lambda gy, y, x: (gy * (S.exp(-(x * x)) * TWO_OVER_SQRT_PI),), saves=(0,), label="erf")
unary("erfc", sk.erfc, None, "erfc({0})",
      lambda gy, y, x: (gy * (S.exp(-(x * x)) * -TWO_OVER_SQRT_PI),), saves=(0,),
      label="erfc")
unary("erfcx", sk.erfcx, None, "erfcx({0})",
      lambda gy, y, x: (gy * (x * y * 2 - TWO_OVER_SQRT_PI),), saves=(0,), saves_out=True,
      label="erfcx")
unary("erfinv", sk.erfinv, None, "erfinv({0})",
      lambda gy, y, x: (gy * (S.exp(y * y) * HALF_SQRT_PI),), saves_out=True, label="erfinv")
unary("erfcinv", sk.erfcinv, None, "erfcinv({0})",
      lambda gy, y, x: (gy * (S.exp(y * y) * -HALF_SQRT_PI),), saves_out=True,
      label="erfcinv")
unary("ndtr", sk.ndtr, None, "normcdf({0})",
      lambda gy, y, x: (gy * (S.exp(x * x * -0.5) * INV_SQRT_2PI),), saves=(0,), label="ndtr")


def _log_ndtr_grad(gy, y, x):
    # d log ndtr(x) = pdf / cdf: for x < 0 as sqrt(2/pi) / erfcx(-x / sqrt 2) (no
    # underflow far left), else as exp(-x^2/2 - y) / sqrt(2 pi) (no overflow far
    # right); each branch sees a harmless value where it is not taken
    left = x < 0
    xn = S.where(left, x, -1.0)
    xp = S.where(left, 1.0, x)
    yp = S.where(left, 0.0, y)
    r_left = SQRT_2_OVER_PI / S.apply("erfcx", xn * -SQRT1_2)
    r_right = S.exp(xp * xp * -0.5 - yp) * INV_SQRT_2PI
    return (gy * S.where(left, r_left, r_right),)


# CUDA: log1p(-cdf(-x)) on the right (no cancellation near 1), erfcx on the far
# left (no underflow), as the NumPy form computes it
unary("log_ndtr", sk.log_ndtr, None,
      "({0} > (T)0 ? log1p(-normcdf(-{0})) : {0} > (T)-1 ? log(normcdf({0})) : "
      "log((T)0.5 * erfcx({0} * (T)-0.70710678118654752)) - (T)0.5 * {0} * {0})",
      _log_ndtr_grad, saves=(0,),
      saves_out=True, label="log_ndtr")
unary("ndtri", sk.ndtri, None, "normcdfinv({0})",
      lambda gy, y, x: (gy * (S.exp(y * y * 0.5) * SQRT_2PI),), saves_out=True, label="ndtri")
unary("lgamma", gk.lgamma, None, "lgamma({0})",
      lambda gy, y, x: (gy * S.apply("digamma", x),), saves=(0,), label="lgamma")
unary("digamma", gk.digamma, None, "ks_digamma({0})",
      lambda gy, y, x: (gy * S.apply("polygamma", _int_const(x, 1), x),), saves=(0,),
      label="digamma")


def _polygamma_infer(attrs, n, x):
    if n.dtype.kind not in "iu":
        raise InvalidType("n.dtype.kind == i", f"{n.dtype.kind} != i")
    check_float(x, "x")
    return broadcast_shapes((n.shape, x.shape), ("n", "x")), x.dtype


register(OpDef(
    "polygamma", ELEMENTWISE, _polygamma_infer, impl=gk.polygamma, label="polygamma",
    cuda="ks_polygamma({0}, {1})",
    arg_names=("n", "x"), saves=(0, 1), out_arg=True,
    grad=lambda gy, y, n, x: (None, gy * S.apply("polygamma", n + _int_const(n, 1), x))))


def _zeta_infer(attrs, s, q):
    check_float(s, "x")
    check_float(q, "q")
    if s.dtype != q.dtype:
        raise InvalidType("x.dtype == q.dtype", f"{s.dtype} != {q.dtype}")
    return broadcast_shapes((s.shape, q.shape), ("x", "q")), q.dtype


register(OpDef(
    "zeta", ELEMENTWISE, _zeta_infer, impl=gk.zeta, label="zeta", arg_names=("x", "q"),
    cuda="ks_zeta({0}, {1})",
    saves=(0, 1), out_arg=True,
    grad=lambda gy, y, s, q: (None, gy * -s * S.apply("zeta", s + 1, q))))
