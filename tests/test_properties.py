"""Property tests: broadcasting gradients over random shapes."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.utils import sum_to


@st.composite
def broadcast_pair(draw):
    ndim = draw(st.integers(0, 3))
    full = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    def part():
        keep = draw(st.integers(0, ndim))
        return tuple(1 if draw(st.booleans()) else d for d in full[ndim - keep:])
    return part(), part()


OPS = {
    "add": (lambda a, b: a + b, lambda a, b, g: (g, g)),
    "sub": (lambda a, b: a - b, lambda a, b, g: (g, -g)),
    "mul": (lambda a, b: a * b, lambda a, b, g: (g * b, g * a)),
    "div": (lambda a, b: a / b, lambda a, b, g: (g / b, -g * a / (b * b))),
}


@given(broadcast_pair(), st.sampled_from(sorted(OPS)), st.sampled_from(["float32", "float64"]),
       st.integers(0, 2**31 - 1))
def test_binary_broadcast_gradients(shapes, name, dtype, seed):
    f, grads = OPS[name]
    rng = np.random.default_rng(seed)
    sa, sb = shapes
    a = rng.uniform(0.5, 2, sa).astype(dtype)
    b = rng.uniform(0.5, 2, sb).astype(dtype)
    va, vb = Variable(a), Variable(b)
    y = f(va, vb)
    out_shape = np.broadcast_shapes(sa, sb)
    assert y.shape == out_shape and y.dtype == dtype
    gy = rng.standard_normal(out_shape).astype(dtype)
    y.grad = gy
    y.backward()
    wa, wb = grads(np.broadcast_to(a, out_shape).astype(np.float64),
                   np.broadcast_to(b, out_shape).astype(np.float64), gy.astype(np.float64))
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(va.grad, sum_to(wa, sa), rtol=tol, atol=tol)
    np.testing.assert_allclose(vb.grad, sum_to(wb, sb), rtol=tol, atol=tol)
    assert va.grad.shape == sa and vb.grad.shape == sb


@given(broadcast_pair(), st.integers(0, 2**31 - 1))
def test_broadcast_to_and_sum_to_are_adjoint(shapes, seed):
    sa, _ = shapes
    rng = np.random.default_rng(seed)
    target = tuple(d + 2 if d == 1 else d for d in sa)
    x = Variable(rng.standard_normal(sa))
    y = F.broadcast_to(x, (2,) + target)
    gy = rng.standard_normal(y.shape)
    gx, = kusari.grad([y], [x], grad_outputs=[Variable(gy)])
    np.testing.assert_allclose(gx.array, sum_to(gy, sa), rtol=1e-12)
    # <broadcast(x), gy> == <x, sum_to(gy)>
    lhs = float(np.sum(y.array * gy))
    rhs = float(np.sum(x.array * gx.array))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-10)


@given(broadcast_pair(), st.integers(0, 2**31 - 1))
def test_second_order_through_broadcasting(shapes, seed):
    sa, sb = shapes
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.5, 2, sa), rng.uniform(0.5, 2, sb)
    va, vb = Variable(a), Variable(b)
    ga, = kusari.grad([F.sum(va * va * vb)], [va], enable_double_backprop=True)
    gab, = kusari.grad([F.sum(ga)], [vb])
    # d/db sum(sum_to(2 a b, sa)) = sum_to(2 a broadcast, sb)
    out = np.broadcast_shapes(sa, sb)
    np.testing.assert_allclose(gab.array, sum_to(2 * np.broadcast_to(a, out), sb), rtol=1e-12)
