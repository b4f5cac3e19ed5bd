"""NumPy forms of the special functions: the error function family and the
normal distribution (lgamma, digamma, polygamma, zeta: gamma_kernels).

SciPy is not a dependency, so these are written here, vectorized, from
textbook formulas whose every coefficient is computed in this module (no
tables copied from elsewhere):

- erf: its Maclaurin series near 0; erfc and erfcx: Taylor series of erfcx
  about anchor points (erfcx solves y' = 2 x y - 2 / sqrt(pi), so its
  coefficients follow from its value; the anchors are computed once in
  `decimal` to 60 digits), and Laplace's continued fraction further out.
- erfinv, erfcinv, ndtri: a closed-form first guess refined by Halley steps
  on erf or erfc.

They compute in float64 and return the input's dtype. Each accepts `out=`
(fused elementwise kernels write into buffers). Accuracy (tests check it
element by element against Python's `math` module): a few units in the last
place of float64, relative.
"""
from __future__ import annotations

import decimal
import math
from functools import lru_cache

import numpy as np

SQRT_PI = math.sqrt(math.pi)
TWO_OVER_SQRT_PI = 2.0 / SQRT_PI
SQRT1_2 = math.sqrt(0.5)


# -- plumbing -----------------------------------------------------------------

def _f64(x):
    return np.asarray(x, dtype=np.float64)


def _finish(result, like, out):
    """`result` (float64) as the dtype of `like`, written into `out` if given."""
    dtype = np.asarray(like).dtype
    if dtype.kind != "f":
        dtype = np.dtype(np.float64)
    if out is not None:
        np.copyto(out, result, casting="unsafe")
        return out
    return np.asarray(result).astype(dtype, copy=False)


def _split_square(x):
    """x * x as hi + lo exactly (Dekker's product, Veltkamp's split)."""
    c = 134217729.0 * x          # 2**27 + 1
    xh = c - (c - x)
    xl = x - xh
    hi = x * x
    lo = ((xh * xh - hi) + 2 * xh * xl) + xl * xl
    return hi, lo


def _exp_neg_square(x):
    """exp(-x * x), with x * x's rounding error taken into account."""
    with np.errstate(all="ignore"):
        hi, lo = _split_square(x)
        lo = np.where(np.isfinite(lo), lo, 0.0)
        return np.exp(-hi) * (1.0 - lo)


def _exp_square(x):
    """exp(x * x), with x * x's rounding error taken into account."""
    with np.errstate(all="ignore"):
        hi, lo = _split_square(x)
        lo = np.where(np.isfinite(lo), lo, 0.0)
        return np.exp(hi) * (1.0 + lo)


# -- high-precision constants (computed once, in decimal) ------------------------

_CTX = decimal.Context(prec=60)


@lru_cache(maxsize=None)
def _dec_pi() -> decimal.Decimal:
    """pi by Machin's formula, 60 digits."""
    D = _CTX

    def arctan_inv(n: int) -> decimal.Decimal:
        x = D.divide(1, n)
        x2 = D.multiply(x, x)
        total, term, k = x, x, 1
        while True:
            term = D.multiply(term, -x2)
            add = D.divide(term, 2 * k + 1)
            if add == 0 or abs(add) < decimal.Decimal(10) ** -70:
                return total
            total = D.add(total, add)
            k += 1
    return D.subtract(D.multiply(16, arctan_inv(5)), D.multiply(4, arctan_inv(239)))


def _dec_erfcx(x0: float) -> decimal.Decimal:
    """erfcx(x0) = exp(x0^2) (1 - erf(x0)) to about 30 digits or more, for
    0 <= x0 <= 6 (the series' terms reach e^36: 16 of the 60 digits go)."""
    D = _CTX
    x = decimal.Decimal(x0)
    x2 = D.multiply(x, x)
    total, term, k = x, x, 0
    while True:                     # erf(x) sqrt(pi) / 2 = sum (-1)^k x^(2k+1) / (k! (2k+1))
        k += 1
        term = D.divide(D.multiply(term, -x2), k)
        add = D.divide(term, 2 * k + 1)
        total = D.add(total, add)
        if abs(add) < decimal.Decimal(10) ** -62:
            break
    erf = D.divide(D.multiply(2, total), D.sqrt(_dec_pi()))
    return D.multiply(D.exp(x2), D.subtract(1, erf))


_ANCHOR_LO, _ANCHOR_HI, _ANCHOR_STEP = 0.5, 6.0, 0.125
_TAYLOR_TERMS = 16
_CF_FROM = _ANCHOR_HI + _ANCHOR_STEP / 2     # Laplace's continued fraction from here on
_CF_TERMS = 20


@lru_cache(maxsize=None)
def _erfcx_taylor() -> np.ndarray:
    """Rows of Taylor coefficients c_k of erfcx about each anchor x0:
    (k + 1) c_{k+1} = 2 x0 c_k + 2 c_{k-1}, c_1 = 2 x0 c_0 - 2 / sqrt(pi)
    (from y' = 2 x y - 2 / sqrt(pi)), run in decimal where it cancels."""
    D = _CTX
    two_over_sqrt_pi = D.divide(2, D.sqrt(_dec_pi()))
    n = int(round((_ANCHOR_HI - _ANCHOR_LO) / _ANCHOR_STEP)) + 1
    rows = np.empty((n, _TAYLOR_TERMS))
    for i in range(n):
        x0f = _ANCHOR_LO + i * _ANCHOR_STEP
        x0 = decimal.Decimal(x0f)
        c = [_dec_erfcx(x0f)]
        c.append(D.subtract(D.multiply(2 * x0, c[0]), two_over_sqrt_pi))
        for k in range(1, _TAYLOR_TERMS - 1):
            c.append(D.divide(D.add(D.multiply(2 * x0, c[k]), D.multiply(2, c[k - 1])), k + 1))
        rows[i] = [float(v) for v in c]
    return np.ascontiguousarray(rows.T)          # [k, anchor]: one gather per term


# -- erf, erfc, erfcx ------------------------------------------------------------

def _erfcx_taylor_eval(x):
    """erfcx(x) for _ANCHOR_LO - 1/16 <= x < _CF_FROM: Taylor series about
    the nearest anchor (|x - x0| <= 1/16)."""
    coef = _erfcx_taylor()
    idx = np.rint((x - _ANCHOR_LO) / _ANCHOR_STEP).astype(np.intp)
    h = x - (_ANCHOR_LO + idx * _ANCHOR_STEP)
    acc = coef[-1].take(idx)
    for k in range(_TAYLOR_TERMS - 2, -1, -1):
        acc *= h
        acc += coef[k].take(idx)
    return acc


def _erfcx_cf(x):
    """erfcx(x) for x >= _CF_FROM: Laplace's continued fraction, backwards."""
    t = np.zeros_like(x)
    for k in range(_CF_TERMS, 0, -1):
        t += x
        np.divide(0.5 * k, t, out=t)
    return (1.0 / SQRT_PI) / (x + t)


def _erfcx_pos(x):
    """erfcx(x) for x >= 0 (x may be inf)."""
    x = np.asarray(x, np.float64)
    out = np.empty_like(x)
    small = x < _ANCHOR_LO
    mid = (x >= _ANCHOR_LO) & (x < _CF_FROM)
    near = (x >= _CF_FROM) & (x < 1e8)
    far = x >= 1e8
    if small.any():
        xs = x[small]
        out[small] = _exp_square(xs) * (1.0 - _erf_series(xs))
    if mid.any():
        out[mid] = _erfcx_taylor_eval(x[mid])
    if near.any():
        out[near] = _erfcx_cf(x[near])
    if far.any():                    # 1 / (x sqrt(pi)) (1 - 1 / (2 x^2)), x^-4 below ulp
        xf = x[far]
        with np.errstate(all="ignore"):
            r = (1.0 / SQRT_PI) / xf
            out[far] = np.where(np.isinf(xf), 0.0, r - r / (2 * xf * xf))
    return out


def _erf_series(x):
    """erf(x) for |x| < 0.5 ... 0.75: the Maclaurin series, 22 terms."""
    x2 = x * x
    acc = np.zeros_like(x)
    for k in range(22, 0, -1):
        acc = (-x2 / k) * (1.0 / (2 * k + 1) + acc)
    # acc = sum_{k>=1} (-x^2)^k / (k! (2k+1)) with the factorial spread over the
    # nesting: t_k = t_{k-1} (-x^2 / k)
    return TWO_OVER_SQRT_PI * x * (1.0 + acc)


def erfcx_f64(x):
    x = _f64(x)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = _erfcx_pos(x[pos])
    neg = ~pos & ~np.isnan(x)
    if neg.any():
        xn = -x[neg]
        with np.errstate(over="ignore"):
            out[neg] = 2.0 * _exp_square(xn) - _erfcx_pos(xn)
    out[np.isnan(x)] = np.nan
    return out


def _erfc_pos(a):
    """erfc(a) for a >= 0.75: exp(-a^2) erfcx(a) (0 past 27.3, where it underflows)."""
    out = np.zeros_like(a)
    live = a < 27.3
    if live.any():
        al = a[live]
        out[live] = _exp_neg_square(al) * _erfcx_pos(al)
    return out


def erfc_f64(x):
    x = _f64(x)
    a = np.abs(x)
    out = np.empty_like(x)
    small = a < 0.75
    if small.any():
        out[small] = 1.0 - _erf_series(x[small])
    tail = ~small & ~np.isnan(x)
    if tail.any():
        t = _erfc_pos(a[tail])
        out[tail] = np.where(x[tail] < 0, 2.0 - t, t)
    out[np.isnan(x)] = np.nan
    return out


def erf_f64(x):
    x = _f64(x)
    a = np.abs(x)
    out = np.empty_like(x)
    small = a < 0.75
    if small.any():
        out[small] = _erf_series(x[small])
    one = a >= 6.0                   # erfc(6) = 2e-17: erf rounds to +-1
    out[one] = np.copysign(1.0, x[one])
    mid = ~small & ~one & ~np.isnan(x)
    if mid.any():
        am = a[mid]
        out[mid] = np.copysign(1.0 - _exp_neg_square(am) * _erfcx_taylor_eval(am), x[mid])
    out[np.isnan(x)] = np.nan
    return out


def erf(x, out=None):
    return _finish(erf_f64(x), x, out)


def erfc(x, out=None):
    return _finish(erfc_f64(x), x, out)


def erfcx(x, out=None):
    return _finish(erfcx_f64(x), x, out)


# -- inverses ---------------------------------------------------------------------

def _first_guess(w):
    """Winitzki's closed form for erfinv from w = log(1 - y^2) (relative error
    below 2e-3): a first guess for Halley's iteration."""
    a = 0.147
    t = 2.0 / (math.pi * a) + 0.5 * w
    return np.sqrt(np.sqrt(t * t - w / a) - t)


def _erfinv_mid(y):
    """erfinv(y) for |y| <= 0.5: Halley steps on erf(x) - y."""
    x = np.copysign(_first_guess(np.log1p(-y * y)), y)
    for _ in range(2):               # 2e-3 -> 1e-8 -> 1e-24: cubic convergence
        u = (erf_f64(x) - y) / (TWO_OVER_SQRT_PI * np.exp(-x * x))
        x = x - u / (1.0 + x * u)
    return x


def _erfcinv_small(z):
    """The x > 0 with erfc(x) = z, for 0 < z <= 0.5: Halley steps on
    erfc(x) - z, the ratio z / erfc(x) taken in logarithms (erfc underflows
    where z is subnormal)."""
    with np.errstate(all="ignore"):
        x = _first_guess(np.log(z) + np.log(2.0 - z))
        logz = np.log(z)
        for _ in range(4):
            ex = _erfcx_pos(x)
            # g / g' with g = erf(x) - (1 - z) = z - erfc(x), g' = 2/sqrt(pi) e^(-x^2)
            u = np.expm1(logz + x * x - np.log(ex)) * ex * (SQRT_PI / 2)
            x = x - u / (1.0 + x * u)
    return x


def erfinv_f64(y):
    y = _f64(y)
    a = np.abs(y)
    out = np.full(y.shape, np.nan)
    mid = a <= 0.5
    if mid.any():
        out[mid] = _erfinv_mid(y[mid])
    tail = (a > 0.5) & (a < 1.0)
    if tail.any():
        out[tail] = np.copysign(_erfcinv_small(1.0 - a[tail]), y[tail])
    one = a == 1.0
    out[one] = np.copysign(np.inf, y[one])
    return out


def erfcinv_f64(z):
    z = _f64(z)
    out = np.full(z.shape, np.nan)
    low = (z > 0) & (z < 0.5)
    if low.any():
        out[low] = _erfcinv_small(z[low])
    mid = (z >= 0.5) & (z <= 1.5)
    if mid.any():
        out[mid] = _erfinv_mid(1.0 - z[mid])
    high = (z > 1.5) & (z < 2.0)
    if high.any():
        out[high] = -_erfcinv_small(2.0 - z[high])
    out[z == 0] = np.inf
    out[z == 2] = -np.inf
    return out


def erfinv(x, out=None):
    return _finish(erfinv_f64(x), x, out)


def erfcinv(x, out=None):
    return _finish(erfcinv_f64(x), x, out)


# -- the normal distribution --------------------------------------------------------

def ndtr_f64(x):
    x = _f64(x)
    t = x * SQRT1_2
    a = np.abs(t)
    out = np.empty_like(x)
    mid = a < 1
    if mid.any():
        out[mid] = 0.5 + 0.5 * erf_f64(t[mid])
    tail = (a >= 1) & ~np.isnan(t)
    if tail.any():
        e = 0.5 * _erfc_pos(a[tail])
        out[tail] = np.where(t[tail] > 0, 1.0 - e, e)
    out[np.isnan(x)] = np.nan
    return out


def log_ndtr_f64(x):
    """x < -1: log(erfcx(-t) / 2) - t^2 (t = x / sqrt 2, no underflow); x > 0:
    log1p(-ndtr(-x)); between: log(ndtr(x))."""
    x = _f64(x)
    out = np.empty_like(x)
    left = x < -1
    if left.any():
        tl = x[left] * SQRT1_2
        hi, lo = _split_square(tl)
        with np.errstate(all="ignore"):
            lo = np.where(np.isfinite(lo), lo, 0.0)
            out[left] = np.log(0.5 * _erfcx_pos(-tl)) - hi - lo
    right = x > 0
    if right.any():
        out[right] = np.log1p(-0.5 * erfc_f64(x[right] * SQRT1_2))
    mid = (x >= -1) & (x <= 0)
    if mid.any():
        out[mid] = np.log(ndtr_f64(x[mid]))
    out[np.isnan(x)] = np.nan
    return out


def ndtri_f64(p):
    return -math.sqrt(2.0) * erfcinv_f64(2.0 * _f64(p)) + 0.0    # (+0.0 at 1/2)


def ndtr(x, out=None):
    return _finish(ndtr_f64(x), x, out)


def log_ndtr(x, out=None):
    return _finish(log_ndtr_f64(x), x, out)


def ndtri(x, out=None):
    return _finish(ndtri_f64(x), x, out)
