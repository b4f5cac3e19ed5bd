"""Lowering: programs compute what NumPy and the equivalent Python compute."""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.grammar.errors import KsrError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def rand(*shape, seed=0, dtype=np.float32, lo=-1.0, hi=1.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape).astype(dtype)


def eager_grads(f, arrays, wrt):
    """Gradients of sum(f(*Variables)) via eager backward (the reference)."""
    vs = [Variable(a.copy()) for a in arrays]
    y = f(*vs)
    F.sum(y).backward()
    return [vs[i].grad for i in wrt]


# -- the examples -------------------------------------------------------------------

def test_quickstart():
    m = kusari.load(EXAMPLES / "quickstart.ksr")
    x = np.array([5.0], np.float32)
    np.testing.assert_array_equal(m.f(x), [16.0])
    np.testing.assert_array_equal(m.df(x), [8.0])
    np.testing.assert_array_equal(m.d2f(x), [2.0])
    c = np.array([[0, 2, 3], [4, 5, 6]], np.float32)
    np.testing.assert_array_equal(m.dcube(c), 3 * c ** 2)
    np.testing.assert_array_equal(m.d2cube(c), 6 * c)
    np.testing.assert_array_equal(m.d3cube(c), np.full((2, 3), 6.0))
    outs = m.main()
    assert [o.tolist() for o in outs[:3]] == [[16.0], [8.0], [2.0]]
    assert outs[0].dtype == np.float32


def mlp_params(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 0.5, (8, 4)).astype(np.float32), rng.normal(0, 0.1, 8).astype(np.float32),
            rng.normal(0, 0.5, (3, 8)).astype(np.float32), rng.normal(0, 0.1, 3).astype(np.float32)]


def py_loss(x, t, W1, b1, W2, b2):
    return F.softmax_cross_entropy(F.linear(F.relu(F.linear(x, W1, b1)), W2, b2), t)


def test_mlp_matches_the_python_model():
    m = kusari.load(EXAMPLES / "mlp.ksr")
    x, t = rand(16, 4, seed=1), np.random.default_rng(2).integers(0, 3, 16).astype(np.int32)
    params = mlp_params()
    np.testing.assert_allclose(m.loss(x, t, *params), py_loss(x, t, *params).array,
                               rtol=1e-6)
    want = eager_grads(lambda W1, b1, W2, b2: py_loss(x, t, W1, b1, W2, b2), params,
                       range(4))
    for got, w in zip(m.dloss(x, t, *params), want):
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-7)
    for got, p, g in zip(m.sgd(x, t, *params), params, want):
        np.testing.assert_allclose(got, p - 0.1 * g, rtol=1e-5, atol=1e-7)
    loss, acc = m.evaluate(x, t, *params)
    logits = F.linear(F.relu(F.linear(x, params[0], params[1])), params[2], params[3]).array
    np.testing.assert_allclose(acc, np.mean(logits.argmax(axis=1) == t), rtol=1e-7)


def test_features_match_numpy():
    m = kusari.load(EXAMPLES / "features.ksr")
    x = rand(6, 3, seed=3) * 4
    mu, sd = x.mean(axis=0), np.sqrt(((x - x.mean(axis=0)) ** 2).mean(axis=0) + 1e-6)
    np.testing.assert_allclose(m.standardize(x), (x - mu) / sd, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.clip_outliers(x, np.float32(1.5)), np.clip(x, -1.5, 1.5))
    rows = np.array([2, 0, 2], np.int32)
    np.testing.assert_array_equal(m.pick(x, rows), x[rows, 1:])
    np.testing.assert_allclose(m.normalize_rows(x),
                               x / np.sqrt((x * x).sum(axis=1, keepdims=True)), rtol=1e-6)
    mx, am = m.row_max(x)
    np.testing.assert_array_equal(mx, x.max(axis=1))
    np.testing.assert_array_equal(am, x.argmax(axis=1))

    def py_score(v):
        mu = F.mean(v, axis=0)
        sd = F.sqrt(F.mean((v - mu) ** 2, axis=0) + 1e-6)
        z = (v - mu) / sd
        c = F.where(F.greater(z, 1.5), np.full(z.shape, 1.5, np.float32),
                    F.where(F.less(z, -1.5), np.full(z.shape, -1.5, np.float32), z))
        return F.sum(c * v)
    (want,) = eager_grads(py_score, [x], [0])
    np.testing.assert_allclose(m.d_robust_score(x), want, rtol=1e-4, atol=1e-5)


# -- every built-in ---------------------------------------------------------------------

UNARY = ["exp", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt", "square", "abs",
         "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
         "relu", "sigmoid", "softplus", "swish", "leaky_relu", "elu"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_builtins(name):
    fn = {"abs": F.absolute}.get(name) or getattr(F, name)
    m = kusari.loads(f"def f(x: f32[N]) = {name}(x)\ndef df = grad(f)\n"
                     f"def d2f = grad(df)")
    x = rand(7, seed=4, lo=0.2, hi=0.9)
    np.testing.assert_allclose(m.f(x), fn(x).array, rtol=1e-6)
    (want,) = eager_grads(fn, [x], [0])
    np.testing.assert_allclose(m.df(x), want, rtol=1e-5, atol=1e-7)
    v = Variable(x)
    g, = kusari.grad([F.sum(fn(v))], [v], enable_double_backprop=True)
    gg, = kusari.grad([F.sum(g)], [v])
    want2 = np.zeros_like(x) if gg is None else gg.array   # piecewise linear: none flows
    np.testing.assert_allclose(m.d2f(x), want2, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("call,ref", [
    ("sum(x, axis=1)", lambda x: x.sum(axis=1)),
    ("mean(x, axis=0, keepdims=true)", lambda x: x.mean(axis=0, keepdims=True)),
    ("max(x)", lambda x: x.max()),
    ("min(x, axis=[0, 1])", lambda x: x.min(axis=(0, 1))),
    ("prod(x, axis=1)", lambda x: x.prod(axis=1)),
    ("logsumexp(x, axis=1)", lambda x: np.log(np.exp(x).sum(axis=1))),
    ("softmax(x)", lambda x: np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)),
    ("log_softmax(x, axis=0)", lambda x: x - np.log(np.exp(x).sum(axis=0))),
    ("reshape(x, [4, -1])", lambda x: x.reshape(4, -1)),
    ("transpose(x, [1, 0])", lambda x: x.T),
    ("broadcast_to(x[0], [5, 3])", lambda x: np.broadcast_to(x[0], (5, 3))),
    ("expand_dims(x, 1)", lambda x: x[:, None]),
    ("squeeze(x[:, :1])", lambda x: x[:, 0]),
    ("flatten(x)", lambda x: x.ravel()),
    ("concat([x, x * 2], axis=0)", lambda x: np.concatenate([x, x * 2])),
    ("stack([x, -x])", lambda x: np.stack([x, -x])),
    ("x @ transpose(x)", lambda x: x @ x.T),
    ("matmul(x, ones([3, 2], f32))", lambda x: x @ np.ones((3, 2), np.float32)),
    ("maximum(x, 0.1) + minimum(x, 0.3)", lambda x: np.maximum(x, 0.1) + np.minimum(x, .3)),
    ("clip(x, -0.2, 0.2)", lambda x: np.clip(x, -0.2, 0.2)),
    ("where(x > 0, x, -x)", np.abs),
    ("x if x > 0 else 0.5 * x", lambda x: np.where(x > 0, x, 0.5 * x)),
    ("x[1:3, ::2] * x.shape[0]", lambda x: x[1:3, ::2] * 4),
    ("x[..., None][:, 0, 0]", lambda x: x[:, 0]),
    ("astype(x, f64)", lambda x: x.astype(np.float64)),
    ("x + full([4, 3], 2.0, f32) + arange(3, dtype=f32)",
     lambda x: x + 2 + np.arange(3)),
    ("sign(x) * floor(x * 3) + ceil(x)", lambda x: np.sign(x) * np.floor(x * 3) + np.ceil(x)),
])
def test_array_builtins(call, ref):
    m = kusari.loads(f"def f(x: f32[4, 3]) = {call}")
    x = rand(4, 3, seed=5)
    out = m.f(x)
    want = ref(x)
    assert out.shape == np.shape(want)
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)


def test_argmax_accuracy_and_losses():
    m = kusari.loads(textwrap.dedent("""
        def am(x: f32[N, C]) = (argmax(x, axis=1), argmin(x))
        def acc(y: f32[N, C], t: i32[N]) = accuracy(y, t)
        def mse(a: f32[N, C], b: f32[N, C]) = mean_squared_error(a, b)
        def sce(y: f32[N, C], t: i32[N]) = softmax_cross_entropy(y, t)
        def dsce = grad(sce)
        """))
    y, t = rand(5, 3, seed=6), np.array([0, 2, 1, 1, 0], np.int32)
    a, b = m.am(y)
    np.testing.assert_array_equal(a, y.argmax(axis=1))
    assert b == y.argmin()
    np.testing.assert_allclose(m.acc(y, t), np.mean(y.argmax(axis=1) == t), rtol=1e-7)
    np.testing.assert_allclose(m.mse(y, y * 2), np.mean(y ** 2), rtol=1e-6)
    (want,) = eager_grads(lambda v: F.softmax_cross_entropy(v, t), [y], [0])
    np.testing.assert_allclose(m.dsce(y, t), want, rtol=1e-5, atol=1e-7)


def test_value_and_grad_and_grad_of_grad():
    m = kusari.loads(textwrap.dedent("""
        def f(x: f64[N], w: f64[N]) = sum(tanh(x * w))
        def vg = value_and_grad(f, wrt=[w])
        def dx = grad(f, wrt=[x])
        def dxx = grad(dx_sum)
        def dx_sum(x: f64[N], w: f64[N]) = sum(dx(x, w))
        """))
    x, w = rand(4, seed=7, dtype=np.float64), rand(4, seed=8, dtype=np.float64)
    value, gw = m.vg(x, w)
    t = np.tanh(x * w)
    np.testing.assert_allclose(value, t.sum(), rtol=1e-12)
    np.testing.assert_allclose(gw, (1 - t ** 2) * x, rtol=1e-12)
    gx, gw2 = m.dxx(x, w)       # d/dx and d/dw of sum((1 - t^2) w)
    np.testing.assert_allclose(gx, -2 * t * (1 - t ** 2) * w * w, rtol=1e-10)
    np.testing.assert_allclose(gw2, (1 - t ** 2) - 2 * t * (1 - t ** 2) * x * w, rtol=1e-10)


# -- calling from Python ------------------------------------------------------------------

def test_loaded_functions_take_part_in_backward():
    m = kusari.load(EXAMPLES / "mlp.ksr")
    x, t = rand(8, 4, seed=9), np.random.default_rng(10).integers(0, 3, 8).astype(np.int32)
    params = [Variable(p) for p in mlp_params(1)]
    loss = m.loss(Variable(x), t, *params)
    assert isinstance(loss, Variable)
    loss.backward()
    want = eager_grads(lambda *ps: py_loss(x, t, *ps), [p.array for p in params], range(4))
    for p, w in zip(params, want):
        np.testing.assert_allclose(p.grad, w, rtol=1e-5, atol=1e-7)


def test_wrong_arguments_are_reported_at_the_parameter():
    m = kusari.load(EXAMPLES / "quickstart.ksr")
    with pytest.raises(KsrError) as e:
        m.cube(np.ones((3, 3), np.float32))
    assert str(e.value) == (
        f"{EXAMPLES / 'quickstart.ksr'}:10:10: argument `x` of `cube` must be f32[2, 3], "
        "got f32[3, 3]\n    def cube(x: f32[2, 3]) = x ** 3\n             ^")
    with pytest.raises(KsrError, match="must be f32\\[N\\], got f64\\[1\\]"):
        m.f(np.ones(1))
    with pytest.raises(TypeError, match="takes 1 arguments"):
        m.f(np.ones(1, np.float32), np.ones(1, np.float32))


def test_compiled_once_per_shape():
    m = kusari.loads("def f(x: f32[N]) = tanh(x) * 2")
    for n in (3, 3, 4, 4, 3):
        assert m.f(np.ones(n, np.float32)).shape == (n,)
    assert len(m.f._jit._entries) == 2
