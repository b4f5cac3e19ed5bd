"""F.forget (kusari.functions.util.forget): the forward keeps nothing but
its inputs, the backward runs the function again. Values, first and second
derivatives against NumPy and finite differences; parameters of a link it
calls; Chainer's errors; no graph kept between the inputs and the outputs."""
from __future__ import annotations

import functools
import gc
import weakref

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import Variable
from tests.helpers import assert_close, check_all

COVERS = {"forget": "test_forget_values_and_derivatives"}

DTYPES = [np.float16, np.float32, np.float64]


def _f2(a, b):
    return a * F.tanh(b) + a * a, F.exp(a) * b


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_forget_values_and_derivatives(dtype):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (3, 4)).astype(dtype)
    b = rng.uniform(-1, 1, (3, 4)).astype(dtype)
    c = rng.uniform(-1, 1, (1, 4)).astype(dtype)
    # one output
    check_all(lambda x, y: F.forget(lambda u, v: F.sin(u) * v + u, x, y),
              lambda x, y: np.sin(x) * y + x, [a, b], dtype)
    # two outputs, a broadcast operand
    check_all(lambda x, y: F.forget(_f2, x, y),
              lambda x, y: (x * np.tanh(y) + x * x, np.exp(x) * y), [a, c], dtype)


def test_forget_equals_plain_call_third_order():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (2, 3))

    def nth(fn):
        v = Variable(x.copy())
        g = F.sum(fn(v))
        out = []
        for order in range(3):
            g, = kusari.grad([g], [v], enable_double_backprop=True)
            out.append(g.array)
            g = F.sum(g * g)
        return out

    f = lambda u: F.sin(u) * F.exp(u)  # noqa: E731
    for got, want in zip(nth(lambda u: F.forget(f, u)), nth(f)):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_forget_keeps_no_intermediate():
    """Nothing of func's graph outlives the forward: an intermediate
    Variable func made is freed; the output's creator is the forget node."""
    seen = []

    def f(u):
        h = F.exp(u)
        seen.append(weakref.ref(h))
        return h * u

    x = Variable(np.ones((2, 2), np.float32))
    y = F.forget(f, x)
    gc.collect()
    assert seen[0]() is None
    assert y.creator.label == "Forget"
    y.grad = np.ones_like(y.array)
    y.backward()
    assert_close(x.grad, np.e * 2 * np.ones((2, 2)), np.float32)


def test_forget_link_parameters():
    """A lazily initialized link's parameters get the gradients the plain
    call gives them, first and second order."""
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, (4, 3)).astype(np.float32)
    np.random.seed(0)
    link = L.Linear(None, 5)
    xv = Variable(x)
    F.forget(link, xv)                # initializes W (its grad is NaN until cleared)
    assert link.W.shape == (5, 3)
    link.cleargrads()
    y = F.sum(F.tanh(F.forget(link, xv)) ** 2)
    y.backward()
    gw, gx = link.W.grad.copy(), xv.grad.copy()
    link.cleargrads()
    xv.cleargrad()
    F.sum(F.tanh(link(xv)) ** 2).backward()
    assert_close(gw, link.W.grad.astype(np.float64), np.float32)
    assert_close(gx, xv.grad.astype(np.float64), np.float32)

    def second(call):
        xv = Variable(x)
        z = F.tanh(call(xv))
        gx, = kusari.grad([F.sum(z * z)], [xv], enable_double_backprop=True)
        return kusari.grad([F.sum(gx * gx)], [link.W, link.b])

    got = second(lambda v: F.forget(link, v))
    want = second(link)
    for g, w in zip(got, want):
        assert_close(g.array, w.array.astype(np.float64), np.float32)


def test_forget_closure_parameters():
    """Variables a closure reads get their gradients added to their grads
    (Chainer's behaviour); a recorded backward through them is refused
    with a message naming them, never a wrong second derivative."""
    w = Variable(np.array([2.0, 3.0]))
    x = Variable(np.array([1.0, -1.0]))
    y = F.forget(lambda u: u * w, x)
    F.sum(y).backward()
    np.testing.assert_array_equal(w.grad, [1.0, -1.0])
    np.testing.assert_array_equal(x.grad, [2.0, 3.0])
    y = F.forget(lambda u: u * w, x)
    with pytest.raises(RuntimeError, match=r"reads 1 more \(float64\[2\]\)"):
        kusari.grad([F.sum(y)], [x], enable_double_backprop=True)


def test_forget_batch_normalization_statistics_updated_once():
    np.random.seed(0)
    x = np.random.uniform(-1, 1, (4, 3)).astype(np.float32)
    a, b = L.BatchNormalization(3), L.BatchNormalization(3)
    ya = a(Variable(x), finetune=True)
    ya.grad = np.ones_like(ya.array)
    ya.backward()
    yb = F.forget(functools.partial(b, finetune=True), Variable(x))
    yb.grad = np.ones_like(yb.array)
    yb.backward()
    assert a.N == b.N == 1
    np.testing.assert_allclose(a.avg_mean, b.avg_mean, rtol=1e-6)


def test_forget_under_jit():
    x = np.linspace(-1, 1, 6).reshape(2, 3)

    @kusari.jit
    def step(v):
        y = F.forget(lambda u: F.sin(u) * u, v)
        g, = kusari.grad([F.sum(y)], [v], enable_double_backprop=True)
        gg, = kusari.grad([F.sum(g)], [v])
        return y, g, gg

    y, g, gg = step(Variable(x))
    np.testing.assert_allclose(y.array, np.sin(x) * x)
    np.testing.assert_allclose(g.array, np.cos(x) * x + np.sin(x))
    np.testing.assert_allclose(gg.array, 2 * np.cos(x) - np.sin(x) * x)


def test_forget_errors():
    v = Variable(np.zeros(1))
    with pytest.raises(TypeError, match="callable"):
        F.forget(1)
    with pytest.raises(RuntimeError, match="but <class 'int'> is returned"):
        F.forget(lambda: 1)
    for n, word in ((1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                    (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd")):
        with pytest.raises(RuntimeError, match=f"^{word} element .*int"):
            F.forget(lambda: (v,) * (n - 1) + (1,))


def test_forget_module_path_and_array_inputs():
    import kusari.functions.util.forget as module
    assert module.forget is F.forget or callable(module)
    assert F.util.forget.Forget is module.Forget
    y = F.forget(lambda u: u * 2, np.ones(3, np.float32))
    assert y.creator.inputs[0].requires_grad
