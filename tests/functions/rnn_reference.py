"""NumPy references for the recurrent functions and F.bilinear, written
independently of kusari (and of Chainer's code): each is a plain loop over
gates, time steps, layers and directions, the textbook form.

They run on NumPy arrays (forward references) and on `Dual` numbers:
hyper-dual values that carry, besides the value, its derivative along one
direction v, along each input element e_i, and the mixed second derivative
along v and e_i. So one evaluation gives exact first derivatives <w, dy/dx_i>
and second derivatives d/dx_i <grad, v> at any point, special points
included, with no finite differences. Each Dual also carries the magnitudes
of the terms it sums, the scale its rounding is relative to.
"""
from __future__ import annotations

import numpy as np


# -- hyper-dual numbers ---------------------------------------------------------------

class Dual:
    """value `a`; derivative along v `b`; along each basis element e_i `c`
    (leading axis i); mixed second derivative `d` (leading axis i); and the
    magnitudes `m` of the four (nonnegative bounds of the terms summed).

    Derivative terms multiply with strong zeros: a term whose derivative
    factor is exactly 0 (the value does not depend on that element) is 0,
    whatever the other factor holds (inf or NaN in an independent row)."""

    def __init__(self, a, b, c, d, m=None):
        self.a, self.b, self.c, self.d = a, b, c, d
        self.m = m if m is not None else [np.abs(a), np.abs(b), np.abs(c), np.abs(d)]

    @property
    def shape(self):
        return self.a.shape

    @property
    def ndim(self):
        return self.a.ndim

    @property
    def dtype(self):
        return self.a.dtype

    def __len__(self):
        return len(self.a)

    # arithmetic -----------------------------------------------------------------
    def __add__(self, o):
        o = _lift(o, self)
        n = max(self.ndim, o.ndim)
        return Dual(self.a + o.a, self.b + o.b, _al(self.c, n) + _al(o.c, n),
                    _al(self.d, n) + _al(o.d, n),
                    [self.m[0] + o.m[0], self.m[1] + o.m[1],
                     _al(self.m[2], n) + _al(o.m[2], n), _al(self.m[3], n) + _al(o.m[3], n)])

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.a, -self.b, -self.c, -self.d, self.m)

    def __sub__(self, o):
        return self + (-_lift(o, self))

    def __rsub__(self, o):
        return (-self) + o

    def __mul__(self, o):
        return _product(self, _lift(o, self), smul, np.multiply)

    __rmul__ = __mul__

    def __matmul__(self, o):
        return _product(self, _lift(o, self), smatmul, np.matmul)

    def __rmatmul__(self, o):
        return _product(_lift(o, self), self, smatmul, np.matmul)

    # structure ------------------------------------------------------------------
    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        lead = (slice(None),) + key
        return Dual(self.a[key], self.b[key], self.c[lead], self.d[lead],
                    [self.m[0][key], self.m[1][key], self.m[2][lead], self.m[3][lead]])

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], tuple) else shape
        n = self.c.shape[0]
        return self._map(lambda x: x.reshape(shape), lambda x: x.reshape((n,) + shape))

    @property
    def T(self):
        return self._map(lambda x: np.swapaxes(x, -1, -2), lambda x: np.swapaxes(x, -1, -2))

    def _map(self, f, g):
        return Dual(f(self.a), f(self.b), g(self.c), g(self.d),
                    [f(self.m[0]), f(self.m[1]), g(self.m[2]), g(self.m[3])])


def _al(x, ndim):
    """A per-element component (leading basis axis) aligned to `ndim` value
    axes, for broadcasting against another."""
    missing = ndim - (x.ndim - 1)
    return x.reshape(x.shape[:1] + (1,) * missing + x.shape[1:]) if missing > 0 else x


def smul(p, q, zp=True, zq=True):
    """p * q, but 0 where a derivative factor (p if zp, q if zq) is exactly
    0: the value does not depend on that element (another row), whatever
    the other factor holds. A value factor keeps IEEE rules (0 * inf is
    NaN), as any implementation's chain rule has it."""
    with np.errstate(invalid="ignore", over="ignore"):
        r = p * q
    mask = np.zeros(r.shape, bool)
    if zp:
        mask = mask | (p == 0)
    if zq:
        mask = mask | (q == 0)
    return np.where(mask, 0, r).astype(r.dtype)


def smatmul(p, q, zp=True, zq=True):
    """p @ q, each product of its sums as in smul."""
    return np.sum(smul(p[..., :, :, None], q[..., None, :, :], zp, zq), axis=-2)


def _lift(o, like: Dual) -> Dual:
    """A constant as a Dual (no derivatives)."""
    if isinstance(o, Dual):
        return o
    o = np.asarray(o, like.a.dtype)
    zero = np.zeros((like.c.shape[0],) + o.shape, o.dtype)
    return Dual(o, np.zeros_like(o), zero, zero)


def _product(x: Dual, y: Dual, op, value_op) -> Dual:
    """The product rule to the second order (mixed terms b c), for * and @:
    the value with IEEE rules, the derivative terms with strong zeros."""
    n = max(x.ndim, y.ndim)

    def rule(p, q, first):
        pc, pd, qc, qd = _al(p[2], n), _al(p[3], n), _al(q[2], n), _al(q[3], n)

        def vd(v, d):           # value times derivative
            return op(v, d, False, True)

        def dv(d, v):
            return op(d, v, True, False)
        return [first(p[0], q[0]), vd(p[0], q[1]) + dv(p[1], q[0]),
                vd(p[0], qc) + dv(pc, q[0]),
                vd(p[0], qd) + op(p[1], qc) + op(pc, q[1]) + dv(pd, q[0])]
    a, b, c, d = rule([x.a, x.b, x.c, x.d], [y.a, y.b, y.c, y.d], value_op)
    return Dual(a, b, c, d, rule(x.m, y.m, value_op))


def _unary(x: Dual, y, d1, d2) -> Dual:
    """g(x) given y = g(a), g'(a) and g''(a)."""
    k1, k2 = np.abs(d1), np.abs(d2)
    def vd(v, d):
        return smul(v, d, False, True)
    return Dual(y, vd(d1, x.b), vd(d1, x.c), vd(d1, x.d) + vd(d2, smul(x.b, x.c)),
                [np.abs(y), vd(k1, x.m[1]), vd(k1, x.m[2]),
                 vd(k1, x.m[3]) + vd(k2, smul(x.m[1], x.m[2]))])


def tanh(x):
    if not isinstance(x, Dual):
        return np.tanh(x)
    y = np.tanh(x.a)
    g = 1 - y * y
    return _unary(x, y, g, -2 * y * g)


def sigmoid(x):
    if not isinstance(x, Dual):
        return _sigmoid(x)
    y = _sigmoid(x.a)
    g = y * (1 - y)
    return _unary(x, y, g, g * (1 - 2 * y))


def _sigmoid(a):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-a))


def relu(x):
    if not isinstance(x, Dual):
        return np.maximum(x, 0)
    y = np.maximum(x.a, 0)
    return _unary(x, y, (x.a > 0).astype(y.dtype), np.zeros_like(y))


def concat(xs, axis):
    if not isinstance(xs[0], Dual):
        return np.concatenate(xs, axis)
    pick = [[x.a for x in xs], [x.b for x in xs], [x.c for x in xs], [x.d for x in xs]]
    ms = [[x.m[k] for x in xs] for k in range(4)]
    ax = [axis, axis, axis + 1, axis + 1]
    return Dual(*[np.concatenate(p, a) for p, a in zip(pick, ax)],
                [np.concatenate(p, a) for p, a in zip(ms, ax)])


def duals(xs, vs):
    """Inputs as Duals: each float input's elements are basis directions
    e_0, e_1, ... (numbered across the inputs), v its direction."""
    total = sum(x.size for x in xs)
    out, start = [], 0
    for x, v in zip(xs, vs):
        c = np.zeros((total,) + x.shape, x.dtype)
        c.reshape(total, -1)[start:start + x.size] = np.eye(x.size, dtype=x.dtype)
        out.append(Dual(x, v.astype(x.dtype), c, np.zeros_like(c)))
        start += x.size
    return out


def derivatives(ys, ws, shapes):
    """From output Duals and their weights w: per input, <w, dy/dx> (first),
    d/dx <grad, v> (second) and the scales of both (sums of |terms|)."""
    total = sum(int(np.prod(s)) for s in shapes)
    first, second, s1, s2 = (np.zeros(total, ys[0].a.dtype) for _ in range(4))
    for y, w in zip(ys, ws):
        w = w.astype(y.a.dtype)
        axes = tuple(range(1, y.c.ndim))
        first = first + np.sum(y.c * w, axis=axes)
        second = second + np.sum(y.d * w, axis=axes)
        s1 = s1 + np.sum(y.m[2] * np.abs(w), axis=axes)
        s2 = s2 + np.sum(y.m[3] * np.abs(w), axis=axes)
    out, start = [], 0
    for s in shapes:
        n = int(np.prod(s))
        out.append(tuple(v[start:start + n].reshape(s) for v in (first, second, s1, s2)))
        start += n
    return out


# -- the references -------------------------------------------------------------------

def gates_interleaved(x, n):
    """Chainer's LSTM layout: gate k of unit u at column n u + k."""
    r = x.reshape((x.shape[0], x.shape[1] // n, n) + x.shape[2:])
    return [r[:, :, k] for k in range(n)]


def gates_blocked(x, n):
    u = x.shape[1] // n
    return [x[:, k * u:(k + 1) * u] for k in range(n)]


def lstm(c_prev, x):
    batch = x.shape[0]
    a, i, f, o = gates_interleaved(x, 4)
    c = tanh(a) * sigmoid(i) + sigmoid(f) * c_prev[:batch]
    h = sigmoid(o) * tanh(c)
    if batch < c_prev.shape[0]:
        c = concat([c, c_prev[batch:]], 0)
    return c, h


def slstm(c1, c2, x1, x2):
    a1, i1, f1, o1 = gates_interleaved(x1, 4)
    a2, i2, f2, o2 = gates_interleaved(x2, 4)
    c = tanh(a1) * sigmoid(i1) + tanh(a2) * sigmoid(i2) + sigmoid(f1) * c1 + sigmoid(f2) * c2
    return c, sigmoid(o1 + o2) * tanh(c)


def tree_lstm(*args):
    cs, x = args[:-1], args[-1]
    g = gates_blocked(x, 3 + len(cs))
    c = tanh(g[0]) * sigmoid(g[1])
    for f, ck in zip(g[3:], cs):
        c = c + sigmoid(f) * ck
    return c, sigmoid(g[2]) * tanh(c)


def bilinear(e1, e2, W, V1=None, V2=None, b=None):
    n = e1.shape[0]
    e1 = e1.reshape((n, -1) if not isinstance(e1, Dual) else (n, int(np.prod(e1.shape[1:]))))
    e2 = e2.reshape((n, -1) if not isinstance(e2, Dual) else (n, int(np.prod(e2.shape[1:]))))
    j, k, out = W.shape
    outer = (e1.reshape((n, j, 1)) * e2.reshape((n, 1, k))).reshape((n, j * k))
    y = outer @ W.reshape((j * k, out))
    if V1 is not None:
        y = y + e1 @ V1 + e2 @ V2 + b
    return y


def _linear(x, w, b):
    return x @ w.T + b


def _step(kind, activation, x, h, c, w, b):
    """One step of one layer, in Chainer's weight layout."""
    if kind == "rnn":
        pre = _linear(x, w[0], b[0]) + _linear(h, w[1], b[1])
        return (tanh(pre) if activation == "tanh" else relu(pre)), None
    if kind == "gru":
        r = sigmoid(_linear(x, w[0], b[0]) + _linear(h, w[3], b[3]))
        z = sigmoid(_linear(x, w[1], b[1]) + _linear(h, w[4], b[4]))
        h_bar = tanh(_linear(x, w[2], b[2]) + r * _linear(h, w[5], b[5]))
        return (1 - z) * h_bar + z * h, None
    i = sigmoid(_linear(x, w[0], b[0]) + _linear(h, w[4], b[4]))
    f = sigmoid(_linear(x, w[1], b[1]) + _linear(h, w[5], b[5]))
    a = tanh(_linear(x, w[2], b[2]) + _linear(h, w[6], b[6]))
    o = sigmoid(_linear(x, w[3], b[3]) + _linear(h, w[7], b[7]))
    c = f * c + i * a
    return o * tanh(c), c


def n_step(kind, n_layers, hx, cx, ws, bs, xs, bi=False, activation="tanh"):
    """Stacked RNN over time-major xs: each step updates the rows of the
    sequences still running (h[:B_t]); returns (hy, cy, ys)."""
    dirs = 2 if bi else 1
    hy, cy = [], []
    for layer in range(n_layers):
        outs = []
        for d in range(dirs):
            idx = layer * dirs + d
            h = hx[idx]
            c = cx[idx] if cx is not None else None
            out = [None] * len(xs)
            for t in (reversed(range(len(xs))) if d else range(len(xs))):
                n = xs[t].shape[0]
                h_new, c_new = _step(kind, activation, xs[t], h[:n],
                                     None if c is None else c[:n], ws[idx], bs[idx])
                h = concat([h_new, h[n:]], 0)
                if c is not None:
                    c = concat([c_new, c[n:]], 0)
                out[t] = h_new
            hy.append(h)
            cy.append(c)
            outs.append(out)
        xs = outs[0] if not bi else [concat([f, b], 1) for f, b in zip(*outs)]
    stack = [h.reshape((1,) + h.shape) for h in hy]
    hy = concat(stack, 0)
    if cx is not None:
        cy = concat([c.reshape((1,) + c.shape) for c in cy], 0)
    else:
        cy = None
    return hy, cy, list(xs)
