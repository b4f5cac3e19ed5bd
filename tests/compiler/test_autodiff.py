"""Reverse mode as an IR -> IR pass: any order, None where no gradient flows."""
from __future__ import annotations

import numpy as np

import kusari
import pytest

import kusari.compiler as kc
import kusari.functions as F


def f64(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape)


def test_third_derivative_through_compiler_grad():
    x = np.linspace(-2, 2, 9).astype(np.float32)
    g = kusari.trace(lambda v: F.sum(F.tanh(v)), x)
    d3 = kusari.compile(kc.grad(kc.grad(kc.grad(g))))
    t = np.tanh(x.astype(np.float64))
    np.testing.assert_allclose(d3(x), (1 - t**2) * (6 * t**2 - 2), rtol=1e-4, atol=1e-5)
    assert d3(x).dtype == np.float32


def test_integer_and_disconnected_inputs_get_none():
    def f(x, i, unused):
        return F.sum(x[i] * 2)
    g = kusari.trace(f, f64(4), np.array([0, 2, 2]), f64(3))
    d = kc.grad(g)
    assert d.outputs[1] is None and d.outputs[2] is None
    gx, gi, gu = kusari.compile(d)(f64(4), np.array([0, 2, 2]), f64(3))
    np.testing.assert_array_equal(gx, [2, 0, 4, 0])        # repeated index: added
    assert gi is None and gu is None


def test_several_users_accumulate():
    g = kusari.trace(lambda x: F.sum(x * x + F.sin(x) + x), f64(5))
    x = f64(5, seed=1)
    np.testing.assert_allclose(kusari.compile(kc.grad(g))(x), 2 * x + np.cos(x) + 1)


def test_broadcasting_is_undone():
    g = kusari.trace(lambda a, b: F.sum(a * b), f64(2, 3), f64(3))
    a, b = f64(2, 3, seed=2), f64(3, seed=3)
    ga, gb = kusari.compile(kc.grad(g))(a, b)
    np.testing.assert_allclose(ga, np.broadcast_to(b, (2, 3)))
    np.testing.assert_allclose(gb, a.sum(axis=0))


def test_wrt_picks_inputs():
    g = kusari.trace(lambda a, b: F.sum(a * b), f64(3), f64(3))
    d = kc.grad(g, wrt=[1])
    assert len(d.outputs) == 1 and len(d.inputs) == 2
    a, b = f64(3, seed=4), f64(3, seed=5)
    np.testing.assert_allclose(kusari.compile(d)(a, b), a)


def test_gradient_of_several_outputs_is_of_their_sum():
    g = kusari.trace(lambda x: (F.sum(x * x), F.sum(F.exp(x))), f64(3))
    x = f64(3, seed=6)
    np.testing.assert_allclose(kusari.compile(kc.grad(g))(x), 2 * x + np.exp(x))


def test_mixed_partials():
    # d/dy of (d/dx sum(x^2 y)) = 2x
    g = kusari.trace(lambda x, y: F.sum(x * x * y), f64(3), f64(3))
    dx = kc.grad(g, wrt=[0])
    dxy = kc.grad(dx, wrt=[1])
    x, y = f64(3, seed=7), f64(3, seed=8)
    np.testing.assert_allclose(kusari.compile(dxy)(x, y), 2 * x)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_any_order_matches_closed_form(order):
    x = np.linspace(-1, 1, 5)
    g = kusari.trace(lambda v: F.sum(F.sin(v)), x)
    for _ in range(order):
        g = kc.grad(g)
    want = [np.cos(x), -np.sin(x), -np.cos(x), np.sin(x)][order - 1]
    np.testing.assert_allclose(kusari.compile(g)(x), want, rtol=1e-12, atol=1e-15)
