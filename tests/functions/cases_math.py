"""Special points of the math functions and ops added for Chainer's
toolkit (test_special_points.py walks them): the special functions, whose
references are 50-digit values (decimal_reference); arctan2, fmod and the
others by Chainer's rules; det, inv and cholesky on matrices with extreme
scales; linear ones (einsum, tensordot, sparse_matmul, fft, cumsum, bias,
scale) as adjoints of their NumPy forms."""
from __future__ import annotations

import math

import numpy as np

import kusari.functions as F
from kusari.functions._core import call
from kusari.utils import to_coo
from tests.functions import decimal_reference as R
from tests.functions.special_cases import (DIRECTIONS, WEIGHTS, Case, Expected, ONES, ZEROS,
                                           _elementwise_defined, _row_input, _vector,
                                           binary, linear, no_gradient, points, rowwise,
                                           unary)

C_ERF = 2 / math.sqrt(math.pi)
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
SQRT_2PI = math.sqrt(2 * math.pi)
HALF_SQRT_PI = math.sqrt(math.pi) / 2


def ref(fn):
    """A 50-digit reference as a function of arrays (float64 values)."""
    return lambda x: R.vec(fn, x)


def scaled_unary(fn, d1, d2, s1=None, s2=None, wide=True, defined2=None) -> Case:
    """An elementwise function at every special point whose derivative rules
    (Chainer's) subtract terms: agreement is to the terms' size (s1, s2),
    and where the terms overflow the dtype any non-finite result is
    accepted (Chainer's rule overflows there too). `wide`: the references
    run in float64 (else in the test's dtype, rounding as the rule rounds)."""
    def expect(f, s, x):
        with np.errstate(all="ignore"):
            arg = x.astype(np.float64) if wide else x
            value = np.asarray(f(arg)).astype(x.dtype)
            scale = 0.0 if s is None else np.abs(np.asarray(s(arg), np.float64))
            overflow = np.asarray(scale) > np.finfo(x.dtype).max
        return Expected(value, scale, overflow)
    case = Case(fn, lambda dt: [points(dt)],
                lambda xs, ws, vs: [expect(d1, s1, xs[0])],
                lambda xs, ws, vs: [expect(d2, s2, xs[0])], _elementwise_defined)
    case.defined2 = defined2
    return case


def inverse_unary(fn, inverse, d1, d2, k) -> Case:
    """erfinv, erfcinv, ndtri: Chainer's rules c exp(k y^2) of the output y,
    evaluated in the test's dtype on the reference y. A unit in the last
    place of y moves them by 2 k y^2 units: that is the tolerance's scale
    (y itself is good to a few units)."""
    def at(f, x):
        with np.errstate(all="ignore"):
            y = R.vec(inverse, x.astype(np.float64)).astype(x.dtype)
            value = np.asarray(f(y))
            scale = np.abs(value.astype(np.float64)) * (1 + 2 * k * np.abs(y.astype(np.float64)) ** 2)
            return Expected(value, scale)
    return Case(fn, lambda dt: [points(dt)], lambda xs, ws, vs: [at(d1, xs[0])],
                lambda xs, ws, vs: [at(d2, xs[0])], _elementwise_defined)


def _abs_zeta(s, q):
    """sum |q + k|^-s: the size of the terms of zeta(s, q), which cancel for
    q < 0 (the terms before 0 alternate in sign for odd s)."""
    def one(s_, q_):
        if not np.isfinite(q_) or q_ >= 0:
            return abs(R.zeta(s_, q_)) if np.isfinite(q_) else 0.0
        if q_ < -1e4 or q_ == math.floor(q_):
            return math.inf             # (kusari gives NaN or inf there: not checked)
        m = math.ceil(-q_)
        with np.errstate(all="ignore"):
            terms = np.power(np.abs(q_ + np.arange(m)), -s_)
        return float(np.sum(terms)) + abs(R.zeta(s_, q_ + m))
    with np.errstate(all="ignore"):
        return R.vec(one, s, q)


def _polygamma_expected(n, x, dtype) -> Expected:
    """psi^(n)(x) and the size of its terms: n! zeta(n + 1, x)'s for n >= 1,
    psi(1 - x)'s and pi cot(pi x)'s for n = 0 below 0."""
    n = np.broadcast_to(n, np.shape(x))
    value = R.vec(lambda a, b: R.polygamma(int(a), b), n, x)
    with np.errstate(all="ignore"):
        fact = np.array([math.factorial(int(k)) for k in np.ravel(n)], float).reshape(n.shape)
        scale = np.where(n >= 1, fact * _abs_zeta(n + 1.0, x),
                         np.where(x < 0, np.abs(R.vec(R.digamma, 1 - x)) +
                                  np.abs(np.pi / np.tan(np.pi * x)), 0.0))
    return Expected(value.astype(dtype), scale, scale > np.finfo(dtype).max)


def polygamma_unary(fn, k1, k2) -> Case:
    """lgamma (k1 = 0: digamma), digamma (k1 = 1): derivatives psi^(k)."""
    return Case(fn, lambda dt: [points(dt)],
                lambda xs, ws, vs: [_polygamma_expected(k1, xs[0].astype(np.float64), xs[0].dtype)],
                lambda xs, ws, vs: [_polygamma_expected(k2, xs[0].astype(np.float64), xs[0].dtype)],
                _elementwise_defined)


def _erfcx_terms(x):
    y = R.vec(R.erfcx, x)
    return 2 * np.abs(x * y) + C_ERF


def _erfcx_d1(x):
    return x * R.vec(R.erfcx, x) * 2 - C_ERF


def _erfcx_d2(x):
    return 2 * R.vec(R.erfcx, x) + 2 * x * _erfcx_d1(x)


def _log_ndtr_r(x):
    return SQRT_2_OVER_PI / R.vec(R.erfcx, -x * math.sqrt(0.5))


def _phi(x):
    return np.exp(-x * x / 2) * INV_SQRT_2PI


def _polygamma_case() -> Case:
    def inputs(dt):
        x = points(dt)
        return [np.resize(np.array([0, 1, 2, 3], np.int32), x.shape), x]

    def d(k):
        def f(xs, ws, vs):
            n, x = xs
            return [_polygamma_expected(n + k, x.astype(np.float64), x.dtype)]
        return f

    def defined(xs, ys):
        return [np.isfinite(ys[0])]
    return Case(F.polygamma, inputs, d(1), d(2), defined)


ZETA_S = np.array([2.0, 3.0, 4.5])


def _zeta_case() -> Case:
    def fn(q):
        return F.zeta(np.resize(ZETA_S, q.shape).astype(q.dtype), q)

    def d(k):
        def f(xs, ws, vs):
            q, = xs
            s = np.resize(ZETA_S, q.shape)
            factor = -s if k == 1 else s * (s + 1)
            with np.errstate(all="ignore"):
                q64 = q.astype(np.float64)
                value = factor * R.vec(R.zeta, s + k, q64)
                scale = np.abs(factor) * _abs_zeta(s + k, q64)
            return [Expected(value.astype(q.dtype), scale, scale > np.finfo(q.dtype).max)]
        return f
    return Case(fn, lambda dt: [points(dt)], d(1), d(2), _elementwise_defined)


# -- matrices ----------------------------------------------------------------------

MATRICES = [[[2.0, 0.5], [-1.0, 3.0]], [[1e30, 0.0], [0.0, 1e-30]], [[0.0, 1.0], [1.0, 0.0]],
            [[-0.0, 2.0], [0.5, 0.0]], [[1e-30, 1.0], [1.0, 1e-30]], [[1e20, 0.0], [3.0, 1e-20]],
            [[1e-45, 1.0], [-1.0, 0.0]]]


def _matrices(dt):
    return [np.array(MATRICES, dt)]


def _cof(m):
    """The cofactor matrices of 2 x 2 matrices: det's gradient."""
    out = np.empty_like(m)
    out[..., 0, 0], out[..., 0, 1] = m[..., 1, 1], -m[..., 1, 0]
    out[..., 1, 0], out[..., 1, 1] = -m[..., 0, 1], m[..., 0, 0]
    return out


def _det_case(fn) -> Case:
    # Chainer's rule gy det(a) inv(a)^T: its second derivative subtracts
    # terms of the size of |cof(a) v| |inv(a)| + |det(a)| |inv(a)| |v| |inv(a)|
    def d1(xs, ws, vs):
        m, = xs
        w, = ws
        m64 = m.astype(np.float64)
        size = np.abs(np.linalg.det(m64))[..., None, None] * np.abs(np.linalg.inv(m64))
        return [_expected(_cof(m64) * w[..., None, None], size * np.abs(w[..., None, None]),
                          m.dtype)]

    def d2(xs, ws, vs):
        m, = xs
        w, = ws
        v, = vs
        m64, v64 = m.astype(np.float64), v.astype(np.float64)
        inv_t = np.abs(np.swapaxes(np.linalg.inv(m64), -1, -2))
        first = np.sum(np.abs(_cof(m64) * v64), axis=(-1, -2))[..., None, None] * inv_t
        second = np.abs(np.linalg.det(m64))[..., None, None] * inv_t @ \
            np.abs(np.swapaxes(v64, -1, -2)) @ inv_t
        size = (first + second) * np.abs(w[..., None, None])
        return [_expected(_cof(v64) * w[..., None, None], size, m.dtype)]
    return Case(fn, _matrices, d1, d2, _matrix_defined, ws=WEIGHTS, vs=DIRECTIONS)


def _matrix_defined(xs, ys):
    y = ys[0].reshape(len(xs[0]), -1)
    ok = np.isfinite(y).all(axis=1)
    return [np.broadcast_to(ok[:, None, None], xs[0].shape)]


def _inv_case(fn) -> Case:
    def tr(m):
        return np.swapaxes(m, -1, -2)

    def d1(xs, ws, vs):
        m, = xs
        w, = ws
        y = np.linalg.inv(m.astype(np.float64))
        return [_expected(-(tr(y) @ w @ tr(y)), _size(y, w), m.dtype)]

    def d2(xs, ws, vs):
        m, = xs
        w, = ws
        v, = vs
        y = np.linalg.inv(m.astype(np.float64))
        yt = tr(y)
        out = yt @ w @ yt @ tr(v) @ yt + yt @ tr(v) @ yt @ w @ yt
        return [_expected(out, _size(y, w, v), m.dtype)]
    return Case(fn, _matrices, d1, d2, _matrix_defined, ws=WEIGHTS, vs=DIRECTIONS)


def _expected(value, size, dtype):
    """Where a term of a matrix's products overflows the dtype, any
    non-finite entry of that matrix is accepted (NaN spreads through it)."""
    big = np.max(size, axis=(-1, -2), keepdims=True) > np.finfo(dtype).max
    return Expected(value.astype(dtype), size, np.broadcast_to(big, size.shape))


def _size(y, *ms):
    """The size of the terms of products of y and the ms (their rounding)."""
    a = np.abs(y)
    out = a
    for m in ms:
        out = out @ np.abs(m) @ a
    return out


def _cholesky_case() -> Case:
    """1 x 1 matrices [[a]] at the positive special points: L = sqrt(a),
    d1 = w / (2 sqrt a), d2 = -w v / (4 a^(3/2))."""
    def inputs(dt):
        p = points(dt)
        return [p[(p > 0)]]

    def fn(v):
        return F.stack([F.reshape(F.cholesky(F.reshape(v[i], (1, 1))), ())
                        for i in range(v.shape[0])])

    def d1(xs, ws, vs):
        a, = xs
        w, = ws
        with np.errstate(all="ignore"):
            return [(w / (2 * np.sqrt(a.astype(np.float64)))).astype(a.dtype)]

    def d2(xs, ws, vs):
        a, = xs
        w, = ws
        v, = vs
        with np.errstate(all="ignore"):
            a64 = a.astype(np.float64)
            value = -w * v / (4 * a64 * np.sqrt(a64))
            # (past the dtype's range the rule's products overflow: inf or NaN)
            return [Expected(value.astype(a.dtype), 0.0,
                             ~(np.abs(value) <= np.finfo(a.dtype).max))]
    return Case(fn, inputs, d1, d2, _elementwise_defined, ws=WEIGHTS, vs=DIRECTIONS)


# -- sinc -------------------------------------------------------------------------

def _sinc_d1(x):
    pi = x.dtype.type(np.pi)
    with np.errstate(all="ignore"):
        return np.where(x == 0, 0, (np.cos(x * pi) - np.sinc(x)) / np.where(x == 0, 1, x))


def _sinc_d2(x):
    pi = x.dtype.type(np.pi)
    with np.errstate(all="ignore"):
        safe = np.where(x == 0, 1, x)
        away = (-pi * np.sin(safe * pi) - 2 * _sinc_d1(safe)) / safe
        return np.where(x == 0, -np.pi ** 2 / 3, away)


def _sinc_terms(x):
    with np.errstate(all="ignore"):
        safe = np.where(x == 0, 1, x)
        return np.where(x == 0, 0, (np.pi + 2 * np.abs(_sinc_d1(safe))) / np.abs(safe))


# -- linear ones --------------------------------------------------------------------

def _fixed(shape, dt, values=(0.5, -1.0, 2.0, 0.25, -3.0)):
    return np.resize(np.array(values, dt), shape)


def _sparse_const(n, dt):
    dense = np.zeros((3, n), dt)
    dense[0, 0], dense[1, n - 1], dense[2, 1], dense[0, 2] = 2.0, -1.5, 0.5, 1.0
    return to_coo(dense, ldnz=6), dense


ARCTAN2 = (lambda a, b: b / (a * a + b * b), lambda a, b: -a / (a * a + b * b),
           lambda a, b: -2 * a * b / (a * a + b * b) ** 2,
           lambda a, b: (a * a - b * b) / (a * a + b * b) ** 2,
           lambda a, b: 2 * a * b / (a * a + b * b) ** 2)


def _l2_d1(xs, ws, vs):
    x, = xs
    w, = ws
    return [2 * x * w[:, None]]


def _l2_d2(xs, ws, vs):
    w, = ws
    v, = vs
    return [2 * v * w[:, None]]


def _interp_y(shape, dt):
    return _fixed(shape, dt, (0.5, -1.0, 2.0))


CASES = {
    # -- the special functions -------------------------------------------------------
    "erf": unary(F.erf, lambda x: C_ERF * np.exp(-x * x), lambda x: -2 * x * C_ERF * np.exp(-x * x)),
    "erfc": unary(F.erfc, lambda x: -C_ERF * np.exp(-x * x),
                  lambda x: 2 * x * C_ERF * np.exp(-x * x)),
    # Chainer's rule 2 x erfcx(x) - 2/sqrt(pi) cancels for large x
    "erfcx": scaled_unary(F.erfcx, _erfcx_d1, _erfcx_d2, _erfcx_terms,
                          lambda x: 2 * R.vec(R.erfcx, x) + 2 * np.abs(x) * _erfcx_terms(x)),
    "erfinv": inverse_unary(F.erfinv, R.erfinv, lambda y: HALF_SQRT_PI * np.exp(y * y),
                            lambda y: 2 * y * (HALF_SQRT_PI * np.exp(y * y)) ** 2, 2),
    "erfcinv": inverse_unary(F.erfcinv, R.erfcinv, lambda y: -HALF_SQRT_PI * np.exp(y * y),
                             lambda y: 2 * y * (HALF_SQRT_PI * np.exp(y * y)) ** 2, 2),
    "ndtr": unary(F.ndtr, _phi, lambda x: -x * _phi(x)),
    # d2 = -r (x + r), r = pdf / cdf: it cancels far in the left tail
    "log_ndtr": scaled_unary(F.log_ndtr, _log_ndtr_r,
                             lambda x: -_log_ndtr_r(x) * (x + _log_ndtr_r(x)), None,
                             lambda x: np.abs(_log_ndtr_r(x)) * (np.abs(x) +
                                                                  np.abs(_log_ndtr_r(x)))),
    "ndtri": inverse_unary(F.ndtri, R.ndtri, lambda y: SQRT_2PI * np.exp(y * y * 0.5),
                           lambda y: y * (SQRT_2PI * np.exp(y * y * 0.5)) ** 2, 1),
    "lgamma": polygamma_unary(F.lgamma, 0, 1),
    "digamma": polygamma_unary(F.digamma, 1, 2),
    "polygamma": _polygamma_case(),
    "zeta": _zeta_case(),
    # -- elementwise ------------------------------------------------------------------
    "arctan2": binary(F.arctan2, *ARCTAN2, chainer=ARCTAN2),
    "fmod": binary(F.fmod, ONES, lambda a, b: -np.fix(a / b), ZEROS, ZEROS, ZEROS, wide=False),
    "arctanh": unary(F.arctanh, lambda x: 1 / (1 - x * x),
                     lambda x: 2 * x / ((1 - x * x) * (1 - x * x)), wide=False),
    "fix": no_gradient(F.fix, _vector),
    # second derivatives at subnormal x are not checked: sin(pi x) / x rounds
    # there (kusari's is NaN, the closed form -pi^2/3)
    "sinc": scaled_unary(F.sinc, _sinc_d1, _sinc_d2, None, _sinc_terms, wide=False,
                         defined2=lambda xs, ys: [np.isfinite(ys[0]) & ~(
                             (np.abs(xs[0]) < np.finfo(xs[0].dtype).tiny) & (xs[0] != 0))]),
    "cumsum": linear(lambda v: F.cumsum(v, axis=1), lambda x: np.cumsum(x, axis=1),
                     _row_input),
    # -- matrices ---------------------------------------------------------------------
    "det": _det_case(lambda m: F.stack([F.det(m[i]) for i in range(m.shape[0])])),
    "batch_det": _det_case(F.batch_det),
    "inv": _inv_case(lambda m: F.stack([F.inv(m[i]) for i in range(m.shape[0])])),
    "batch_inv": _inv_case(F.batch_inv),
    "cholesky": _cholesky_case(),
    # -- linear in each operand ------------------------------------------------------
    "einsum": linear(lambda v: F.einsum("ij,j->i", v, _fixed(4, v.dtype)),
                     lambda x: x @ _fixed(4, np.float64), _row_input),
    "diag_einsum": linear(lambda v: call("diag_einsum", v, in_subs="i", out_sub="ii",
                                         out_shape=(v.shape[0],) * 2), np.diag, _vector),
    "tensordot": linear(lambda v: F.tensordot(v, _fixed((4, 2), v.dtype), 1),
                        lambda x: np.tensordot(x, _fixed((4, 2), np.float64), 1), _row_input),
    "sparse_matmul": linear(lambda v: F.sparse_matmul(_sparse_const(v.shape[0], v.dtype)[0], v),
                            lambda x: _sparse_const(x.shape[0], np.float64)[1] @ x, _row_input),
    "fft": linear(lambda v: F.fft((v, v * 0.5)),
                  lambda x: (np.fft.fft(x * (1 + 0.5j)).real, np.fft.fft(x * (1 + 0.5j)).imag),
                  _row_input),
    "ifft": linear(lambda v: F.ifft((v * 0.5, v)),
                   lambda x: (np.fft.ifft(x * (0.5 + 1j)).real, np.fft.ifft(x * (0.5 + 1j)).imag),
                   _row_input),
    "bias": linear(lambda v: F.bias(v, _fixed(4, v.dtype)), lambda x: x, _row_input),
    "scale": linear(lambda v: F.scale(v, _fixed(4, v.dtype)), lambda x: x * _fixed(4, np.float64),
                    _row_input),
    "linear_interpolate": binary(
        lambda p, x: F.linear_interpolate(p, x, _interp_y(p.shape, p.dtype)),
        lambda a, b: b - _interp_y(a.shape, a.dtype), lambda a, b: a, ZEROS,
        lambda a, b: np.ones_like(a), ZEROS, wide=False),
    "batch_l2_norm_squared": rowwise(F.batch_l2_norm_squared, _l2_d1, _l2_d2),
}
