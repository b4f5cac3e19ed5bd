"""NumPy forms of lgamma, digamma, polygamma and Hurwitz's zeta.

Written here, vectorized, from textbook formulas whose every coefficient is
computed in this module (SciPy is not a dependency):

- zeta (Hurwitz): direct terms, then Euler-Maclaurin summation (Bernoulli
  numbers); polygamma from zeta.
- digamma: Taylor series about its positive root and about 2 (reached by
  the recurrence psi(x + 1) = psi(x) + 1 / x), its asymptotic series from
  10 on, the reflection formula below 0.
- lgamma: its Taylor series about 2 (coefficients zeta(k) - 1), the
  recurrence Gamma(x + 1) = x Gamma(x), Stirling's series and the
  reflection formula.

They compute in float64 and return the input's dtype, and accept `out=`.
Accuracy (tests check it against 50-digit references): a few units in the
last place of float64, relative, except at the negative zeros of lgamma and
digamma, where the error is a few ulp of the terms that cancel.
"""
from __future__ import annotations

import decimal
import math
from fractions import Fraction
from functools import lru_cache

import numpy as np

from .special_kernels import _f64, _finish

LOG_2PI_HALF = 0.5 * math.log(2.0 * math.pi)
EULER = 0.57721566490153286060651209008240243


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
