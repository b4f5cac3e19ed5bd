"""NumPy forms of the special functions (erf, lgamma, digamma, zeta, ...).

SciPy is not a dependency, so these are written here, vectorized, from
textbook formulas whose every coefficient is computed in this module (no
tables copied from elsewhere):

- erf: its Maclaurin series near 0; erfc and erfcx: Taylor series of erfcx
  about anchor points (erfcx solves y' = 2 x y - 2 / sqrt(pi), so its
  coefficients follow from its value; the anchors are computed once in
  `decimal` to 60 digits), and Laplace's continued fraction further out.
- erfinv, erfcinv, ndtri: a closed-form first guess refined by Halley steps
  on erf or erfc.
- lgamma: its Taylor series about 2 (coefficients zeta(k) - 1), the
  recurrence Gamma(x + 1) = x Gamma(x), Stirling's series (Bernoulli numbers)
  and the reflection formula.
- digamma: the recurrence, its asymptotic series and a Taylor series about
  its positive root; zeta (Hurwitz): Euler-Maclaurin summation; polygamma
  from zeta.

They compute in float64 and return the input's dtype. Each accepts `out=`
(fused elementwise kernels write into buffers). Accuracy (tests check it
element by element against Python's `math` module): a few units in the last
place of float64, relative, except near the roots of lgamma (x = 1, 2 are
exact) and at the negative zeros of lgamma and digamma, where the error is a
few ulp of the terms that cancel.
"""
from __future__ import annotations

import decimal
import math
from fractions import Fraction
from functools import lru_cache

import numpy as np

SQRT_PI = math.sqrt(math.pi)
TWO_OVER_SQRT_PI = 2.0 / SQRT_PI
SQRT1_2 = math.sqrt(0.5)
LOG_2PI_HALF = 0.5 * math.log(2.0 * math.pi)
EULER = 0.57721566490153286060651209008240243


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
    """erfcx(x0) = exp(x0^2) (1 - erf(x0)) to about 50 digits, for 0 <= x0 <= 3."""
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


_ANCHOR_LO, _ANCHOR_HI, _ANCHOR_STEP = 0.5, 2.5, 0.125
_TAYLOR_TERMS = 18


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
    return rows


@lru_cache(maxsize=None)
def _bernoulli(n: int) -> list:
    """B_0 .. B_n as Fractions (B_1 = -1/2), by the Akiyama-Tanigawa algorithm."""
    out = []
    a = [Fraction(0)] * (n + 1)
    for m in range(n + 1):
        a[m] = Fraction(1, m + 1)
        for j in range(m, 0, -1):
            a[j - 1] = j * (a[j - 1] - a[j])
        out.append(a[0])
    out[1] = -out[1] if n >= 1 else out[0]   # the algorithm gives B_1 = +1/2
    return out


def _b2k(k: int) -> Fraction:
    return _bernoulli(2 * k)[2 * k]


# -- erf, erfc, erfcx ------------------------------------------------------------

def _erfcx_pos(x):
    """erfcx(x) for x >= 0 (x may be inf)."""
    x = np.asarray(x, np.float64)
    out = np.empty_like(x)
    small = x < _ANCHOR_LO
    mid = (x >= _ANCHOR_LO) & (x < _ANCHOR_HI + _ANCHOR_STEP / 2)
    near = (x >= _ANCHOR_HI + _ANCHOR_STEP / 2) & (x < 1e8)
    far = x >= 1e8
    if small.any():
        xs = x[small]
        out[small] = _exp_square(xs) * (1.0 - _erf_series(xs))
    if mid.any():
        xm = x[mid]
        rows = _erfcx_taylor()
        idx = np.rint((xm - _ANCHOR_LO) / _ANCHOR_STEP).astype(np.intp)
        h = xm - (_ANCHOR_LO + idx * _ANCHOR_STEP)
        c = rows[idx]
        acc = c[:, -1].copy()
        for k in range(_TAYLOR_TERMS - 2, -1, -1):
            acc = acc * h + c[:, k]
        out[mid] = acc
    if near.any():                   # Laplace's continued fraction
        xn = x[near]
        t = np.zeros_like(xn)
        for k in range(48, 0, -1):
            t = (0.5 * k) / (xn + t)
        out[near] = (1.0 / SQRT_PI) / (xn + t)
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


def erfc_f64(x):
    x = _f64(x)
    a = np.abs(x)
    with np.errstate(all="ignore"):
        small = a < 0.75
        tail = np.where(small, 1.0, _exp_neg_square(np.where(small, 1.0, a)) *
                        _erfcx_pos(np.where(small, 1.0, a)))
        pos = np.where(small, 1.0 - _erf_series(np.where(small, x, 0.0)), tail)
        out = np.where(x < 0, np.where(small, pos, 2.0 - tail), pos)
    return np.where(np.isnan(x), np.nan, out)


def erf_f64(x):
    x = _f64(x)
    a = np.abs(x)
    small = a < 0.75
    with np.errstate(all="ignore"):
        big = np.where(small, 1.0, a)
        tail = _exp_neg_square(big) * _erfcx_pos(big)
        out = np.where(small, _erf_series(np.where(small, x, 0.0)),
                       np.copysign(1.0 - tail, x))
    return np.where(np.isnan(x), np.nan, out)


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
    for _ in range(3):
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
    with np.errstate(all="ignore"):
        mid = 0.5 + 0.5 * erf_f64(np.where(a < 1, t, 0.0))
        tail = 0.5 * erfc_f64(np.where(a < 1, 1.0, a))
        out = np.where(a < 1, mid, np.where(t > 0, 1.0 - tail, tail))
    return np.where(np.isnan(x), np.nan, out)


def log_ndtr_f64(x):
    x = _f64(x)
    t = x * SQRT1_2
    with np.errstate(all="ignore"):
        # x < -1: log(erfcx(-t) / 2) - t^2; x > 0: log1p(-ndtr(-x)); else log(ndtr(x))
        left = np.where(x < -1, x, -2.0)
        tl = left * SQRT1_2
        hi, lo = _split_square(tl)
        lo = np.where(np.isfinite(lo), lo, 0.0)
        low = np.log(0.5 * erfcx_f64(-tl)) - hi - lo
        right = np.where(x > 0, x, 1.0)
        high = np.log1p(-0.5 * erfc_f64(right * SQRT1_2))
        midx = np.where((x >= -1) & (x <= 0), x, 0.0)
        mid = np.log(ndtr_f64(midx))
        out = np.where(x < -1, low, np.where(x > 0, high, mid))
    out = np.where(x == -np.inf, -np.inf, out)
    return np.where(np.isnan(t), np.nan, out)


def ndtri_f64(p):
    return -math.sqrt(2.0) * erfcinv_f64(2.0 * _f64(p)) + 0.0    # (+0.0 at 1/2)


def ndtr(x, out=None):
    return _finish(ndtr_f64(x), x, out)


def log_ndtr(x, out=None):
    return _finish(log_ndtr_f64(x), x, out)


def ndtri(x, out=None):
    return _finish(ndtri_f64(x), x, out)


# -- zeta, digamma, polygamma, lgamma ---------------------------------------------------

_EM_TERMS = 12          # Euler-Maclaurin correction terms
_EM_SHIFT = 10          # terms summed directly before the correction


@lru_cache(maxsize=None)
def _em_coefficients() -> tuple:
    """B_2j / (2j)! for j = 1 .. _EM_TERMS."""
    return tuple(float(_b2k(j) / math.factorial(2 * j)) for j in range(1, _EM_TERMS + 1))


def zeta_f64(s, q):
    """Hurwitz zeta sum_k (q + k)^-s for s > 1; at q a non-positive integer
    inf; q < 0 needs an integer s (q^-s is not real otherwise)."""
    s, q = np.broadcast_arrays(_f64(s), _f64(q))
    s = s.astype(np.float64, copy=True)
    q = q.astype(np.float64, copy=True)
    out = np.full(s.shape, np.nan)
    with np.errstate(all="ignore"):
        pole = (q <= 0) & (q == np.floor(q))
        ok = (s > 1) & np.isfinite(s) & ~np.isnan(q) & ~pole & \
            ((q > 0) | (s == np.floor(s)))
        ok &= q > -1e5                      # far negative q: too many terms
        out[(s == 1) & ~np.isnan(q)] = np.inf
        out[pole & (s > 1)] = np.inf
        out[(s == np.inf) & (q > 0)] = np.where(q[(s == np.inf) & (q > 0)] < 1, np.inf,
                                               np.where(q[(s == np.inf) & (q > 0)] == 1,
                                                        1.0, 0.0))
        out[(q == np.inf) & (s > 1)] = 0.0
        ok &= (s != np.inf) & (q != np.inf)
        if not ok.any():
            return out
        ss, qq = s[ok], q[ok]
        # shift q up to at least _EM_SHIFT, summing the terms passed over
        # (the correction series needs a well above s: its terms shrink like
        # (s + 2j)^2 / (2 pi a)^2)
        target = np.maximum(_EM_SHIFT, np.minimum(ss + 10.0, 300.0))
        shift = np.where(qq < target, np.ceil(target - qq), 0.0)
        total = np.zeros_like(ss)
        a = qq.copy()
        steps = int(shift.max()) if shift.size else 0
        for _ in range(steps):
            m = a < target
            total += np.where(m, np.power(np.where(m, a, 1.0), -ss), 0.0)
            a = np.where(m, a + 1.0, a)
        # Euler-Maclaurin at a: a^(1-s) / (s - 1) + a^-s / 2 + sum_j B_2j/(2j)! s..(s+2j-2) a^(1-s-2j)
        a_s = np.power(a, -ss)
        tail = np.power(a, 1.0 - ss) / (ss - 1.0) + 0.5 * a_s
        rising = ss.copy()
        term_pow = a_s / a               # a^(-s-1)
        inv_a2 = 1.0 / (a * a)
        for j, coef in enumerate(_em_coefficients(), start=1):
            t = coef * rising * term_pow
            tail += t
            rising = rising * (ss + 2 * j - 1) * (ss + 2 * j)
            term_pow = term_pow * inv_a2
        out[ok] = total + tail
    return out


# the positive root of digamma and its rounding error
_PSI_ROOT_DEC = decimal.Decimal("1.4616321449683623412626595423257213284681962040064")
_PSI_ROOT = float(_PSI_ROOT_DEC)
_PSI_ROOT_LO = float(_PSI_ROOT_DEC - decimal.Decimal(_PSI_ROOT))
_ROOT_TERMS = 30


@lru_cache(maxsize=None)
def _psi_root_coefficients() -> np.ndarray:
    """psi(x0 + z) = sum_{k>=1} (-1)^(k+1) zeta(k + 1, x0) z^k about the root x0."""
    ks = np.arange(1, _ROOT_TERMS + 1, dtype=np.float64)
    z = zeta_f64(ks + 1, np.full(ks.shape, _PSI_ROOT))
    return np.where(ks % 2 == 1, z, -z)


@lru_cache(maxsize=None)
def _psi_about_2() -> np.ndarray:
    """psi(2 + z) = (1 - gamma) + sum_{k>=1} (-1)^(k+1) (zeta(k + 1) - 1) z^k."""
    ks = np.arange(1, 33, dtype=np.float64)
    zm1 = zeta_f64(ks + 1, np.full(ks.shape, 2.0))
    return np.concatenate([[1.0 - EULER], np.where(ks % 2 == 1, zm1, -zm1)])


def _horner(c, z):
    acc = np.full_like(z, c[-1])
    for k in range(len(c) - 2, -1, -1):
        acc = acc * z + c[k]
    return acc


def _digamma_pos(x):
    """psi(x) for x > 0: Taylor series about the root x0 (|x - x0| < 1/4)
    and about 2 (after the recurrence brings x to [1.5, 2.5)), the
    asymptotic series from 10 on."""
    out = np.empty_like(x)
    root = np.abs(x - _PSI_ROOT) < 0.25
    if root.any():
        z = (x[root] - _PSI_ROOT) - _PSI_ROOT_LO
        out[root] = _horner(_psi_root_coefficients(), z) * z
    big = ~root & (x >= 10)
    if big.any():
        y = x[big]
        with np.errstate(all="ignore"):
            inv2 = 1.0 / (y * y)
            series = np.zeros_like(y)
            for k in range(9, 0, -1):
                series = (series + float(_b2k(k)) / (2 * k)) * inv2
            value = np.log(y) - 0.5 / y - series
        out[big] = np.where(np.isinf(y), np.inf, value)
    rest = ~root & ~big
    if rest.any():
        y = x[rest].copy()
        acc = np.zeros_like(y)
        for _ in range(10):              # up: psi(y) = psi(y + 1) - 1 / y
            m = y < 1.5
            acc -= np.where(m, 1.0 / np.where(m, y, 1.0), 0.0)
            y = np.where(m, y + 1.0, y)
        for _ in range(8):               # down: psi(y) = psi(y - 1) + 1 / (y - 1)
            m = y >= 2.5
            y = np.where(m, y - 1.0, y)
            acc += np.where(m, 1.0 / y, 0.0)
        out[rest] = _horner(_psi_about_2(), y - 2.0) + acc
    return out


def _pi_cot_pi(x):
    """pi cot(pi x), with x reduced exactly to r in [-1/2, 1/2] first, and
    cot(pi r) as tan(pi (1/2 - |r|)) past 1/4 (exactly 0 at half-integers)."""
    r = x - np.rint(x)
    a = np.abs(r)
    with np.errstate(all="ignore"):
        near = 1.0 / np.tan(math.pi * r)
        far = np.copysign(np.tan(math.pi * (0.5 - a)), r)
    return math.pi * np.where(a <= 0.25, near, far)


def digamma_f64(x):
    x = _f64(x)
    out = np.full(x.shape, np.nan)
    pos = x > 0
    if pos.any():
        out[pos] = _digamma_pos(x[pos])
    neg = (x < 0) & (x != np.floor(x)) & np.isfinite(x)
    if neg.any():
        xn = x[neg]
        with np.errstate(all="ignore"):
            out[neg] = _digamma_pos(1.0 - xn) - _pi_cot_pi(xn)
    zero = x == 0
    out[zero] = np.copysign(np.inf, -x[zero])
    return out


@lru_cache(maxsize=None)
def _factorials() -> np.ndarray:
    return np.array([float(math.factorial(k)) for k in range(171)] + [np.inf])


def polygamma_f64(n, x):
    n, x = np.broadcast_arrays(_f64(n), _f64(x))
    out = np.full(x.shape, np.nan)
    zero = n == 0
    if zero.any():
        out[zero] = digamma_f64(x[zero])
    pos = (n > 0) & (n == np.floor(n))
    if pos.any():
        nn = n[pos]
        fact = _factorials()[np.minimum(nn, 171).astype(np.intp)]
        sign = np.where(nn % 2 == 1, 1.0, -1.0)
        with np.errstate(all="ignore"):
            out[pos] = sign * fact * zeta_f64(nn + 1, x[pos])
    return out


@lru_cache(maxsize=None)
def _lgamma_about_2() -> np.ndarray:
    """lgamma(2 + z) = (1 - gamma) z + sum_{k>=2} (-1)^k (zeta(k) - 1) / k z^k."""
    ks = np.arange(2, 42, dtype=np.float64)
    zm1 = zeta_f64(ks, np.full(ks.shape, 2.0))          # zeta(k) - 1
    coef = np.where(ks % 2 == 0, 1.0, -1.0) * zm1 / ks
    return np.concatenate([[0.0, 1.0 - EULER], coef])


def _lgamma_2_plus(z):
    """lgamma(2 + z) for |z| <= 1/2, from z itself (2 + z would round)."""
    c = _lgamma_about_2()
    acc = np.full_like(z, c[-1])
    for k in range(len(c) - 2, 0, -1):
        acc = acc * z + c[k]
    return acc * z


def _stirling(x):
    """lgamma(x) for x >= 8 by Stirling's series."""
    with np.errstate(all="ignore"):
        inv = 1.0 / x
        inv2 = inv * inv
        series = np.zeros_like(x)
        for k in range(10, 0, -1):
            series = series * inv2 + float(_b2k(k) / (2 * k * (2 * k - 1)))
        main = (x - 0.5) * np.log(x) - x + LOG_2PI_HALF
        return np.where(np.isinf(x), np.inf, main + series * inv)


def _lgamma_pos(x):
    """lgamma(x) for x > 0."""
    out = np.empty_like(x)
    big = x >= 8
    if big.any():
        out[big] = _stirling(x[big])
    near = (x >= 1.5) & (x < 2.5)
    if near.any():
        out[near] = _lgamma_2_plus(x[near] - 2.0)
    mid = (x >= 2.5) & (x < 8)
    if mid.any():
        y = x[mid].copy()
        prod = np.ones_like(y)
        for _ in range(6):
            m = y >= 2.5
            y = np.where(m, y - 1.0, y)
            prod = np.where(m, prod * y, prod)
        out[mid] = _lgamma_2_plus(y - 2.0) + np.log(prod)
    one = (x >= 0.5) & (x < 1.5)
    if one.any():
        xo = x[one]
        out[one] = _lgamma_2_plus(xo - 1.0) - np.log1p(xo - 1.0)
    tiny = x < 0.5
    if tiny.any():
        xt = x[tiny]
        with np.errstate(all="ignore"):
            out[tiny] = _lgamma_2_plus(xt) - np.log(xt) - np.log1p(xt)
    return out


def lgamma_f64(x):
    x = _f64(x)
    out = np.full(x.shape, np.nan)
    pos = x > 0
    if pos.any():
        out[pos] = _lgamma_pos(x[pos])
    pole = (x <= 0) & (x == np.floor(x))
    out[pole] = np.inf
    out[x == -np.inf] = np.inf
    neg = (x < 0) & ~pole & np.isfinite(x)
    if neg.any():
        xn = x[neg]
        r = xn - np.rint(xn)
        with np.errstate(all="ignore"):
            out[neg] = np.log(math.pi / np.abs(np.sin(math.pi * r))) - _lgamma_pos(1.0 - xn)
    return out


def lgamma(x, out=None):
    return _finish(lgamma_f64(x), x, out)


def digamma(x, out=None):
    return _finish(digamma_f64(x), x, out)


def polygamma(n, x, out=None):
    return _finish(polygamma_f64(n, x), x, out)


def zeta(s, q, out=None):
    return _finish(zeta_f64(s, q), q, out)
