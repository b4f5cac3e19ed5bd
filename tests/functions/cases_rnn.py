"""Special points for the recurrent functions and F.bilinear.

Each input row (a batch element) holds one special point (0, -0.0, +-inf,
NaN, huge, tiny) among ordinary values; rows are independent, so a row whose
outputs are finite is where the function is defined, and there the first
and second derivatives must be the closed form. The closed form is computed
with hyper-dual numbers (rnn_reference.Dual) in a wider dtype, exactly;
their term magnitudes give the scale rounding is relative to, and where a
term overflows the test's dtype the derivative may be inf or NaN.

Weights are shared by all rows: their derivatives are checked where every
row is defined (so, at special points, not at all: the special points sit
in the rows of the states and inputs)."""
from __future__ import annotations

import numpy as np

import kusari.functions as F
from tests.functions import rnn_reference as R
from tests.functions.special_cases import DIRECTIONS, WEIGHTS, WIDE, Case, Expected, points

# rounding grows with the depth of the computation: the scale is the sum of
# the terms' magnitudes, times this allowance for the steps they go through
DEPTH = 4.0


def _huge_rows(xs, axes, order):
    """Rows holding an input so large that a product in the dtype overflows
    before a saturated gate's zero meets it: near the dtype's maximum for
    first derivatives (a sum of such products overflows in the forward),
    beyond its square root for second derivatives (they multiply two
    inputs' sizes). There the derivatives may be inf or NaN, as Chainer's
    rules give them too."""
    info = np.finfo(xs[0].dtype)
    limit = info.max / 64 if order == 1 else np.sqrt(info.max)
    n = max(x.shape[a] for x, a in zip(xs, axes) if a is not None)
    huge = np.zeros(n, bool)
    for x, a in zip(xs, axes):
        if a is not None:
            with np.errstate(invalid="ignore"):
                big = np.moveaxis(np.abs(x) > limit, a, 0).reshape(x.shape[a], -1).any(axis=1)
            huge[:x.shape[a]] |= big
    masks = []
    for x, a in zip(xs, axes):
        if a is None:
            masks.append(np.full(x.shape, huge.any()))
        else:
            shape = [1] * x.ndim
            shape[a] = x.shape[a]
            masks.append(np.broadcast_to(huge[:x.shape[a]].reshape(shape), x.shape))
    return masks


def _ordinary(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.5, 1.5, shape).astype(dtype)


def _with_points(shape, dtype, seed, rows, column_stride=1):
    """Ordinary values, with special point k in row rows[k]."""
    x = _ordinary(shape, dtype, seed)
    p = points(dtype)
    flat_cols = int(np.prod(shape[1:]))
    for k, r in enumerate(rows):
        if k < len(p):
            x.reshape(shape[0], -1)[r, (k * column_stride) % flat_cols] = p[k]
    return x


def _dual_case(fn, ref, inputs, batch_inputs, n_outputs_rowwise=None):
    """A Case whose references come from `ref` run on Duals.

    `batch_inputs`: for each input, whether its axis 0 is the batch (rows);
    other inputs (weights) are shared by all rows."""
    def run(xs, ws, vs):
        dtype = xs[0].dtype
        wide = WIDE[dtype]
        with np.errstate(all="ignore"):
            ds = R.duals([x.astype(wide) for x in xs], [v.astype(wide) for v in vs])
            ys = _flat(ref(*ds))
            return R.derivatives(ys, [w.astype(wide) for w in ws], [x.shape for x in xs])

    def expected(index):
        def build(xs, ws, vs):
            dtype = xs[0].dtype
            big = np.finfo(dtype).max
            out = []
            huge = _huge_rows(xs, batch_inputs(xs), index + 1)
            for results, h in zip(run(xs, ws, vs), huge):
                value, scale = results[index], results[index + 2]
                scale = scale * DEPTH
                out.append(Expected(value.astype(dtype), scale.astype(np.float64),
                                    (scale > big) | h))
            return out
        return build

    def defined(xs, ys):
        n = batch_size(xs)
        ok = np.ones(n, bool)
        for y in ys:
            if y.ndim and y.shape[0] == n:
                ok &= np.isfinite(y.reshape(n, -1)).all(axis=1)
            elif y.ndim >= 2 and y.shape[1] == n:       # stacked states (layers, batch, ...)
                ok &= np.isfinite(np.moveaxis(y, 1, 0).reshape(n, -1)).all(axis=1)
            elif y.ndim:                                 # a shorter time step
                m = y.shape[0]
                ok[:m] &= np.isfinite(y.reshape(m, -1)).all(axis=1)
        masks = []
        for x, rowwise in zip(xs, batch_inputs(xs)):
            if rowwise is None:                          # shared: defined if all rows are
                masks.append(np.full(x.shape, ok.all()))
            else:
                axis = rowwise
                m = ok[:x.shape[axis]]
                shape = [1] * x.ndim
                shape[axis] = x.shape[axis]
                masks.append(np.broadcast_to(m.reshape(shape), x.shape))
        return masks

    def batch_size(xs):
        return max(x.shape[a] for x, a in zip(xs, batch_inputs(xs)) if a is not None)

    return Case(fn, inputs, expected(0), expected(1), defined, ws=WEIGHTS, vs=DIRECTIONS)


def _flat(ys):
    out = []
    for y in (ys if isinstance(ys, (tuple, list)) else (ys,)):
        if isinstance(y, (tuple, list)):
            out += list(y)
        elif y is not None:
            out.append(y)
    return out


# -- per function ----------------------------------------------------------------------

def _n_rows(dtype):
    return len(points(dtype))


def _lstm_inputs(dt):
    n = _n_rows(dt)
    rows = range(n)
    c = _with_points((2 * n, 2), dt, 0, [n + r for r in rows])
    x = _with_points((2 * n, 8), dt, 1, list(rows), column_stride=3)
    return [c, x]


def _slstm_inputs(dt):
    n = _n_rows(dt)
    return [_with_points((n, 2), dt, 2, range(n)), _ordinary((n, 2), dt, 3),
            _ordinary((n, 8), dt, 4), _with_points((n, 8), dt, 5, range(n), 5)]


def _tree_inputs(dt):
    n = _n_rows(dt)
    return [_with_points((n, 2), dt, 6, range(n)), _ordinary((n, 2), dt, 7),
            _with_points((n, 10), dt, 8, range(n), 3)]


def _rows_first(xs):
    return [0] * len(xs)


def _bilinear_inputs(dt):
    n = _n_rows(dt)
    return [_with_points((n, 2), dt, 9, range(n)), _ordinary((n, 3), dt, 10),
            _ordinary((2, 3, 2), dt, 11), _ordinary((2, 2), dt, 12),
            _ordinary((3, 2), dt, 13), _ordinary((2,), dt, 14)]


N_WEIGHTS = {"lstm": 8, "gru": 6, "rnn": 2}


def _n_step_case(kind, bi, fn):
    """One layer, one time step (shorter than the states' batch: the rest
    passes through); special points in the rows of the states and of the
    input. Variable lengths over several steps are checked by finite
    differences in test_rnn.py; here the second derivatives' graph stays
    small."""
    nw = N_WEIGHTS[kind]
    dirs = 2 if bi else 1
    n_states = 2 if kind == "lstm" else 1

    def inputs(dt):
        n = _n_rows(dt)
        states = [_with_points((dirs, n, 2), dt, 20 + s, []) for s in range(n_states)]
        for s, st in enumerate(states):        # points in each state's rows
            p = points(dt)
            for k in range(n):
                st[k % dirs, k, (k + s) % 2] = p[k]
        xs = [_with_points((n - 2, 2), dt, 23, range(n - 2), 1)]
        ws = [_ordinary((2, 2), dt, 30 + i) * 0.7 for i in range(nw * dirs)]
        bs = [_ordinary((2,), dt, 60 + i) for i in range(nw * dirs)]
        return states + xs + ws + bs

    def split(args):
        states, xs = list(args[:n_states]), list(args[n_states:n_states + 1])
        rest = args[n_states + 1:]
        half = len(rest) // 2
        ws = [list(rest[i:i + nw]) for i in range(0, half, nw)]
        bs = [list(rest[half + i:half + i + nw]) for i in range(0, half, nw)]
        return states, xs, ws, bs

    def f(*args):
        states, xs, ws, bs = split(args)
        out = fn(1, 0.0, *states, ws, bs, xs)
        return _flat(out)

    def ref(*args):
        states, xs, ws, bs = split(args)
        cx = states[1] if kind == "lstm" else None
        hy, cy, ys = R.n_step(kind, 1, states[0], cx, ws, bs, xs, bi)
        return _flat([hy, cy, ys])

    def batch_axes(xs):
        return [1] * n_states + [0] + [None] * (len(xs) - n_states - 1)

    return _dual_case(f, ref, inputs, batch_axes)


CASES = {
    "lstm": _dual_case(F.lstm, R.lstm, _lstm_inputs, _rows_first),
    "slstm": _dual_case(F.slstm, R.slstm, _slstm_inputs, _rows_first),
    "tree_lstm": _dual_case(F.tree_lstm, R.tree_lstm, _tree_inputs, _rows_first),
    "bilinear": _dual_case(F.bilinear, R.bilinear, _bilinear_inputs,
                           lambda xs: [0, 0, None, None, None, None]),
    "n_step_lstm": _n_step_case("lstm", False, F.n_step_lstm),
    "n_step_bilstm": _n_step_case("lstm", True, F.n_step_bilstm),
    "n_step_gru": _n_step_case("gru", False, F.n_step_gru),
    "n_step_bigru": _n_step_case("gru", True, F.n_step_bigru),
    "n_step_rnn": _n_step_case("rnn", False, F.n_step_rnn),
    "n_step_birnn": _n_step_case("rnn", True, F.n_step_birnn),
}
