"""Tiered backward: a structure seen for the first time runs op by op on
arrays (each op's gradient compiled once per op signature); a structure that
recurs is compiled whole. Both tiers give the same gradients; graphs of
100,000 ops work eagerly; recorded gradients are compiled call nodes that
differentiate again, to any order."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable, backprop
from kusari.compiler import explain_cache
from tests.helpers import COMPILED, EAGER


def _mlp_grads(threshold, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 5)).astype(dtype)
    W1 = Variable(rng.standard_normal((6, 5)).astype(dtype))
    b1 = Variable(rng.standard_normal(6).astype(dtype))
    W2 = Variable(rng.standard_normal((3, 6)).astype(dtype))
    t = np.array([0, 2, 1, 1, 0, 2, 2, 1], np.int32)
    with kusari.using_config("compile_threshold", threshold):
        h = F.tanh(F.linear(x, W1, b1)) * 2 + F.sum(b1 * b1)
        loss = F.softmax_cross_entropy(F.linear(F.relu(h), W2), t) + F.mean(h ** 2)
        loss.backward()
    return [W1.grad, b1.grad, W2.grad]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_first_and_compiled_backward_agree(dtype):
    eager, compiled = _mlp_grads(EAGER, dtype), _mlp_grads(COMPILED, dtype)
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    for e, c in zip(eager, compiled):
        assert e.dtype == c.dtype == dtype
        np.testing.assert_allclose(e, c, rtol=rtol, atol=rtol)


def test_same_arithmetic_agrees_to_the_last_bit():
    x = np.linspace(-2, 2, 7)
    grads = []
    for threshold in (EAGER, COMPILED):
        v = Variable(x.copy())
        with kusari.using_config("compile_threshold", threshold):
            F.sum(F.exp(v) * F.sin(v)).backward()
        grads.append(v.grad)
    np.testing.assert_array_equal(grads[0], grads[1])


def test_the_eager_tier_compiles_nothing_but_op_gradients():
    backprop.clear_plans()
    kusari.compiler.cache_log.clear()
    v = Variable(np.ones(3, np.float32))
    with kusari.using_config("compile_threshold", EAGER):
        F.sum(F.cos(v) * v).backward()
    kinds = {e.kind for e in explain_cache()}
    assert kinds == {"op gradient"}
    assert not backprop._plans
    np.testing.assert_allclose(v.grad, np.cos(1) - np.sin(1), rtol=1e-6)


def test_a_hundred_thousand_ops_backward_eagerly():
    x = Variable(np.array([0.3, -0.2], np.float64))
    y = x
    for _ in range(33_334):                      # 3 ops a step: 100,002 ops
        y = F.sin(y) * 1e-4 + y
    with kusari.using_config("compile_threshold", EAGER):
        F.sum(y).backward()
    # the same chain rule, step by step in NumPy
    value, slope = x.array.copy(), np.ones(2)
    for _ in range(33_334):
        slope = slope * (np.cos(value) * 1e-4 + 1)
        value = np.sin(value) * 1e-4 + value
    np.testing.assert_allclose(y.array, value, rtol=1e-12)
    np.testing.assert_allclose(x.grad, slope, rtol=1e-9)


def test_a_long_chain_also_compiles():
    x = Variable(np.array([0.3, -0.2], np.float64))
    y = x
    for _ in range(3_000):
        y = F.sin(y) * 0.5 + y
    with kusari.using_config("compile_threshold", COMPILED):
        F.sum(y).backward()
    eager = Variable(x.array.copy())
    y = eager
    for _ in range(3_000):
        y = F.sin(y) * 0.5 + y
    with kusari.using_config("compile_threshold", EAGER):
        F.sum(y).backward()
    np.testing.assert_allclose(x.grad, eager.grad, rtol=1e-12)


def _derivatives(x_array, order):
    """d^k/dx^k sum(tanh(x) * x) elementwise, k = 1..order, each through a
    recorded gradient of the one before."""
    x = Variable(x_array.copy())
    y = F.sum(F.tanh(x) * x)
    out = []
    for k in range(order):
        g, = kusari.grad([y], [x], enable_double_backprop=k < order - 1)
        out.append(g)
        y = F.sum(g)
    return out


def test_recorded_gradients_are_compiled_call_nodes_to_the_fourth_order():
    x = np.linspace(-1.5, 1.5, 5)
    ds = _derivatives(x, 4)
    for g in ds[:-1]:
        assert g.creator is not None and g.creator.label == "Call"
    h = 1e-5
    for k in range(1, 4):          # each derivative is the slope of the one before
        up, down = _derivatives(x + h, k)[-1].array, _derivatives(x - h, k)[-1].array
        np.testing.assert_allclose(ds[k].array, (up - down) / (2 * h), rtol=1e-6, atol=1e-8)
    t = np.tanh(x)                 # and the first against the closed form
    np.testing.assert_allclose(ds[0].array, t + x * (1 - t * t), rtol=1e-13)


def test_double_backprop_through_backward_uses_call_nodes():
    x = Variable(np.array([0.5, 1.5]))
    y = F.sum(x ** 3)
    y.backward(enable_double_backprop=True)
    gx = x.grad_var
    assert gx.creator.label == "Call"
    x.cleargrad()
    F.sum(gx).backward()
    np.testing.assert_allclose(x.grad, 6 * x.array)
