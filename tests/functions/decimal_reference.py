"""Reference values of the special functions, computed in `decimal` to 50
digits by the plainest formulas (series, continued fractions, recurrences),
independently of kusari's NumPy forms: for checking those to the last
place of float64, at any point and at special points.

Each function takes and returns Python floats; `vec` maps one over arrays.
"""
from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import lru_cache

import numpy as np

PREC = 60
D = Decimal

# Bernoulli numbers B_2 .. B_30 (standard values)
_B = [Fraction(1, 6), Fraction(-1, 30), Fraction(1, 42), Fraction(-1, 30), Fraction(5, 66),
      Fraction(-691, 2730), Fraction(7, 6), Fraction(-3617, 510), Fraction(43867, 798),
      Fraction(-174611, 330), Fraction(854513, 138), Fraction(-236364091, 2730),
      Fraction(8553103, 6), Fraction(-23749461029, 870), Fraction(8615841276005, 14322)]


def vec(fn, *arrays):
    """fn elementwise over broadcast arrays, in float64."""
    arrays = np.broadcast_arrays(*[np.asarray(a, np.float64) for a in arrays])
    out = np.empty(arrays[0].shape)
    for idx in np.ndindex(out.shape):
        out[idx] = fn(*[float(a[idx]) for a in arrays])
    return out


def _fl(x: Decimal) -> float:
    """Decimal to float, rounding once; out of range gives +-inf or +-0."""
    try:
        return float(x)
    except OverflowError:
        return math.copysign(math.inf, x)


@lru_cache(maxsize=None)
def pi() -> Decimal:
    with localcontext() as c:
        c.prec = PREC + 10

        def atan_inv(n):
            x = D(1) / n
            x2, total, term, k = x * x, x, x, 1
            while True:
                term *= -x2
                add = term / (2 * k + 1)
                if abs(add) < D(10) ** -(PREC + 8):
                    return total
                total += add
                k += 1
        return 16 * atan_inv(5) - 4 * atan_inv(239)


def _sin(x: Decimal) -> Decimal:
    p = pi()
    x = x - 2 * p * (x / (2 * p)).to_integral_value()
    term, total, k = x, x, 1
    while abs(term) > D(10) ** -(PREC + 5):
        term *= -x * x / ((2 * k) * (2 * k + 1))
        total += term
        k += 1
    return total


# -- the error function family ------------------------------------------------------

def _erf_series(x: Decimal) -> Decimal:
    total, term, k = x, x, 0
    while True:
        k += 1
        term *= -x * x / k
        add = term / (2 * k + 1)
        total += add
        if abs(add) < D(10) ** -(PREC + 5):
            return 2 * total / pi().sqrt()


def _erfc_cf(x: Decimal, terms: int = 400) -> Decimal:
    """erfc(x) for x >= 4 by Laplace's continued fraction (evaluated backwards)."""
    t = D(0)
    for k in range(terms, 0, -1):
        t = (D(k) / 2) / (x + t)
    return (-x * x).exp() / pi().sqrt() / (x + t)


def erfc_dec(x: float) -> Decimal:
    with localcontext() as c:
        c.prec = PREC + 60             # the series cancels at |x| near 6
        d = D(x)
        if d >= 6:
            return _erfc_cf(d)
        if d <= -6:
            return 2 - _erfc_cf(-d)
        return 1 - _erf_series(d)


def erf(x: float) -> float:
    if math.isnan(x):
        return math.nan
    if math.isinf(x):
        return math.copysign(1.0, x)
    if abs(x) < 1:
        with localcontext() as c:
            c.prec = PREC
            return _fl(_erf_series(D(x)))
    with localcontext() as c:
        c.prec = PREC
        return _fl(1 - erfc_dec(x))


def erfc(x: float) -> float:
    if math.isnan(x):
        return math.nan
    if math.isinf(x):
        return 0.0 if x > 0 else 2.0
    if x > 30:
        with localcontext() as c:
            c.prec = PREC
            return _fl(erfcx_dec(x) * (-D(x) * D(x)).exp())
    with localcontext() as c:
        c.prec = PREC
        return _fl(erfc_dec(x))


def erfcx_dec(x: float) -> Decimal:
    with localcontext() as c:
        c.prec = PREC + 10
        d = D(x)
        if d > 30:                   # asymptotic: 1/(x sqrt pi) sum (-1)^k (2k-1)!! / (2x^2)^k
            total, term, k = D(1), D(1), 0
            while abs(term) > D(10) ** -(PREC + 5):
                k += 1
                term *= -(2 * k - 1) / (2 * d * d)
                total += term
            return total / (d * pi().sqrt())
        return (d * d).exp() * erfc_dec(x)


def erfcx(x: float) -> float:
    if math.isnan(x):
        return math.nan
    if x == math.inf:
        return 0.0
    if x < -26.7:
        return math.inf
    with localcontext() as c:
        c.prec = PREC
        return _fl(erfcx_dec(x))


def _newton(f, df, target: Decimal, x0: float) -> Decimal:
    x = D(x0)
    for _ in range(100):
        step = (f(x) - target) / df(x)
        x -= step
        if abs(step) <= abs(x) * D(10) ** -(PREC - 10) + D(10) ** -(PREC + 300):
            break
    return x


def erfinv(y: float) -> float:
    if math.isnan(y) or abs(y) > 1:
        return math.nan
    if abs(y) == 1:
        return math.copysign(math.inf, y)
    if abs(y) < 1e-20:                  # sqrt(pi)/2 y (1 + pi y^2 / 12 + ...)
        return _fl(pi().sqrt() / 2 * D(y))
    with localcontext() as c:
        c.prec = PREC + 60
        sp = pi().sqrt()
        z = 1 - D(abs(y))                    # erfc(x) = z for x = erfinv(|y|)
        guess = math.sqrt(-math.log(float(z))) if float(z) < 0.5 else abs(y)
        x = _newton(_erfc_exact, lambda t: -2 * (-t * t).exp() / sp, z, guess)
        return math.copysign(_fl(x), y)


def _erfc_exact(t: Decimal) -> Decimal:
    if t >= 6:
        return _erfc_cf(t)
    return 1 - _erf_series(t)


def erfcinv(z: float) -> float:
    if math.isnan(z) or z < 0 or z > 2:
        return math.nan
    if z == 0:
        return math.inf
    if z == 2:
        return -math.inf
    if z > 1:
        return -erfcinv(float(2 - D(z)))
    with localcontext() as c:
        c.prec = PREC + 60
        sp = pi().sqrt()
        guess = math.sqrt(-math.log(z)) if z < 0.5 else 1 - z
        x = _newton(_erfc_exact, lambda t: -2 * (-t * t).exp() / sp, D(z), guess)
        return _fl(x)


def ndtr(x: float) -> float:
    t = x * math.sqrt(0.5)          # the float argument kusari (and SciPy) use
    if math.isnan(t):
        return math.nan
    with localcontext() as c:
        c.prec = PREC
        return _fl(erfc_dec(-t) / 2) if abs(t) < 30 else (0.0 if t < 0 else 1.0)


def log_ndtr(x: float) -> float:
    t = x * math.sqrt(0.5)
    if math.isnan(t):
        return math.nan
    if t == -math.inf:
        return -math.inf
    if t == math.inf:
        return -0.0
    with localcontext() as c:
        c.prec = PREC
        if t < -30:
            return _fl((erfcx_dec(-t) / 2).ln() - D(t) * D(t))
        if t > 0:                      # log(1 - e), e = ndtr(-x) may be tiny
            e = erfc_dec(t) / 2
            if e < D(10) ** -30:
                return _fl(-e - e * e / 2)
            c.prec = PREC + 40
            return _fl((1 - e).ln())
        return _fl((erfc_dec(-t) / 2).ln())


def ndtri(p: float) -> float:
    return -math.sqrt(2.0) * erfcinv(2.0 * p)


# -- gamma, digamma, polygamma, zeta ----------------------------------------------------

_SHIFT = 40


def _stirling_lgamma(x: Decimal) -> Decimal:
    total = (x - D("0.5")) * x.ln() - x + (2 * pi()).ln() / 2
    for k, b in enumerate(_B, start=1):
        total += D(b.numerator) / D(b.denominator) / (2 * k * (2 * k - 1) * x ** (2 * k - 1))
    return total


def lgamma(x: float) -> float:
    if math.isnan(x):
        return math.nan
    if math.isinf(x) or (x <= 0 and x == math.floor(x)):
        return math.inf
    with localcontext() as c:
        c.prec = PREC + 20
        d = D(x)
        if d < 0:                      # reflection: log(pi / |sin(pi x)|) - lgamma(1 - x)
            return _fl((pi() / abs(_sin(pi() * d))).ln() - D(lgamma_dec(1 - d)))
        return _fl(lgamma_dec(d))


def lgamma_dec(d: Decimal) -> Decimal:
    prod = D(1)
    while d < _SHIFT:
        prod *= d
        d += 1
    return _stirling_lgamma(d) - prod.ln()


def polygamma(n: int, x: float) -> float:
    """psi^(n)(x) for n >= 0: the recurrence up to x + k >= 40, then the
    asymptotic series (Bernoulli numbers)."""
    if math.isinf(x):
        return (math.inf if n == 0 else 0.0) if x > 0 else math.nan
    if math.isnan(x) or (x <= 0 and x == math.floor(x)):
        return math.nan if x != 0 or n else (-math.inf if math.copysign(1, x) > 0
                                             else math.inf)
    with localcontext() as c:
        c.prec = PREC + 20
        d = D(x)
        acc = D(0)
        fact_n = math.factorial(n)
        while d < _SHIFT:              # psi^(n)(x) = psi^(n)(x + 1) - (-1)^n n! / x^(n+1)
            acc += D((-1) ** n * fact_n) / d ** (n + 1)
            d += 1
        if n == 0:
            total = d.ln() - 1 / (2 * d)
            for k, b in enumerate(_B, start=1):
                total -= D(b.numerator) / D(b.denominator) / (2 * k * d ** (2 * k))
        else:
            sign = (-1) ** (n + 1)
            total = D(math.factorial(n - 1)) / d ** n + D(fact_n) / (2 * d ** (n + 1))
            for k, b in enumerate(_B, start=1):
                total += D(b.numerator) / D(b.denominator) * \
                    D(math.factorial(2 * k + n - 1)) / D(math.factorial(2 * k)) / \
                    d ** (2 * k + n)
            total *= sign
        return _fl(total - acc)


def digamma(x: float) -> float:
    return polygamma(0, x)


def zeta(s: float, q: float) -> float:
    """Hurwitz zeta for s > 1 (direct terms, then Euler-Maclaurin); q <= 0
    needs an integer s (inf at the poles q = 0, -1, ...)."""
    if math.isnan(s) or math.isnan(q) or s < 1:
        return math.nan
    if s == 1:
        return math.inf
    if math.isinf(q):
        return 0.0 if q > 0 else math.nan
    if q <= 0 and q == math.floor(q):
        return math.inf
    if q < 0 and s != math.floor(s):
        return math.nan
    if q < -1e5:
        return math.nan
    with localcontext() as c:
        c.prec = PREC + 20
        ds, dq = D(s), D(q)
        total = D(0)
        while dq < _SHIFT + abs(ds):
            total += dq ** -ds
            dq += 1
        total += dq ** (1 - ds) / (ds - 1) + dq ** -ds / 2
        rising = ds
        for k, b in enumerate(_B, start=1):
            total += D(b.numerator) / D(b.denominator) / D(math.factorial(2 * k)) * rising * \
                dq ** (-ds - 2 * k + 1)
            rising *= (ds + 2 * k - 1) * (ds + 2 * k)
        return _fl(total)
