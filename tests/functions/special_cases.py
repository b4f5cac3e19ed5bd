"""The table test_special_points.py walks: for every registry op and every
public function, its inputs at special points (0, -0.0, +-inf, NaN, huge,
tiny, subnormal) and the first and second derivatives it must have there:
Chainer's rule, or the closed form where Chainer's rule is NaN at a point
where the function is defined.

A reference is written in NumPy, independently of kusari: elementwise rules
as formulas (evaluated in a wider dtype where that is exact, in the test's
dtype where Chainer's rule rounds or overflows so), multilinear functions
(prod, cumprod) by substituting 1 and 0 for an element, linear ones as the
adjoint of their NumPy forward, bilinear ones (matmul) in closed form.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

import kusari
import kusari.functions as F
from kusari.functions._core import call

inf, nan = np.inf, np.nan

P32 = [0.0, -0.0, inf, -inf, nan, 1e30, -1e30, 3e38, -3e38, 1e-30, -1e-30, 1e-45, -1e-45,
       0.5, -0.5, 1.0, -1.0, 2.0, -2.5]
P64 = P32 + [1e300, -1e300, 1.7e308, 1e-300, 5e-324, -5e-324, 1e160, 1e-160]
ROWS32 = [[0, 2, 3, 0.5], [0, 0, 2, 3], [-0.0, 1, 2, 3], [inf, 1, 2, 3], [nan, 1, 2, 3],
          [-inf, -inf, 0, 1], [1, 1, 1, 1], [1e30, -1e30, 2, 0.5], [1e-30, 1e-30, 1e-30, 2],
          [3e38, 3e38, -3e38, 0], [1e-45, 1, -1e-45, 2], [1e20, 1e-20, 1e20, 1e-20],
          [2, 3, 0.5, -1], [-inf, 0, 1, 2], [1e30, 0, -1e30, 1]]
ROWS64 = ROWS32 + [[1e300, 1e-300, 1e300, 1e-300], [5e-324, 1, 2, 3], [1.7e308, 1, -1, 0]]
WIDE = {np.dtype(np.float32): np.float64, np.dtype(np.float64): np.longdouble}


def points(dtype) -> np.ndarray:
    return np.array(P32 if np.dtype(dtype) == np.float32 else P64, dtype)


def grid(dtype):
    """Every pair of special points, as two flat arrays."""
    p = points(dtype)
    a, b = np.meshgrid(p, p, indexing="ij")
    return [a.ravel(), b.ravel()]


def rows(dtype) -> np.ndarray:
    return np.array(ROWS32 if np.dtype(dtype) == np.float32 else ROWS64, dtype)


def pattern(shape, dtype, values=(1.0, -2.0, 0.5, 3.0, -1.5, 0.25, 2.0)) -> np.ndarray:
    """Fixed weights (cotangents and directions) of `shape`."""
    return np.resize(np.array(values, dtype), shape)


def WEIGHTS(ys):
    """Cotangents for outputs `ys`: fixed, not all equal."""
    return [pattern(y.shape, y.dtype) for y in ys]


def DIRECTIONS(xs):
    """Directions v for the second derivative d/dx <grad, v>, per input."""
    return [pattern(x.shape, x.dtype, (0.5, 1.0, -1.0, 2.0, 1.5)) for x in xs]


@dataclass
class Expected:
    """A reference derivative (the closed form), with the magnitude its
    rounding is relative to where that is more than the value itself (terms
    that cancel), where a term of it overflows the dtype (`overflow`: there
    the op, as Chainer's rule, may give inf or NaN: an intermediate product
    overflows before a zero or a tiny factor meets it), and Chainer's rule
    where it differs (`also`, accepted as well)."""
    value: np.ndarray
    scale: np.ndarray | float = 0.0
    overflow: np.ndarray | bool = False
    also: np.ndarray | None = None       # Chainer's rule, accepted as well


@dataclass
class Case:
    """How to check one op or function at special points.

    fn        kusari: Variables -> a Variable or a tuple of them
    inputs    dtype -> input arrays (float ones are differentiated)
    d1, d2    (xs, ws, vs) -> expected first derivatives (one per float
              input) and second derivatives d/dx <grad, v>; d2 None: zero
    defined   (xs, ys) -> per float input, where the forward is defined
              (finite): only there must the derivatives agree
    defined2  the same for the second derivative, where it differs (a
              documented exception: see its entry)
    ws, vs    outputs -> cotangents; float inputs -> directions (default: ones)
    """
    fn: Callable
    inputs: Callable
    d1: Callable | None
    d2: Callable | None = None
    defined: Callable | None = None
    ws: Callable | None = None
    vs: Callable | None = None
    no_grad: bool = False
    defined2: Callable | None = None


def _wide(fn, wide: bool):
    """fn evaluated on the inputs in a wider dtype (exact closed forms), or
    in the test's dtype (Chainer's rule, rounding as it rounds), cast back."""
    def ref(*xs):
        dtype = xs[0].dtype
        with np.errstate(all="ignore"):
            args = [x.astype(WIDE[dtype]) if wide else x for x in xs]
            return np.asarray(fn(*args)).astype(dtype)
    return ref


def _elementwise_defined(xs, ys):
    ok = np.isfinite(ys[0])
    return [ok for x in xs if x.dtype.kind == "f"]


def unary(fn, d1, d2, wide=True) -> Case:
    """An elementwise function of one input, at every special point; gy and
    v are ones, so d1 and d2 are f'(x) and f''(x)."""
    r1, r2 = _wide(d1, wide), _wide(d2, wide)
    return Case(fn, lambda dt: [points(dt)], lambda xs, ws, vs: [r1(xs[0])],
                lambda xs, ws, vs: [r2(xs[0])], _elementwise_defined)


def binary(fn, da, db, daa, dab, dbb, wide=True, chainer=None) -> Case:
    """An elementwise function of two inputs, at every pair of special
    points; gy is one, v is (1, 1/2). `chainer`: Chainer's rules (da, db,
    daa, dab, dbb) where they are written otherwise than the closed form
    and are NaN at some defined points; either is accepted there."""
    def refs(fns, wide_):
        r = [_wide(f, wide_) for f in fns[:2]]

        def second(a, b):
            dtype = a.dtype
            with np.errstate(all="ignore"):
                big = [x.astype(WIDE[dtype]) if wide_ else x for x in (a, b)]
                faa, fab, fbb = (np.asarray(f(*big)) for f in fns[2:])
                return [(faa + fab * 0.5).astype(dtype), (fab + fbb * 0.5).astype(dtype)]
        return r, second

    (ra, rb), second = refs((da, db, daa, dab, dbb), wide)
    alt = refs(chainer, False) if chainer else None

    def d1(xs, ws, vs):
        if alt is None:
            return [ra(*xs), rb(*xs)]
        return [Expected(ra(*xs), also=alt[0][0](*xs)), Expected(rb(*xs), also=alt[0][1](*xs))]

    def d2(xs, ws, vs):
        if alt is None:
            return second(*xs)
        return [Expected(w, also=c) for w, c in zip(second(*xs), alt[1](*xs))]
    return Case(fn, grid, d1, d2, _elementwise_defined,
                vs=lambda xs: [np.ones_like(xs[0]), np.full_like(xs[1], 0.5)])


def _row_defined(xs, ys):
    ok = np.ones(xs[0].shape[0], bool)
    for y in ys:
        ok &= np.isfinite(y.reshape(xs[0].shape[0], -1)).all(axis=1)
    return [np.broadcast_to(ok[:, None], x.shape) for x in xs if x.dtype.kind == "f"]


def rowwise(fn, d1, d2=None, inputs=rows) -> Case:
    """A function of each row of an array (reductions, softmax): checked on
    the rows whose outputs are all finite; weights for gy and v. The
    references run in a wider dtype; their terms (of the size of the weights)
    may cancel, so the tolerance is relative to the weights."""
    def wide(ref):
        def run(xs, ws, vs):
            dtype = xs[0].dtype
            big = WIDE[dtype]
            with np.errstate(all="ignore"):
                out = ref([x.astype(big) for x in xs], [w.astype(big) for w in ws],
                          [v.astype(big) for v in vs])
            scale = max(float(np.max(np.abs(w))) for w in ws) * \
                max([1.0] + [float(np.max(np.abs(v))) for v in vs])
            return [Expected(o.astype(dtype), scale) for o in out]
        return run
    return Case(fn, lambda dt: [inputs(dt)], wide(d1), wide(d2) if d2 else None, _row_defined,
                ws=WEIGHTS, vs=DIRECTIONS)


def polynomial(fn, monomials, inputs=lambda dt: [rows(dt)], defined=_row_defined) -> Case:
    """A function whose every output is a sum of products of distinct input
    elements (prod, cumprod, cumprodsum): `monomials(shapes)` lists, per
    output element (flat, output by output), its products as tuples of
    (input, flat index). Derivatives are sums of products of the other
    elements, in a wider dtype; the tolerance is relative to the terms."""
    def setup(xs, ws):
        wide = WIDE[xs[0].dtype]
        flat = [x.astype(wide).reshape(-1) for x in xs]
        weights = np.concatenate([w.astype(wide).reshape(-1) for w in ws])
        return flat, weights, monomials([x.shape for x in xs])

    def product(flat, ids):
        out = flat[0].dtype.type(1)
        for i, j in ids:
            out = out * flat[i][j]
        return out

    def result(xs, values, scales):
        big = np.finfo(xs[0].dtype).max
        return [Expected(v.reshape(x.shape).astype(x.dtype), s.reshape(x.shape).astype(float),
                         (s > big).reshape(x.shape))
                for x, v, s in zip(xs, values, scales)]

    def d1(xs, ws, vs):
        flat, weights, monos = setup(xs, ws)
        values = [np.zeros_like(f) for f in flat]
        scales = [np.zeros_like(f) for f in flat]
        with np.errstate(all="ignore"):
            for w, terms in zip(weights, monos):
                for ids in terms:
                    for u in ids:
                        t = w * product(flat, [z for z in ids if z != u])
                        values[u[0]][u[1]] += t
                        scales[u[0]][u[1]] += abs(t)
        return result(xs, values, scales)

    def d2(xs, ws, vs):
        flat, weights, monos = setup(xs, ws)
        wide = flat[0].dtype
        directions = [v.astype(wide).reshape(-1) for v in vs]
        values = [np.zeros_like(f) for f in flat]
        scales = [np.zeros_like(f) for f in flat]
        with np.errstate(all="ignore"):
            for w, terms in zip(weights, monos):
                for ids in terms:
                    for u in ids:
                        for z in ids:
                            if z != u:
                                t = w * directions[z[0]][z[1]] * \
                                    product(flat, [y for y in ids if y not in (u, z)])
                                values[u[0]][u[1]] += t
                                scales[u[0]][u[1]] += abs(t)
        return result(xs, values, scales)

    return Case(fn, inputs, d1, d2, defined, ws=WEIGHTS, vs=DIRECTIONS)


def _prod_terms(shapes):
    (r, c), = shapes
    return [[tuple((0, i * c + j) for j in range(c))] for i in range(r)]


def _cumprod_terms(shapes):
    (r, c), = shapes
    return [[tuple((0, i * c + j) for j in range(k + 1))] for i in range(r) for k in range(c)]


def _cumprodsum_terms(shapes):
    _, (r, c) = shapes
    return [[((1, i * c + k),) + tuple((0, i * (c - 1) + j) for j in range(k, n))
             for k in range(n + 1)] for i in range(r) for n in range(c)]


def linear(fn, ref, inputs) -> Case:
    """A function linear in its float inputs (shape ops, sums, selects): the
    gradient is the adjoint applied to gy whatever x holds, NaN and inf
    included; the second derivative is zero."""
    def d1(xs, ws, vs):
        grads = []
        for i, x in enumerate(xs):
            if x.dtype.kind != "f":
                continue
            g = np.zeros(x.shape)
            for j in range(x.size):
                basis = [np.zeros_like(y, np.float64) if y.dtype.kind == "f" else y
                         for y in xs]
                basis[i].reshape(-1)[j] = 1
                out = ref(*basis)
                out = out if isinstance(out, tuple) else (out,)
                g.reshape(-1)[j] = sum(float(np.sum(np.asarray(o, np.float64) *
                                                    w.astype(np.float64)))
                                       for o, w in zip(out, ws))
            grads.append(g.astype(x.dtype))
        return grads
    return Case(fn, inputs, d1, None, None,
                ws=WEIGHTS)


def no_gradient(fn, inputs) -> Case:
    """Piecewise constant or not float: no gradient flows back."""
    return Case(fn, inputs, None, no_grad=True)


# -- references -----------------------------------------------------------------

def sigmoid(x):
    half = x.dtype.type(0.5)
    return np.tanh(x * half) * half + half


def others_first(fn):
    return lambda xs, ws, vs: fn(*xs)


def softmax_rows(x):
    m = x.max(axis=1, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=1, keepdims=True)


def _softmax_d1(xs, ws, vs):
    x, = xs
    w, = ws
    y = softmax_rows(x)
    return [y * (w - (w * y).sum(axis=1, keepdims=True))]


def _softmax_d2(xs, ws, vs):
    x, = xs
    w, = ws
    v, = vs
    y = softmax_rows(x)
    s = (w * y).sum(axis=1, keepdims=True)
    vy = (v * y).sum(axis=1, keepdims=True)
    inner = (v * y * (w - s)).sum(axis=1, keepdims=True)
    return [v * y * (w - s) - y * inner - y * (w - s) * vy]


def _log_softmax_d1(xs, ws, vs):
    x, = xs
    w, = ws
    return [w - softmax_rows(x) * w.sum(axis=1, keepdims=True)]


def _log_softmax_d2(xs, ws, vs):
    x, = xs
    w, = ws
    v, = vs
    p = softmax_rows(x)
    return [-w.sum(axis=1, keepdims=True) * p * (v - (p * v).sum(axis=1, keepdims=True))]


def _logsumexp_d1(xs, ws, vs):
    x, = xs
    w, = ws
    p = softmax_rows(x)
    return [w[:, None] * p]


def _logsumexp_d2(xs, ws, vs):
    x, = xs
    w, = ws
    v, = vs
    p = softmax_rows(x)
    return [w[:, None] * p * (v - (p * v).sum(axis=1, keepdims=True))]


def _extremum(op):
    def d1(xs, ws, vs):
        x, = xs
        w, = ws
        return [np.where(x == op(x, axis=1, keepdims=True), w[:, None], 0).astype(x.dtype)]
    return d1


def _matmul_case(fn, shapes, transposed=False):
    """Bilinear: d/da <w, a b> = w b^T, d/db = a^T w; second derivatives
    along (va, vb): w vb^T and va^T w. Special points in each operand."""
    sa, sb = shapes

    def inputs(dt):
        p = points(dt)
        a = np.resize(p, sa).astype(dt)
        b = np.resize(np.concatenate([p[7:], p[:7]]), sb).astype(dt)
        return [a, b]

    def tr(m):
        return np.swapaxes(m, -1, -2)

    def d1(xs, ws, vs):
        a, b = xs
        w, = ws
        if transposed:                     # linear: y = a b^T
            return [w @ b, tr(w) @ a]
        return [w @ tr(b), tr(a) @ w]

    def d2(xs, ws, vs):
        va, vb = vs
        w, = ws
        if transposed:
            return [w @ vb, tr(w) @ va]
        return [w @ tr(vb), tr(va) @ w]

    return Case(fn, inputs, d1, d2, None,
                ws=WEIGHTS,
                vs=DIRECTIONS)


def _jit_tanh():
    f = kusari.jit(lambda x: F.tanh(x) * 2.0)
    return f


_JITTED = _jit_tanh()


def _dropout(v):
    np.random.seed(0)
    with kusari.using_config("train", True):
        return F.dropout(v, 0.25)


def _dropout_ref(x):
    np.random.seed(0)
    mask = (np.random.rand(*x.shape) >= 0.25) * (1.0 / (1.0 - 0.25))
    return x * mask


def _sce_rows(dt):
    x = points(dt)
    return [x, np.resize(np.array([0, 1, -1], np.int32), x.shape)]


def _sce_d1(xs, ws, vs):
    x, t = xs
    valid = t != -1
    return [((sigmoid(x) - t) * valid).astype(x.dtype)]


def _sce_d2(xs, ws, vs):
    x, t = xs
    s = sigmoid(x)
    return [(s * (1 - s) * (t != -1)).astype(x.dtype)]


def _softmax_ce_inputs(dt):
    return [rows(dt), np.resize(np.array([0, 2, -1, 3, 1], np.int32), len(rows(dt)))]


def _softmax_ce_d1(xs, ws, vs):
    x, t = xs
    w, = ws
    y = softmax_rows(x)
    onehot = np.zeros_like(y)
    valid = t != -1
    onehot[np.arange(len(t)), np.where(valid, t, 0)] = 1
    return [(-w[:, None] * (onehot - y) * valid[:, None]).astype(x.dtype)]


def _softmax_ce_d2(xs, ws, vs):
    x, t = xs
    w, = ws
    v, = vs
    p = softmax_rows(x)
    valid = (t != -1)[:, None]
    return [(w[:, None] * p * (v - (p * v).sum(axis=1, keepdims=True)) * valid).astype(x.dtype)]


def _per_row(fn, n_inputs=2):
    """fn applied row by row, stacked: a loss over a whole array is one
    number, so an infinite element would hide every other."""
    def f(*vs):
        return F.stack([fn(*[v[i] for v in vs]) for i in range(vs[0].shape[0])])
    return f


def _pairs(dt):
    p = points(dt)
    a = np.resize(p, (len(p), 2))
    b = np.resize(np.array([0.5, -1.0, 2.0], dt), a.shape)
    return [a, b]


def _mse_defined(xs, ys):
    ok = np.isfinite(ys[0])[:, None]
    return [np.broadcast_to(ok, x.shape) for x in xs]


def _mse_case():
    def d1(xs, ws, vs):
        a, b = xs
        w, = ws
        g = (a - b) * w[:, None]          # 2 (a - b) / n with n = 2
        return [g, -g]

    def d2(xs, ws, vs):
        w, = ws
        va, vb = vs
        g = (va - vb) * w[:, None]
        return [g, -g]
    return Case(_per_row(F.mean_squared_error), _pairs, d1, d2, _mse_defined,
                ws=WEIGHTS,
                vs=lambda xs: [np.ones_like(xs[0]), np.full_like(xs[1], 0.5)])


def _where_inputs(dt):
    a, b = grid(dt)
    return [np.resize(np.array([True, False, False]), a.shape), a, b]


def _select_item_inputs(dt):
    x = rows(dt)
    return [x, np.resize(np.array([0, 3, 1, 2], np.int32), x.shape[0])]


def _scatter(v):
    n = v.shape[0]
    return call("scatter_add", v, key=(("s", 1, n + 1, None),), shape=(n + 3,))


def _one_minus_sq(y):
    return 1 - y * y


def _elu(alpha):
    def d1(x):
        return np.where(x > 0, 1, alpha * np.expm1(x) + alpha)

    def d2(x):
        return np.where(x > 0, 0, alpha * np.expm1(x) + alpha)
    return unary(lambda v: F.elu(v, alpha), d1, d2, wide=False)


def _power(c):
    """x ** c, c a scalar: Chainer's c * x ** (c - 1) and c (c - 1) x ** (c - 2),
    the powers computed with a scalar exponent (as NumPy's x ** c)."""
    return unary(lambda v: v ** c, lambda x: c * x ** float(c - 1),
                 lambda x: c * (c - 1) * x ** float(c - 2), wide=False)


def _rpower(c):
    return unary(lambda v: c ** v, lambda x: np.log(x.dtype.type(c)) * c ** x,
                 lambda x: np.log(x.dtype.type(c)) ** 2 * c ** x, wide=False)


def _swish(x):
    s = sigmoid(x)
    return s + x * (s * (1 - s))


def _swish2(x):
    s = sigmoid(x)
    d = s * (1 - s)
    return d + d + x * (d * (1 - 2 * s))


def _softplus_beta(beta):
    def d1(x):
        return sigmoid(x * x.dtype.type(beta))

    def d2(x):
        s = sigmoid(x * x.dtype.type(beta))
        return s * (1 - s) * x.dtype.type(beta)
    return unary(lambda v: F.softplus(v, beta), d1, d2, wide=False)


def _pow_case():
    """Chainer's PowVarVar rules, but y log a and its derivatives are 0 where
    y is 0 (the limits at a = 0 and a = inf; Chainer's rules give NaN there,
    accepted as well).

    Not checked: second derivatives at a = +-0, and where Chainer's first
    derivative b a^(b-1) is NaN already (b = 0 with 1 / a overflowing); where
    a^(b-1) overflows, they may be NaN (y' log a + y / a is inf - inf).
    Chainer's hand-written double backward gives a^(b-1) (b log a + 1) there
    (-inf at a = 0 for b < 1); kusari's second derivatives differentiate the
    first-derivative rule, where 0 * inf comes up, and give NaN."""
    def limit(a, b, factor, power=None):
        zero = np.power(a, b) == 0
        if power is not None:
            zero |= power == 0
        return np.where(zero, 0, factor)
    case = binary(lambda a, b: a ** b, lambda a, b: b * np.power(a, b - 1),
                  lambda a, b: limit(a, b, np.log(a) * np.power(a, b)),
                  lambda a, b: b * (b - 1) * np.power(a, b - 2),
                  lambda a, b: limit(a, b, np.power(a, b - 1) * (np.log(a) * b + 1),
                                     np.power(a, b - 1)),
                  lambda a, b: limit(a, b, np.log(a) ** 2 * np.power(a, b)), wide=False,
                  chainer=(lambda a, b: b * np.power(a, b - 1),
                           lambda a, b: np.log(a) * np.power(a, b),
                           lambda a, b: b * (b - 1) * np.power(a, b - 2),
                           lambda a, b: np.power(a, b - 1) * (np.log(a) * b + 1),
                           lambda a, b: np.log(a) ** 2 * np.power(a, b)))
    def defined2(xs, ys):
        a, b = xs
        with np.errstate(all="ignore"):
            nan_d1 = np.isnan(b * np.power(a, b - 1))
        return [m & (a != 0) & ~nan_d1 for m in _elementwise_defined(xs, ys)]

    def d2(xs, ws, vs, second=case.d2):
        a, b = xs
        with np.errstate(all="ignore"):
            overflow = ~np.isfinite(np.power(a, b - 1))   # a term of y' log a + y / a
        out = second(xs, ws, vs)
        for e in out:
            e.overflow = overflow
        return out
    case.defined2, case.d2 = defined2, d2
    return case


ONES = lambda *xs: np.ones_like(xs[0])      # noqa: E731
ZEROS = lambda *xs: np.zeros_like(xs[0])    # noqa: E731
LN2, LN10 = np.log(2.0), np.log(10.0)


def _row_input(dt):
    return [rows(dt)]


def _vector(dt):
    return [points(dt)]


CASES: dict[str, Case] = {
    # -- elementwise, one input ------------------------------------------------------
    "exp": unary(F.exp, np.exp, np.exp),
    "expm1": unary(F.expm1, lambda x: np.expm1(x) + 1, lambda x: np.expm1(x) + 1, wide=False),
    "log": unary(F.log, lambda x: 1 / x, lambda x: -1 / (x * x)),
    "log2": unary(F.log2, lambda x: 1 / (x * LN2), lambda x: -1 / (x * x * LN2)),
    "log10": unary(F.log10, lambda x: 1 / (x * LN10), lambda x: -1 / (x * x * LN10)),
    "log1p": unary(F.log1p, lambda x: 1 / (1 + x), lambda x: -1 / ((1 + x) * (1 + x))),
    # Chainer's rule 1 / (2 y): -inf at -0.0 (y = -0.0)
    "sqrt": unary(F.sqrt, lambda x: 1 / (2 * np.sqrt(x)),
                  lambda x: -1 / (4 * np.sqrt(x) ** 3)),
    "rsqrt": unary(F.rsqrt, lambda x: -0.5 / np.sqrt(x) ** 3, lambda x: 0.75 / np.sqrt(x) ** 5),
    "square": unary(F.square, lambda x: 2 * x, lambda x: np.full_like(x, 2)),
    "sin": unary(F.sin, np.cos, lambda x: -np.sin(x), wide=False),
    "cos": unary(F.cos, lambda x: -np.sin(x), lambda x: -np.cos(x), wide=False),
    "tan": unary(F.tan, lambda x: 1 + np.tan(x) ** 2,
                 lambda x: 2 * np.tan(x) * (1 + np.tan(x) ** 2), wide=False),
    "arcsin": unary(F.arcsin, lambda x: 1 / np.sqrt(1 - x * x),
                    lambda x: x / np.sqrt(1 - x * x) ** 3),
    "arccos": unary(F.arccos, lambda x: -1 / np.sqrt(1 - x * x),
                    lambda x: -x / np.sqrt(1 - x * x) ** 3),
    # at +-inf the second derivative is inf / inf = NaN in Chainer's rule (and
    # in kusari's): the limit 0 is not reached
    "arctan": unary(F.arctan, lambda x: 1 / (1 + x * x),
                    lambda x: -2 * x / ((1 + x * x) * (1 + x * x))),
    "sinh": unary(F.sinh, np.cosh, np.sinh),
    "cosh": unary(F.cosh, np.sinh, np.cosh),
    "tanh": unary(F.tanh, lambda x: _one_minus_sq(np.tanh(x)),
                  lambda x: -2 * np.tanh(x) * _one_minus_sq(np.tanh(x)), wide=False),
    "sigmoid": unary(F.sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x)),
                     lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 2 * sigmoid(x)),
                     wide=False),
    # closed form: Chainer's second derivative e / (1 + e)^2 is NaN for large x
    "softplus": unary(F.softplus, sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x)),
                      wide=False),
    "softplus_beta": _softplus_beta(2.0),
    "swish": unary(F.swish, _swish, _swish2, wide=False),
    "neg": unary(lambda v: -v, lambda x: -np.ones_like(x), ZEROS),
    "relu": unary(F.relu, lambda x: (x > 0).astype(x.dtype), ZEROS),
    "abs": unary(F.absolute, np.sign, ZEROS),
    "absolute": unary(F.absolute, np.sign, ZEROS),
    "fabs": unary(F.fabs, np.sign, ZEROS),
    # Chainer: slope where x <= 0 (the kink included), 1 where x > 0
    "leaky_relu": unary(F.leaky_relu, lambda x: np.where(x > 0, 1, 0.2), ZEROS, wide=False),
    # Chainer: y + alpha where x <= 0: alpha at the kink
    "elu": _elu(1.0),
    "elu_alpha": _elu(0.5),
    "clip": unary(lambda v: F.clip(v, -1.0, 2.0),
                  lambda x: ((-1 <= x) & (x <= 2)).astype(x.dtype), ZEROS),
    "pow_2": _power(2),
    "pow_3": _power(3),
    "pow_half": _power(0.5),
    "pow_minus_1": _power(-1),
    "pow_minus_2": _power(-2),
    "pow_1_5": _power(1.5),
    "rpow": _rpower(2.0),
    "call": unary(lambda v: _JITTED(v), lambda x: 2 * _one_minus_sq(np.tanh(x)),
                  lambda x: -4 * np.tanh(x) * _one_minus_sq(np.tanh(x)), wide=False),
    "sign": no_gradient(F.sign, _vector),
    "floor": no_gradient(F.floor, _vector),
    "ceil": no_gradient(F.ceil, _vector),
    "stop_gradient": no_gradient(F.stop_gradient, _vector),
    "cast": linear(lambda v: F.cast(v, np.float64 if v.dtype == np.float32 else np.float32),
                   lambda x: x, _vector),
    "identity": linear(F.identity, lambda x: x, _vector),
    "dropout": linear(_dropout, _dropout_ref, _vector),
    # -- elementwise, two inputs --------------------------------------------------------
    "add": binary(lambda a, b: a + b, ONES, ONES, ZEROS, ZEROS, ZEROS),
    "sub": binary(lambda a, b: a - b, ONES, lambda a, b: -np.ones_like(b), ZEROS, ZEROS, ZEROS),
    "mul": binary(lambda a, b: a * b, lambda a, b: b, lambda a, b: a, ZEROS,
                  lambda a, b: np.ones_like(a), ZEROS),
    # closed form -a / b^2: Chainer's -(gy / b) * a / b is NaN at a = 0 where
    # 1 / b overflows (kusari gives the closed form there); its second
    # derivatives are NaN there too, and so are kusari's
    "div": binary(lambda a, b: a / b, lambda a, b: 1 / b, lambda a, b: -(a / b) / b,
                  ZEROS, lambda a, b: -1 / (b * b), lambda a, b: 2 * a / (b * b * b),
                  chainer=(lambda a, b: 1 / b, lambda a, b: -(1 / b) * a / b, ZEROS,
                           lambda a, b: -1 / (b * b), lambda a, b: 2 * a / (b * b * b))),
    "pow": _pow_case(),
    "maximum": binary(F.maximum, lambda a, b: (a >= b).astype(a.dtype),
                      lambda a, b: (~(a >= b)).astype(a.dtype), ZEROS, ZEROS, ZEROS),
    "minimum": binary(F.minimum, lambda a, b: (a <= b).astype(a.dtype),
                      lambda a, b: (~(a <= b)).astype(a.dtype), ZEROS, ZEROS, ZEROS),
    "squared_error": binary(F.squared_error, lambda a, b: 2 * (a - b),
                            lambda a, b: -2 * (a - b), lambda a, b: np.full_like(a, 2),
                            lambda a, b: np.full_like(a, -2), lambda a, b: np.full_like(a, 2)),
    "absolute_error": binary(F.absolute_error, lambda a, b: np.sign(a - b),
                             lambda a, b: -np.sign(a - b), ZEROS, ZEROS, ZEROS),
    "where": linear(F.where, np.where, _where_inputs),
    "mean_squared_error": _mse_case(),
    "sigmoid_cross_entropy": Case(lambda x, t: F.sigmoid_cross_entropy(x, t, reduce="no"),
                                  _sce_rows, lambda xs, ws, vs: _sce_d1(xs, ws, vs),
                                  _sce_d2, _elementwise_defined),
    # -- reductions and functions of rows ------------------------------------------------
    "sum": linear(lambda v: F.sum(v, axis=1), lambda x: np.sum(x, axis=1), _row_input),
    "mean": linear(lambda v: F.mean(v, axis=1), lambda x: np.mean(x, axis=1), _row_input),
    "average": linear(lambda v: F.average(v, axis=1, weights=np.array([1, 2, 0.5, 1.5],
                                                                       v.dtype)),
                      lambda x: np.average(x, axis=1, weights=[1, 2, 0.5, 1.5]), _row_input),
    "sum_to": linear(lambda v: F.sum_to(v, (1, 4)), lambda x: x.sum(axis=0, keepdims=True),
                     _row_input),
    "max": rowwise(lambda v: F.max(v, axis=1), _extremum(np.max)),
    "min": rowwise(lambda v: F.min(v, axis=1), _extremum(np.min)),
    "prod": polynomial(lambda v: F.prod(v, axis=1), _prod_terms),
    "cumprod": polynomial(lambda v: call("cumprod", v, axis=1), _cumprod_terms),
    "cumprodsum": polynomial(lambda m, a: call("cumprodsum", m, a, axis=1), _cumprodsum_terms,
                             inputs=lambda dt: [rows(dt)[:, 1:], rows(dt)[:, ::-1].copy()]),
    "logsumexp": rowwise(lambda v: F.logsumexp(v, axis=1), _logsumexp_d1, _logsumexp_d2),
    "softmax": rowwise(lambda v: F.softmax(v, axis=1), _softmax_d1, _softmax_d2),
    "log_softmax": rowwise(lambda v: F.log_softmax(v, axis=1), _log_softmax_d1,
                           _log_softmax_d2),
    "softmax_cross_entropy": Case(
        lambda x, t: F.softmax_cross_entropy(x, t, reduce="no"), _softmax_ce_inputs,
        _softmax_ce_d1, _softmax_ce_d2, _row_defined,
        ws=WEIGHTS,
        vs=DIRECTIONS),
    # -- linear: shapes, indexing, joining ---------------------------------------------
    "reshape": linear(lambda v: F.reshape(v, (-1, 2)), lambda x: x.reshape(-1, 2), _row_input),
    "transpose": linear(F.transpose, np.transpose, _row_input),
    "swapaxes": linear(lambda v: F.swapaxes(v, 0, 1), lambda x: x.swapaxes(0, 1), _row_input),
    "expand_dims": linear(lambda v: F.expand_dims(v, 1), lambda x: x[:, None], _row_input),
    "flatten": linear(F.flatten, np.ravel, _row_input),
    "squeeze": linear(lambda v: F.squeeze(v[:, :1]), lambda x: x[:, 0], _row_input),
    "broadcast_to": linear(lambda v: F.broadcast_to(v[:1], (3, 4)),
                           lambda x: np.broadcast_to(x[:1], (3, 4)), _row_input),
    "broadcast": linear(lambda v: F.broadcast(v, v[:1]),
                        lambda x: (x, np.broadcast_to(x[:1], x.shape)), _row_input),
    "concat": linear(lambda v: F.concat([v, v[:, :2]], axis=1),
                     lambda x: np.concatenate([x, x[:, :2]], 1), _row_input),
    "stack": linear(lambda v: F.stack([v, -v]), lambda x: np.stack([x, -x]), _row_input),
    "hstack": linear(lambda v: F.hstack([v, v]), lambda x: np.hstack([x, x]), _row_input),
    "vstack": linear(lambda v: F.vstack([v, v[:1]]), lambda x: np.vstack([x, x[:1]]),
                     _row_input),
    "split_axis": linear(lambda v: F.split_axis(v, [1], axis=1),
                         lambda x: tuple(np.split(x, [1], axis=1)), _row_input),
    "separate": linear(lambda v: F.separate(v, axis=1), lambda x: tuple(np.moveaxis(x, 1, 0)),
                       _row_input),
    "get_item": linear(lambda v: F.get_item(v, (np.array([0, 2, 2]), slice(1, 3))),
                       lambda x: x[np.array([0, 2, 2]), 1:3], _row_input),
    "getitem": linear(lambda v: v[1:, ::-2], lambda x: x[1:, ::-2], _row_input),
    "scatter_add": linear(_scatter, lambda x: np.concatenate([np.zeros(1), x, np.zeros(2)]),
                          _vector),
    "select_item": linear(F.select_item, lambda x, t: x[np.arange(len(t)), t],
                          _select_item_inputs),
    # -- bilinear ----------------------------------------------------------------------
    "matmul": _matmul_case(F.matmul, ((3, 4), (4, 2))),
    "batch_matmul": _matmul_case(F.batch_matmul, ((2, 3, 4), (2, 4, 2))),
    "linear": _matmul_case(F.linear, ((3, 4), (2, 4)), transposed=True),
    # -- no gradient ------------------------------------------------------------------
    "argmax": no_gradient(lambda v: F.argmax(v, axis=1), _row_input),
    "argmin": no_gradient(lambda v: F.argmin(v, axis=1), _row_input),
    "accuracy": no_gradient(lambda v: F.accuracy(v, np.array([0, 1] * (v.shape[0] // 2) +
                                                              [0] * (v.shape[0] % 2))),
                            _row_input),
}
for _name, _fn in [("equal", F.equal), ("not_equal", F.not_equal), ("less", F.less),
                   ("less_equal", F.less_equal), ("greater", F.greater),
                   ("greater_equal", F.greater_equal)]:
    CASES[_name] = no_gradient(_fn, grid)
for _name, _fn in [("logical_and", F.logical_and), ("logical_or", F.logical_or)]:
    CASES[_name] = no_gradient(lambda a, b, _fn=_fn: _fn(F.greater(a, 0.0), F.less(b, 1.0)),
                               grid)
CASES["logical_not"] = no_gradient(lambda a: F.logical_not(F.greater(a, 0.0)), _vector)


def _merge_areas() -> None:
    """Each area's entries live in tests/functions/cases_<area>.py (its CASES)."""
    import importlib
    import pathlib
    import pkgutil
    folder = pathlib.Path(__file__).parent
    for info in pkgutil.iter_modules([str(folder)]):
        if info.name.startswith("cases_"):
            area = importlib.import_module(f"tests.functions.{info.name}")
            twice = set(area.CASES) & set(CASES)
            assert not twice, f"{sorted(twice)} have special-point entries twice"
            CASES.update(area.CASES)


_merge_areas()
