"""Hyper-dual numbers: exact first and second derivatives of a NumPy
reference, for the special-point tables (cases_norm.py, cases_loss.py).

A value is a + b e1 + c e2 + d e1 e2 with e1^2 = e2^2 = 0. Seeding e1 with
every basis direction at once (b and d carry a leading axis of one row per
input element) and e2 with the direction v, one evaluation of a reference
written with these numbers gives, per input element i, df/dx_i (in b) and
sum_j d2f/dx_i dx_j v_j (in d): no step size, no truncation error, and
nothing of kusari's involved.

`reference_case` turns a reference into a special_cases.Case: the
derivatives come from the reference evaluated in a wider dtype; where the
same evaluation in the test's dtype overflows, kusari may give inf or NaN
too (Expected.overflow).
"""
from __future__ import annotations

import numpy as np

from tests.functions.special_cases import WIDE, Case, Expected, WEIGHTS, DIRECTIONS


_MAGNITUDES = [False]   # parts hold the sums of the magnitudes of their terms


def _m(p, q):
    """p * q for the parts of a number: a part that is exactly 0 (the value
    does not depend on that direction) stays 0 whatever it meets, inf and
    NaN included; otherwise an infinite value in one row of a reference
    would spoil the derivatives of every other. In magnitude mode, |p| |q|."""
    if _MAGNITUDES[0]:
        p, q = np.abs(p), np.abs(q)
    with np.errstate(all="ignore"):
        return np.where((np.asarray(p) == 0) | (np.asarray(q) == 0), 0, p * q).astype(
            np.result_type(p, q))


def _signed(p):
    """-p, or p itself for a sum of magnitudes."""
    return p if _MAGNITUDES[0] else -p


class HD:
    """a + b e1 + c e2 + d e1 e2; a, c of the value's shape S, b, d of (n,) + S."""

    __array_ufunc__ = None          # ndarray op HD: NumPy defers to HD

    def __init__(self, a, b, c, d):
        self.a, self.b, self.c, self.d = a, b, c, d

    # -- structure ----------------------------------------------------------------
    @property
    def shape(self):
        return self.a.shape

    @property
    def ndim(self):
        return self.a.ndim

    def _lift(self, other):
        if isinstance(other, HD):
            return other
        k = np.asarray(other, self.a.dtype)
        zero = np.zeros((), self.a.dtype)
        return HD(k, zero, zero, zero)

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], tuple) else shape
        b, d = self._full(self.b), self._full(self.d)
        return HD(self.a.reshape(shape), b.reshape((b.shape[0],) + tuple(shape)),
                  self._fullc(self.c).reshape(shape), d.reshape((d.shape[0],) + tuple(shape)))

    def _full(self, b):
        return np.broadcast_to(b, (self.b.shape[0] if self.b.ndim else 1,) + self.a.shape) \
            if b.ndim != self.a.ndim + 1 or b.shape[1:] != self.a.shape else b

    def _fullc(self, c):
        return np.broadcast_to(c, self.a.shape)

    def __getitem__(self, index):
        index = index if isinstance(index, tuple) else (index,)
        return HD(self.a[index], self._full(self.b)[(slice(None),) + index],
                  self._fullc(self.c)[index], self._full(self.d)[(slice(None),) + index])

    def transpose(self, axes):
        return HD(self.a.transpose(axes), self._full(self.b).transpose((0,) + tuple(
            x + 1 for x in axes)), self._fullc(self.c).transpose(axes),
            self._full(self.d).transpose((0,) + tuple(x + 1 for x in axes)))

    @property
    def T(self):
        return self.transpose(tuple(reversed(range(self.ndim))))

    # -- arithmetic ---------------------------------------------------------------
    def __add__(self, o):
        o = self._lift(o)
        return HD(self.a + o.a, self.b + o.b, self.c + o.c, self.d + o.d)

    __radd__ = __add__

    def __neg__(self):
        return HD(-self.a, _signed(self.b), _signed(self.c), _signed(self.d))

    def __sub__(self, o):
        return self + (-self._lift(o))

    def __rsub__(self, o):
        return self._lift(o) + (-self)

    def __mul__(self, o):
        o = self._lift(o)
        return HD(self.a * o.a, _m(self.a, o.b) + _m(self.b, o.a),
                  _m(self.a, o.c) + _m(self.c, o.a),
                  _m(self.a, o.d) + _m(self.b, o.c) + _m(self.c, o.b) + _m(self.d, o.a))

    __rmul__ = __mul__

    def __truediv__(self, o):
        return self * self._lift(o).reciprocal()

    def __rtruediv__(self, o):
        return self._lift(o) * self.reciprocal()

    def __pow__(self, p):
        p = float(p)
        return self.unary(lambda a: a ** p, lambda a: p * a ** (p - 1),
                          lambda a: p * (p - 1) * a ** (p - 2))

    def __matmul__(self, o):
        o = self._lift(o)
        m = np.abs if _MAGNITUDES[0] else (lambda v: v)
        a, b, c, d = (m(self.a), m(self._full(self.b)), m(self._fullc(self.c)),
                      m(self._full(self.d)))
        oa, ob, oc, od = m(o.a), m(o._full(o.b)), m(o._fullc(o.c)), m(o._full(o.d))
        return HD(self.a @ o.a, a @ ob + b @ oa, a @ oc + c @ oa,
                  a @ od + b @ oc + c @ ob + d @ oa)

    def unary(self, f, f1, f2):
        """f(self) given f and its first two derivatives (functions of a)."""
        with np.errstate(all="ignore"):
            a, d1, d2 = f(self.a), f1(self.a), f2(self.a)
            return HD(a, _m(d1, self.b), _m(d1, self.c),
                      _m(d1, self.d) + _m(d2, _m(self.b, self.c)))

    def reciprocal(self):
        return self.unary(lambda a: 1 / a, lambda a: -1 / (a * a), lambda a: 2 / (a * a * a))

    # -- reductions ---------------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        axes = tuple(range(self.ndim)) if axis is None else \
            tuple(x % self.ndim for x in ((axis,) if isinstance(axis, int) else axis))
        shifted = tuple(x + 1 for x in axes)
        return HD(self.a.sum(axes, keepdims=keepdims),
                  self._full(self.b).sum(shifted, keepdims=keepdims),
                  self._fullc(self.c).sum(axes, keepdims=keepdims),
                  self._full(self.d).sum(shifted, keepdims=keepdims))

    def mean(self, axis=None, keepdims=False):
        axes = tuple(range(self.ndim)) if axis is None else \
            tuple(x % self.ndim for x in ((axis,) if isinstance(axis, int) else axis))
        n = int(np.prod([self.shape[x] for x in axes]))
        return self.sum(axes, keepdims) * (1.0 / n)


def where(cond, x, y) -> HD:
    """Elementwise select (the derivative of the selected branch)."""
    if not isinstance(x, HD):
        x = y._lift(x)
    if not isinstance(y, HD):
        y = x._lift(y)
    return HD(np.where(cond, x.a, y.a), np.where(cond, x.b, y.b), np.where(cond, x.c, y.c),
              np.where(cond, x.d, y.d))


def maximum(x: HD, y) -> HD:
    """Chainer's rule: x's derivative where x >= y."""
    y = x._lift(y)
    return where(x.a >= y.a, x, y)


def minimum(x: HD, y) -> HD:
    y = x._lift(y)
    return where(x.a <= y.a, x, y)


def sqrt(x: HD) -> HD:
    return x.unary(np.sqrt, lambda a: 0.5 / np.sqrt(a), lambda a: -0.25 / (a * np.sqrt(a)))


def exp(x: HD) -> HD:
    return x.unary(np.exp, np.exp, np.exp)


def log(x: HD) -> HD:
    return x.unary(np.log, lambda a: 1 / a, lambda a: -1 / (a * a))


def absolute(x: HD) -> HD:
    return x.unary(np.abs, np.sign, lambda a: np.zeros_like(a))


def _sigmoid(a):
    half = a.dtype.type(0.5)
    return np.tanh(a * half) * half + half


def softplus(x: HD) -> HD:
    return x.unary(lambda a: np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a))), _sigmoid,
                   lambda a: _sigmoid(a) * (1 - _sigmoid(a)))


def relu(x: HD) -> HD:
    """Chainer's ReLU: the derivative is 1 where x > 0, 0 at 0."""
    return x.unary(lambda a: np.maximum(a, 0), lambda a: (a > 0).astype(a.dtype),
                   lambda a: np.zeros_like(a))


def concatenate(xs, axis) -> HD:
    axis %= xs[0].ndim
    lead = max(x._full(x.b).shape[0] for x in xs)      # constants carry one direction

    def parts(x, p):
        return np.broadcast_to(x._full(p), (lead,) + x.shape)
    return HD(np.concatenate([x.a for x in xs], axis),
              np.concatenate([parts(x, x.b) for x in xs], axis + 1),
              np.concatenate([x._fullc(x.c) for x in xs], axis),
              np.concatenate([parts(x, x.d) for x in xs], axis + 1))


def constant(like: HD, value) -> HD:
    """`value` (an array) as a number with no parts, beside `like`."""
    return like._lift(value)


def seed(arrays, directions, elementwise: bool = False):
    """Hyper-dual copies of the float `arrays`: e1 over every element of all
    of them (or, for an elementwise function, over each whole array: output
    k depends on element k alone), e2 along `directions` (one per float
    array)."""
    floats = [x for x in arrays if x.dtype.kind == "f"]
    n = len(floats) if elementwise else sum(x.size for x in floats)
    out, start, k = [], 0, 0
    for x in arrays:
        if x.dtype.kind != "f":
            out.append(x)
            continue
        if elementwise:
            basis = np.zeros((n,) + x.shape, x.dtype)
            basis[k] = 1
        else:
            basis = np.zeros((n, x.size), x.dtype)
            basis[start:start + x.size] = np.eye(x.size, dtype=x.dtype)
            basis = basis.reshape((n,) + x.shape)
        out.append(HD(x, basis, directions[k].astype(x.dtype),
                      np.zeros((n,) + x.shape, x.dtype)))
        start += x.size
        k += 1
    return out


def magnitudes(ref, arrays, ws, vs, elementwise: bool = False):
    """The sums of the magnitudes of the terms that make up each derivative
    of `derivatives` (the size their rounding is relative to)."""
    _MAGNITUDES[0] = True
    try:
        _, _, s1, s2 = derivatives(ref, arrays, [np.abs(w) for w in ws],
                                   [np.abs(v) for v in vs], elementwise)
    finally:
        _MAGNITUDES[0] = False
    return s1, s2


def derivatives(ref, arrays, ws, vs, elementwise: bool = False):
    """(first, second, first's scale, second's scale) per float input: df/dx,
    d/dx <df/dx, v>, and the sums of the magnitudes of the terms each adds
    up over the outputs (the size its rounding is relative to where they
    cancel); over the outputs that are finite."""
    floats = [x for x in arrays if x.dtype.kind == "f"]
    with np.errstate(all="ignore"):
        outs = ref(*seed(arrays, vs, elementwise))
        outs = outs if isinstance(outs, tuple) else (outs,)

        def total(part, magnitude=False):
            # an output that is not finite is undefined: its parts (0 * inf in
            # the directions it does not depend on) would spoil every sum
            out = 0
            for o, w in zip(outs, ws):
                t = np.where(np.isfinite(o.a), o._full(getattr(o, part)) * w, 0)
                t = np.abs(t) if magnitude else t
                out = out + (t if elementwise else t.reshape(t.shape[0], -1).sum(axis=1))
            return out
        sums = [total("b"), total("d"), total("b", True), total("d", True)]
    results, start = [[], [], [], []], 0
    for k, x in enumerate(floats):
        for r, g in zip(results, sums):
            r.append(np.asarray(g[k] if elementwise else
                                g[start:start + x.size]).reshape(x.shape))
        start += x.size
    return results


def reference_case(fn, ref, inputs, defined=None, scale: float = 1.0,
                   overflow=None, elementwise: bool = False) -> Case:
    """A Case whose derivatives are the hyper-dual derivatives of `ref` (a
    NumPy reference written with HD-aware operations), computed in a wider
    dtype; where its evaluation in the test's dtype is not finite, kusari
    may give inf or NaN as well (an intermediate overflows). `scale`: the
    size of the terms the derivatives sum, relative to the weights.
    `overflow(xs)`: per float input, where an intermediate of kusari's (and
    Chainer's) derivative overflows the dtype (a square of a huge element):
    inf or NaN is accepted there, a finite value must still agree.
    `elementwise`: output k depends on element k of each input alone (one
    direction per input suffices)."""
    def both(xs, ws, vs):
        dtype = xs[0].dtype if xs[0].dtype.kind == "f" else \
            next(x.dtype for x in xs if x.dtype.kind == "f")
        wide = WIDE[np.dtype(dtype)]

        def widen(a):
            return a.astype(wide) if a.dtype.kind == "f" else a
        args = ([widen(x) for x in xs], [w.astype(wide) for w in ws],
                [v.astype(wide) for v in vs])
        f1, f2, _, _ = derivatives(ref, *args, elementwise)
        s1, s2 = magnitudes(ref, *args, elementwise)
        n1, n2, _, _ = derivatives(ref, xs, ws, vs, elementwise)
        size = scale * max(float(np.max(np.abs(w))) for w in ws) * \
            max([1.0] + [float(np.max(np.abs(v))) for v in vs])

        def expected(value, terms, narrow):
            # accepted as well: the reference rounded in the test's dtype
            # (where an intermediate overflows or underflows there, as it
            # does in Chainer's formulas)
            with np.errstate(all="ignore"):
                return Expected(value.astype(dtype),
                                np.maximum(size, terms.astype(np.float64)),
                                ~np.isfinite(narrow), also=narrow.astype(dtype))
        first = [expected(a, t, b) for a, t, b in zip(f1, s1, n1)]
        second = [expected(a, t, b) for a, t, b in zip(f2, s2, n2)]
        if overflow is not None:
            for e1, e2, m in zip(first, second, overflow(xs)):
                e1.overflow = e1.overflow | m
                e2.overflow = e2.overflow | m
        return first, second

    last: list = []                # (xs, ws, vs, result): d1 and d2 of one check share it

    def cached(xs, ws, vs):
        if not (last and last[0] is xs and last[1] is ws and last[2] is vs):
            last[:] = [xs, ws, vs, both(xs, ws, vs)]
        return last[3]

    return Case(fn, inputs, lambda xs, ws, vs: cached(xs, ws, vs)[0],
                lambda xs, ws, vs: cached(xs, ws, vs)[1], defined, ws=WEIGHTS, vs=DIRECTIONS)


def logsumexp(x: HD, axis: int, keepdims: bool = False) -> HD:
    """log(sum(exp(x))) over `axis`, shifted by the (constant) maximum."""
    with np.errstate(all="ignore"):
        m = np.max(x.a, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
    out = log(exp(x - m).sum(axis, keepdims=True)) + m
    return out if keepdims else out.reshape(tuple(d for i, d in enumerate(out.shape)
                                                  if i != axis % x.ndim))


def amax(x: HD, axis: int) -> HD:
    """The maximum over `axis`; every element equal to it gets the
    derivative (Chainer's rule for max)."""
    axis %= x.ndim
    with np.errstate(all="ignore"):
        top = np.max(x.a, axis=axis, keepdims=True)
    hit = x.a == top

    def pick(part, shift):
        return np.where(hit, part, 0).sum(axis + shift)
    return HD(np.squeeze(top, axis), pick(x._full(x.b), 1), pick(x._fullc(x.c), 0),
              pick(x._full(x.d), 1))
