"""Recurrent functions and F.bilinear: forward against the NumPy references of
rnn_reference.py, first and second derivatives against finite differences,
Chainer's errors, and the LSTM step's gate math fusing under kusari.jit."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari.compiler.errors import InvalidType
from kusari.compiler.fusion import fuse
from kusari.compiler.passes import optimize
from tests.functions import rnn_reference as R
from tests.helpers import check_all, check_double_grad, check_forward, check_grad

COVERS = {
    "lstm": "test_lstm",
    "slstm": "test_slstm",
    "tree_lstm": "test_tree_lstm",
    "n_step_lstm": "test_n_step_lstm",
    "n_step_bilstm": "test_n_step_lstm",
    "n_step_gru": "test_n_step_gru",
    "n_step_bigru": "test_n_step_gru",
    "n_step_rnn": "test_n_step_rnn",
    "n_step_birnn": "test_n_step_rnn",
    "bilinear": "test_bilinear",
}

FLOATS = [np.float16, np.float32, np.float64]


def uniform(rng, shape, dtype, low=-1.0, high=1.0):
    return rng.uniform(low, high, shape).astype(dtype)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("c_shape,x_shape", [
    ((3, 2), (3, 8)),          # one step
    ((4, 2), (2, 8)),          # shorter batch: c[2:] passes through
    ((2, 2, 3), (2, 8, 3)),    # trailing axes
    ((3, 2), (0, 8)),          # empty batch
])
def test_lstm(c_shape, x_shape, dtype):
    rng = np.random.default_rng(0)
    arrays = [uniform(rng, c_shape, dtype), uniform(rng, x_shape, dtype, -2, 2)]
    check_all(F.lstm, R.lstm, arrays, dtype)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_slstm(dtype):
    rng = np.random.default_rng(1)
    arrays = [uniform(rng, (2, 3), dtype), uniform(rng, (2, 3), dtype),
              uniform(rng, (2, 12), dtype, -2, 2), uniform(rng, (2, 12), dtype, -2, 2)]
    check_all(F.slstm, R.slstm, arrays, dtype)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("n_ary", [1, 3])
def test_tree_lstm(n_ary, dtype):
    rng = np.random.default_rng(2)
    cs = [uniform(rng, (2, 2), dtype) for _ in range(n_ary)]
    x = uniform(rng, (2, 2 * (3 + n_ary)), dtype, -2, 2)
    check_all(F.tree_lstm, R.tree_lstm, cs + [x], dtype)


# -- n-step functions ---------------------------------------------------------------

N_WEIGHTS = {"lstm": 8, "gru": 6, "rnn": 2}


def n_step_arrays(kind, dtype, n_layers, bi, batches, in_size=2, units=2, seed=3,
                  hx_batch=None):
    """hx (, cx), xs, then the weights and biases, flat, in Chainer's layout."""
    rng = np.random.default_rng(seed)
    dirs = 2 if bi else 1
    nw = N_WEIGHTS[kind]
    hx_batch = batches[0] if hx_batch is None else hx_batch
    states = [uniform(rng, (n_layers * dirs, hx_batch, units), dtype)
              for _ in range(2 if kind == "lstm" else 1)]
    xs = [uniform(rng, (b, in_size), dtype) for b in batches]
    ws, bs = [], []
    for layer in range(n_layers):
        for _ in range(dirs):
            x_in = in_size if layer == 0 else units * dirs
            ws += [uniform(rng, (units, x_in if j < nw // 2 else units), dtype)
                   for j in range(nw)]
            bs += [uniform(rng, (units,), dtype) for _ in range(nw)]
    return states, xs, ws, bs


def n_step_fns(kind, n_layers, bi, n_states, n_xs, activation="tanh"):
    """(kusari function, NumPy reference) on the flat arrays, outputs flat."""
    nw = N_WEIGHTS[kind]

    def split(args):
        states, rest = list(args[:n_states]), args[n_states:]
        xs, rest = list(rest[:n_xs]), rest[n_xs:]
        half = len(rest) // 2
        ws = [list(rest[i:i + nw]) for i in range(0, half, nw)]
        bs = [list(rest[half + i:half + i + nw]) for i in range(0, half, nw)]
        return states, xs, ws, bs

    def f(*args):
        states, xs, ws, bs = split(args)
        if kind == "lstm":
            fn = F.n_step_bilstm if bi else F.n_step_lstm
            hy, cy, ys = fn(n_layers, 0.0, states[0], states[1], ws, bs, xs)
            return (hy, cy) + tuple(ys)
        if kind == "gru":
            fn = F.n_step_bigru if bi else F.n_step_gru
            hy, ys = fn(n_layers, 0.0, states[0], ws, bs, xs)
        else:
            fn = F.n_step_birnn if bi else F.n_step_rnn
            hy, ys = fn(n_layers, 0.0, states[0], ws, bs, xs, activation=activation)
        return (hy,) + tuple(ys)

    def ref(*args):
        states, xs, ws, bs = split(args)
        cx = states[1] if kind == "lstm" else None
        hy, cy, ys = R.n_step(kind, n_layers, states[0], cx, ws, bs, xs, bi, activation)
        return ((hy, cy) if kind == "lstm" else (hy,)) + tuple(ys)
    return f, ref


def check_n_step(kind, dtype, n_layers, bi, batches, activation="tanh", second=True,
                 hx_batch=None):
    states, xs, ws, bs = n_step_arrays(kind, dtype, n_layers, bi, batches,
                                       hx_batch=hx_batch)
    f, ref = n_step_fns(kind, n_layers, bi, len(states), len(xs), activation)
    arrays = states + xs + ws + bs
    check_forward(f, ref, arrays, dtype)
    check_grad(f, arrays, dtype)
    if second:
        # second derivatives along the states, the first input, and a weight
        # and a bias of the first and of the last layer (the rest held fixed:
        # finite differences of every weight would take minutes)
        n = len(states)
        free = list(range(n + 1)) + [n + len(xs), n + len(xs) + len(ws) - 1,
                                     n + len(xs) + len(ws), len(arrays) - 1]

        def sub(*vs):
            full = list(arrays)
            for i, v in zip(free, vs):
                full[i] = v
            return f(*full)
        check_double_grad(sub, [arrays[i] for i in free], dtype)


N_STEP_CASES = [
    # (n_layers, bi, batches, hx batch)
    (1, False, (3, 2, 2, 1), None),     # ends at different steps
    (2, True, (2, 1), 3),               # bi-directional, stacked; hx has a spare row
]


def _n_step(kind, dtype, layers, bi, batches, hx_batch, activation="tanh"):
    # second derivatives by finite differences in float64 (the first ones in
    # every dtype): enough to pin the loop, and fast
    check_n_step(kind, dtype, layers, bi, batches, activation,
                 second=dtype == np.float64, hx_batch=hx_batch)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("layers,bi,batches,hx_batch", N_STEP_CASES)
def test_n_step_lstm(layers, bi, batches, hx_batch, dtype):
    """F.n_step_lstm and F.n_step_bilstm."""
    _n_step("lstm", dtype, layers, bi, batches, hx_batch)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("layers,bi,batches,hx_batch", N_STEP_CASES)
def test_n_step_gru(layers, bi, batches, hx_batch, dtype):
    """F.n_step_gru and F.n_step_bigru."""
    _n_step("gru", dtype, layers, bi, batches, hx_batch)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("layers,bi,batches,hx_batch", N_STEP_CASES)
def test_n_step_rnn(layers, bi, batches, hx_batch, dtype, activation):
    """F.n_step_rnn and F.n_step_birnn."""
    _n_step("rnn", dtype, layers, bi, batches, hx_batch, activation)


def test_n_step_dropout_draws_as_chainer():
    """Layers after the first see their inputs through dropout, one mask per
    direction drawn over the time steps in order (Chainer's draws), so a
    seed gives Chainer's numbers; outside training nothing is dropped."""
    states, xs, ws, bs = n_step_arrays("rnn", np.float64, 2, True, (2, 1), seed=4)
    f, ref = n_step_fns("rnn", 2, True, 1, len(xs))
    nw = 2
    wl = [ws[i:i + nw] for i in range(0, len(ws), nw)]
    bl = [bs[i:i + nw] for i in range(0, len(bs), nw)]
    np.random.seed(7)
    with kusari.using_config("train", True):
        hy, ys = F.n_step_birnn(2, 0.3, states[0], wl, bl, xs)
    np.random.seed(7)
    rng_masks = []
    layer1 = R.n_step("rnn", 1, states[0][:2], None, wl[:2], bl[:2], xs, True)[2]
    for _ in range(2):
        rng_masks.append([(np.random.rand(*y.shape) >= 0.3) / 0.7 for y in layer1])
    h0 = states[0][2:]
    fwd = R.n_step("rnn", 1, h0[:1], None, wl[2:3], bl[2:3],
                   [y * m for y, m in zip(layer1, rng_masks[0])])
    bwd = R.n_step("rnn", 1, h0[1:], None, wl[3:4], bl[3:4],
                   [y * m for y, m in zip(layer1, rng_masks[1])][::-1])
    want = [np.concatenate([a, b], 1) for a, b in zip(fwd[2], bwd[2][::-1])]
    for got, w in zip(ys, want):
        np.testing.assert_allclose(got.array, w, rtol=1e-12)
    with kusari.using_config("train", False):
        hy, ys = F.n_step_birnn(2, 0.3, states[0], wl, bl, xs)
    np.testing.assert_allclose(hy.array, ref(*(states + xs + ws + bs))[0], rtol=1e-12)


def test_n_step_errors():
    states, xs, ws, bs = n_step_arrays("lstm", np.float32, 1, False, (2, 1))
    wl, bl = [ws], [bs]
    hx, cx = states
    with pytest.raises(ValueError, match="train argument is not supported"):
        F.n_step_lstm(1, 0.0, hx, cx, wl, bl, xs, train=True)
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        F.n_step_gru(1, 0.0, hx, [ws[:6]], [bs[:6]], xs, bogus=1)
    with pytest.raises(ValueError, match="Inconsistent input size"):
        F.n_step_lstm(1, 0.0, hx, cx, wl, bl, [np.ones((2, 5), np.float32)])
    with pytest.raises(ValueError, match="sorted by decreasing batch size"):
        F.n_step_lstm(1, 0.0, hx, cx, wl, bl, xs[::-1])
    with pytest.raises(ValueError, match="hx must have shape"):
        F.n_step_lstm(2, 0.0, hx, cx, wl, bl, xs)
    with pytest.raises(ValueError, match="need 8 entries"):
        F.n_step_lstm(1, 0.0, hx, cx, [ws[:7]], bl, xs)
    with pytest.raises(ValueError, match="Invalid activation"):
        F.n_step_rnn(1, 0.0, hx, [ws[:2]], [bs[:2]], xs, activation="sigmoid")


def test_lstm_errors():
    c = np.zeros((3, 2), np.float32)
    with pytest.raises(InvalidType, match=r"x.shape\[1\] == 4 \* c.shape\[1\]"):
        F.lstm(c, np.zeros((3, 7), np.float32))
    with pytest.raises(InvalidType, match=r"x.shape\[0\] <= c.shape\[0\]"):
        F.lstm(c, np.zeros((4, 8), np.float32))
    with pytest.raises(InvalidType, match="x.dtype == c.dtype"):
        F.lstm(c, np.zeros((3, 8), np.float64))
    with pytest.raises(InvalidType, match="c.dtype.kind == f"):
        F.lstm(c.astype(np.int32), np.zeros((3, 8), np.int32))
    with pytest.raises(InvalidType, match="Invalid operation is performed in: SLSTM"):
        F.slstm(c, c, np.zeros((3, 8), np.float32), np.zeros((2, 8), np.float32))
    with pytest.raises(InvalidType, match=r"x.shape\[1\] == 5 \* c1.shape\[1\]"):
        F.tree_lstm(c, c, np.zeros((3, 8), np.float32))


# -- bilinear -------------------------------------------------------------------

@pytest.mark.parametrize("dt", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("shapes", [((2,), (3,)), ((2, 1), (2, 2))])
def test_bilinear(shapes, full, dt):
    """Chainer takes float32 only; kusari computes every float dtype in it."""
    rng = np.random.default_rng(5)
    j, k, out = int(np.prod(shapes[0])), int(np.prod(shapes[1])), 2
    arrays = [uniform(rng, (3,) + shapes[0], dt), uniform(rng, (3,) + shapes[1], dt),
              uniform(rng, (j, k, out), dt)]
    if full:
        arrays += [uniform(rng, (j, out), dt), uniform(rng, (k, out), dt),
                   uniform(rng, (out,), dt)]
    check_all(F.bilinear, R.bilinear, arrays, dt)


def test_bilinear_errors():
    e1, e2 = np.ones((2, 3), np.float32), np.ones((2, 4), np.float32)
    W = np.ones((3, 4, 5), np.float32)
    with pytest.raises(ValueError, match="must be None, if at least one"):
        F.bilinear(e1, e2, W, np.ones((3, 5), np.float32))
    with pytest.raises(InvalidType, match="e2.dtype == e1.dtype"):
        F.bilinear(e1.astype(np.float64), e2, W)
    with pytest.raises(InvalidType, match="e1.dtype.kind == f"):
        F.bilinear(e1.astype(np.int32), e2.astype(np.int32), W.astype(np.int32))
    with pytest.raises(InvalidType, match=r"prod\(e2.shape\[1:\]\) == W.shape\[1\]"):
        F.bilinear(e1, np.ones((2, 5), np.float32), W)
    with pytest.raises(InvalidType, match="e1.shape\\[0\\] == e2.shape\\[0\\]"):
        F.bilinear(e1, np.ones((3, 4), np.float32), W)
    with pytest.raises(InvalidType, match="b.shape\\[0\\] == W.shape\\[2\\]"):
        F.bilinear(e1, e2, W, np.ones((3, 5), np.float32), np.ones((4, 5), np.float32),
                   np.ones(4, np.float32))


# -- compiled ---------------------------------------------------------------------

def test_lstm_step_gate_math_fuses_under_jit():
    """A traced LSTM step: the gate math after the projections is one kernel."""
    def step(c, x, h, W, U):
        return F.lstm(c, F.linear(x, W) + F.linear(h, U))
    shapes = [(8, 4), (8, 5), (8, 4), (16, 5), (16, 4)]
    g = kusari.trace(step, *[np.ones(s, np.float32) for s in shapes])
    optimize(g)
    gate_ops = {"tanh", "sigmoid", "mul"}
    kernels = [k for k in fuse(g) if any(g.op(n) in gate_ops for n in k.nodes)]
    assert len(kernels) == 1 and kernels[0].kind == "elementwise"
    ops = [g.op(n) for n in kernels[0].nodes]
    assert ops.count("sigmoid") == 3 and ops.count("tanh") == 2

    rng = np.random.default_rng(6)
    arrays = [uniform(rng, s, np.float32) for s in shapes]
    jitted = kusari.jit(step)
    for _ in range(2):
        c, h = (np.asarray(getattr(v, "array", v)) for v in jitted(*arrays))
        want_c, want_h = R.lstm(arrays[0], arrays[1] @ arrays[3].T + arrays[2] @ arrays[4].T)
        np.testing.assert_allclose(c, want_c, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(h, want_h, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("x_batch", [3, 2])
def test_lstm_grad_classes_are_the_backward(x_batch):
    """Chainer's LSTMGrad and SLSTMGrad (reached as attributes of F.lstm and
    F.slstm, where Chainer's tests find them): given the real new cell state
    they give what backward() gives."""
    from kusari.functions.rnn.lstm import LSTMGrad
    from kusari.functions.rnn.slstm import SLSTMGrad
    assert F.lstm.LSTMGrad is LSTMGrad and F.slstm.SLSTMGrad is SLSTMGrad
    rng = np.random.default_rng(8)
    c0 = kusari.Variable(uniform(rng, (3, 2, 2), np.float64))
    x = kusari.Variable(uniform(rng, (x_batch, 8, 2), np.float64, -2, 2))
    gc, gh = uniform(rng, (3, 2, 2), np.float64), uniform(rng, (x_batch, 2, 2), np.float64)
    c, h = F.lstm(c0, x)
    kusari.backward([c, h], [kusari.Variable(gc), kusari.Variable(gh)])
    gc0, gx = LSTMGrad()(c0.array, x.array, c.array, gc, gh)
    np.testing.assert_allclose(gc0.array, c0.grad, rtol=1e-12)
    np.testing.assert_allclose(gx.array, x.grad, rtol=1e-12)
    _, gx_h_only = LSTMGrad()(c0.array, x.array, c.array, None, gh)
    c0.cleargrad(), x.cleargrad()
    c, h = F.lstm(c0, x)
    h.grad = gh
    h.backward()
    np.testing.assert_allclose(gx_h_only.array, x.grad, rtol=1e-12)

    cs = [kusari.Variable(uniform(rng, (3, 2), np.float64)) for _ in range(2)]
    xs = [kusari.Variable(uniform(rng, (3, 8), np.float64, -2, 2)) for _ in range(2)]
    c, h = F.slstm(*cs, *xs)
    gc, gh = uniform(rng, (3, 2), np.float64), uniform(rng, (3, 2), np.float64)
    kusari.backward([c, h], [kusari.Variable(gc), kusari.Variable(gh)])
    got = SLSTMGrad()(*[v.array for v in cs + xs], c.array, gc, gh)
    for g, v in zip(got, cs + xs):
        np.testing.assert_allclose(g.array, v.grad, rtol=1e-12)
