"""The functions test_ops.py does not cover: forward against NumPy, first and
second derivatives against finite differences; functions with no gradient
(comparisons, logic, arg-reductions, accuracy) are checked to pass none."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.compiler import ops
from kusari.compiler.errors import InvalidType, NotDifferentiable
from kusari.compiler.ops.registry import ELEMENTWISE, UNDEFINED, OpDef, register
from tests.helpers import check_all, check_forward

DTYPES = [np.float16, np.float32, np.float64]


def uniform(rng, shape, lo=-2, hi=2, dtype=np.float64):
    return rng.uniform(lo, hi, shape).astype(dtype)


def away_from_zero(rng, shape, dtype, gap=0.3):
    return (rng.uniform(gap, 2, shape) * rng.choice([-1, 1], shape)).astype(dtype)


def sigmoid_ce_np(x, t):
    loss = np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0) - x * t
    return loss.sum() / x.size


@pytest.mark.parametrize("dtype", DTYPES)
def test_elementwise_errors_and_fabs(dtype):
    rng = np.random.default_rng(21)
    a, b = uniform(rng, (3, 4), dtype=dtype), uniform(rng, (3, 4), dtype=dtype)
    b[np.abs(a - b) < 0.3] += 0.6               # |a - b| has a kink where a == b
    check_all(F.absolute_error, lambda a, b: np.abs(a - b), [a, b], dtype)
    check_all(F.squared_error, lambda a, b: (a - b) ** 2, [a, b], dtype)
    check_all(F.fabs, np.fabs, [away_from_zero(rng, (5,), dtype)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_stacking_and_separating(dtype):
    rng = np.random.default_rng(22)
    a, b = uniform(rng, (2, 3), dtype=dtype), uniform(rng, (2, 3), dtype=dtype)
    check_all(lambda a, b: F.hstack([a, b]), lambda a, b: np.hstack([a, b]), [a, b], dtype)
    check_all(lambda a, b: F.vstack([a, b]), lambda a, b: np.vstack([a, b]), [a, b], dtype)
    check_all(lambda a: F.separate(a, axis=1), lambda a: tuple(np.moveaxis(a, 1, 0)),
              [a], dtype)
    check_all(lambda a, b: F.broadcast(a, b[:1]), lambda a, b: (a, np.broadcast_to(b[:1], a.shape)),
              [a, b], dtype)
    check_all(lambda a, b: F.identity(a, b), lambda a, b: (a, b), [a, b], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_matmul(dtype):
    rng = np.random.default_rng(23)
    a, b = uniform(rng, (2, 3, 4), dtype=dtype), uniform(rng, (2, 4, 2), dtype=dtype)
    check_all(F.batch_matmul, np.matmul, [a, b], dtype)
    check_all(lambda a, b: F.batch_matmul(a, b, transa=True),
              lambda a, b: np.matmul(np.swapaxes(a, 1, 2), b),
              [np.swapaxes(a, 1, 2).copy(), b], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_cross_entropy(dtype):
    rng = np.random.default_rng(24)
    x = uniform(rng, (4, 3), dtype=dtype)
    t = rng.integers(0, 2, (4, 3)).astype(np.int32)
    check_all(F.sigmoid_cross_entropy, sigmoid_ce_np, [x, t], dtype, no_grad=(1,))


@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout(dtype):
    rng = np.random.default_rng(25)
    x = uniform(rng, (50, 40), 0.5, 2, dtype)
    with kusari.using_config("train", False):           # the identity when not training
        check_all(lambda v: F.dropout(v, 0.4), lambda a: a, [x], dtype)
    v = Variable(x)
    y = F.dropout(v, 0.4)
    kept = y.array != 0
    scale = np.asarray(1 / 0.6, dtype)
    np.testing.assert_allclose(y.array[kept], (x * scale)[kept], rtol=1e-3)
    assert 0.5 < kept.mean() < 0.7
    F.sum(y).backward()                                   # the gradient uses the same mask
    np.testing.assert_allclose(v.grad, np.where(kept, scale, 0).astype(dtype), rtol=1e-3)


COMPARISONS = {
    "less": np.less, "less_equal": np.less_equal, "greater": np.greater,
    "greater_equal": np.greater_equal, "equal": np.equal, "not_equal": np.not_equal,
}


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_comparisons(name):
    rng = np.random.default_rng(26)
    a = rng.integers(-2, 3, (3, 4)).astype(np.float32)
    b = rng.integers(-2, 3, (4,)).astype(np.float32)
    _same(getattr(F, name)(a, b), COMPARISONS[name](a, b))
    _passes_no_gradient(lambda v: F.where(getattr(F, name)(v, b), v, v * 2), a,
                        np.where(COMPARISONS[name](a, b), 1, 2))


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_not"])
def test_logic(name):
    a = np.array([True, False, True, False])
    b = np.array([True, True, False, False])
    args = [a] if name == "logical_not" else [a, b]
    _same(getattr(F, name)(*args), getattr(np, name)(*args))
    with kusari.using_config("compile_threshold", 1):
        _same(kusari.jit(getattr(F, name))(*args), getattr(np, name)(*args))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_arg_reductions(name, axis):
    x = np.random.default_rng(27).permutation(12).reshape(3, 4).astype(np.float32)
    y = getattr(F, name)(Variable(x), axis=axis)
    _same(y, getattr(np, name)(x, axis=axis))


def test_accuracy():
    y = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]], np.float32)
    t = np.array([1, 0, 0, -1], np.int32)
    assert float(F.accuracy(y, t).array) == pytest.approx(0.5)
    assert float(F.accuracy(y, t, ignore_label=-1).array) == pytest.approx(2 / 3)


def test_stop_gradient():
    x = np.array([1.0, -2.0, 3.0])
    check_forward(F.stop_gradient, lambda a: a, [x], np.float64)
    _passes_no_gradient(lambda v: F.stop_gradient(v) * v, x, x)


def _same(actual, expected):
    actual = actual.array if isinstance(actual, Variable) else actual
    assert actual.dtype.kind == np.asarray(expected).dtype.kind
    np.testing.assert_array_equal(actual, expected)


def _passes_no_gradient(f, x, expected_grad):
    """f's gradient at x, taken eagerly and compiled, is `expected_grad`: the
    function under test passes none of its own."""
    for threshold in (2, 1):
        with kusari.using_config("compile_threshold", threshold):
            v = Variable(x.copy())
            F.sum(f(v)).backward()
            np.testing.assert_allclose(v.grad, expected_grad)


def test_undefined_gradient_names_the_op():
    if "test_not_differentiable" not in ops.REGISTRY:
        register(OpDef("test_not_differentiable", ELEMENTWISE, lambda attrs, x: (x.shape, x.dtype),
                       impl=np.round, numpy_name="np.round", grad=UNDEFINED,
                       label="TestRound", out_arg=True))
    op = ops.get("test_not_differentiable")
    from kusari.function_node import apply
    for threshold in (2, 1):
        with kusari.using_config("compile_threshold", threshold):
            x = Variable(np.array([0.4, 1.6]))
            y = apply(op, (x,))
            np.testing.assert_array_equal(y.array, [0.0, 2.0])
            with pytest.raises(NotDifferentiable, match="TestRound is not differentiable"):
                F.sum(y * x).backward()


def test_an_op_must_declare_its_gradient():
    with pytest.raises(TypeError, match="must declare its gradient"):
        OpDef("nameless", ELEMENTWISE, lambda attrs, x: (x.shape, x.dtype), grad=None)


@pytest.mark.parametrize("dtype", DTYPES)
def test_select_item(dtype):
    rng = np.random.default_rng(23)
    x = uniform(rng, (4, 3), dtype=dtype)
    t = np.array([0, 2, 1, 2], np.int32)
    check_all(F.select_item, lambda x, t: x[np.arange(4), t], [x, t], dtype, no_grad=(1,))
    # a negative index counts from the end, in the gradient as in the forward
    t = np.array([-1, 0, -3, 1], np.int64)
    check_all(F.select_item, lambda x, t: x[np.arange(4), t], [x, t], dtype, no_grad=(1,))


def test_select_item_errors():
    x = np.zeros((2, 3), np.float32)
    with pytest.raises(InvalidType, match="SelectItem"):
        F.select_item(x, np.array([0, 3], np.int32))          # out of bounds
    with pytest.raises(InvalidType, match="t.dtype.kind == i"):
        F.select_item(x, np.array([0.0, 1.0], np.float32))
    with pytest.raises(InvalidType, match=r"x.shape\[0\] == t.shape\[0\]"):
        F.select_item(x, np.array([0, 1, 2], np.int32))


def cumprodsum_np(xmul, xadd, axis):
    a, b = np.moveaxis(xmul, axis, 0), np.moveaxis(xadd, axis, 0)
    out = np.empty_like(b)
    out[0] = b[0]
    for i in range(1, b.shape[0]):
        out[i] = a[i - 1] * out[i - 1] + b[i]
    return np.moveaxis(out, 0, axis)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cumulative_products(dtype):
    """cumprod and cumprodsum (the ops prod's gradient is made of): forward,
    first and second derivatives, zeros included."""
    from kusari.functions._core import call
    rng = np.random.default_rng(24)
    x = uniform(rng, (3, 4), 0.5, 1.5, dtype)
    x[1, 2] = 0
    for axis in (0, 1):
        check_all(lambda v: call("cumprod", v, axis=axis),
                  lambda a: np.cumprod(a, axis=axis), [x], dtype)
        mul = x[1:] if axis == 0 else x[:, 1:]
        add = uniform(rng, (3, 4), dtype=dtype)
        check_all(lambda m, a: call("cumprodsum", m, a, axis=axis),
                  lambda m, a: cumprodsum_np(m, a, axis), [mul, add], dtype)
    one = np.array([[1.5]], dtype)
    check_all(lambda v: call("cumprod", v, axis=1), lambda a: a, [one], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_prod_with_zeros(dtype):
    """The gradient of prod is the product of the other elements (Chainer's
    rule), zeros included: [2, 0, 3] gets [0, 6, 0], not NaN."""
    x = np.array([2, 0, 3], dtype)
    v = Variable(x)
    F.prod(v).backward()
    np.testing.assert_array_equal(v.grad, np.array([0, 6, 0], dtype))
    two = np.array([[2, 0, 0.5], [0, 0, 1.5], [1.5, -1, 0.5], [0, 1.25, 2]], dtype)
    for axis in (None, 0, 1):
        check_all(lambda v: F.prod(v, axis=axis), lambda a: np.prod(a, axis=axis), [two],
                  dtype)
    # third order: d3/dx3 of prod(x) for x of three elements is the all-ones
    # off-diagonal tensor
    v = Variable(np.array([0.0, 0.0, 0.0], np.float64))
    g1, = kusari.grad([F.prod(v)], [v], enable_double_backprop=True)
    g2, = kusari.grad([F.sum(g1)], [v], enable_double_backprop=True)
    g3, = kusari.grad([F.sum(g2)], [v])
    np.testing.assert_array_equal(g2.array, [0, 0, 0])
    np.testing.assert_array_equal(g3.array, [2, 2, 2])
