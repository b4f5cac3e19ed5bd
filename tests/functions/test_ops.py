"""Every op: forward against NumPy; first and second derivatives against finite
differences; float16, float32 and float64; broadcast shapes where they apply."""
from __future__ import annotations

import numpy as np
import pytest

import kusari.functions as F
from tests.helpers import check_all, check_forward, check_grad

DTYPES = [np.float16, np.float32, np.float64]


def uniform(rng, shape, lo, hi, dtype):
    return rng.uniform(lo, hi, shape).astype(dtype)


def away_from(rng, shape, dtype, lo=-2, hi=2, gap=0.2):
    """Values in [lo, hi] at least `gap` from zero (kinks at zero)."""
    x = rng.uniform(gap, hi, shape) * rng.choice([-1, 1], shape)
    return np.clip(x, lo, hi).astype(dtype)


def distinct(rng, shape, dtype):
    """Values far apart from each other (no ties for max/min/maximum)."""
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) * 0.37 - n * 0.15).astype(dtype)


def sigmoid_np(x):
    return 1 / (1 + np.exp(-x))


# name: (kusari function, NumPy reference, (lo, hi) domain)
UNARY = {
    "exp": (F.exp, np.exp, (-2, 2)),
    "expm1": (F.expm1, np.expm1, (-2, 2)),
    "log": (F.log, np.log, (0.5, 3)),
    "log2": (F.log2, np.log2, (0.5, 3)),
    "log10": (F.log10, np.log10, (0.5, 3)),
    "log1p": (F.log1p, np.log1p, (-0.5, 2)),
    "sqrt": (F.sqrt, np.sqrt, (0.5, 3)),
    "rsqrt": (F.rsqrt, lambda x: 1 / np.sqrt(x), (0.5, 3)),
    "square": (F.square, np.square, (-2, 2)),
    "sin": (F.sin, np.sin, (-3, 3)),
    "cos": (F.cos, np.cos, (-3, 3)),
    "tan": (F.tan, np.tan, (-1, 1)),
    "arcsin": (F.arcsin, np.arcsin, (-0.8, 0.8)),
    "arccos": (F.arccos, np.arccos, (-0.8, 0.8)),
    "arctan": (F.arctan, np.arctan, (-2, 2)),
    "sinh": (F.sinh, np.sinh, (-2, 2)),
    "cosh": (F.cosh, np.cosh, (-2, 2)),
    "tanh": (F.tanh, np.tanh, (-2, 2)),
    "sigmoid": (F.sigmoid, sigmoid_np, (-3, 3)),
    "neg": (lambda x: -x, np.negative, (-2, 2)),
    "softplus": (F.softplus, lambda x: np.log1p(np.exp(x)), (-3, 3)),
    "swish": (F.swish, lambda x: x * sigmoid_np(x), (-3, 3)),
}
KINKED = {  # kinks at zero: inputs kept away from it
    "relu": (F.relu, lambda x: np.maximum(x, 0)),
    "abs": (F.absolute, np.abs),
    "leaky_relu": (F.leaky_relu, lambda x: np.where(x >= 0, x, 0.2 * x)),
    "elu": (F.elu, lambda x: np.where(x >= 0, x, np.expm1(x))),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, dtype):
    f, ref, (lo, hi) = UNARY[name]
    rng = np.random.default_rng(hash(name) % 2**32)
    for shape in [(3, 4), (), (5,)]:
        check_all(f, ref, [uniform(rng, shape, lo, hi, dtype)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(KINKED))
def test_kinked(name, dtype):
    f, ref = KINKED[name]
    rng = np.random.default_rng(3)
    check_all(f, ref, [away_from(rng, (3, 4), dtype)], dtype)


@pytest.mark.parametrize("name", ["sign", "floor", "ceil"])
def test_piecewise_constant_has_no_gradient(name):
    f, ref = {"sign": (F.sign, np.sign), "floor": (F.floor, np.floor),
              "ceil": (F.ceil, np.ceil)}[name]
    x = np.array([-1.5, -0.2, 0.3, 2.7], np.float32)
    check_forward(f, ref, [x], np.float32)
    from kusari import Variable
    v = Variable(x)
    y = F.sum(f(v) * v)      # the product rule still flows through v
    y.backward()
    np.testing.assert_allclose(v.grad, ref(x))


BROADCAST = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)),
             ((4, 1, 3), (2, 1))]

BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "pow": (lambda a, b: a ** b, np.power),
    "maximum": (F.maximum, np.maximum),
    "minimum": (F.minimum, np.minimum),
}


def binary_inputs(name, rng, sa, sb, dtype):
    if name in ("maximum", "minimum"):  # all values distinct: no ties
        na, nb = int(np.prod(sa)), int(np.prod(sb))
        pool = distinct(rng, (na + nb,), np.float64) * 0.3
        return [pool[:na].reshape(sa).astype(dtype), pool[na:].reshape(sb).astype(dtype)]
    if name == "pow":
        return [uniform(rng, sa, 0.5, 2, dtype), uniform(rng, sb, -1.5, 1.5, dtype)]
    if name == "div":
        return [uniform(rng, sa, -2, 2, dtype), away_from(rng, sb, dtype, gap=0.5)]
    return [uniform(rng, sa, -2, 2, dtype), uniform(rng, sb, -2, 2, dtype)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", BROADCAST, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(name, shapes, dtype):
    f, ref = BINARY[name]
    rng = np.random.default_rng(7)
    for sa, sb in (shapes, shapes[::-1]):
        check_all(f, ref, binary_inputs(name, rng, sa, sb, dtype), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow"])
def test_binary_with_scalar_keeps_dtype(name, dtype):
    f, ref = BINARY[name]
    rng = np.random.default_rng(11)
    x = uniform(rng, (2, 3), 0.5, 2, dtype)
    for c in (2, 0.5, -1.5):
        check_all(lambda v: f(v, c), lambda a: ref(a, dtype(c)), [x], dtype)
        if name != "pow" or c > 0:   # a negative base has no real power
            check_all(lambda v: f(c, v), lambda a: ref(dtype(c), a), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_where(dtype):
    rng = np.random.default_rng(5)
    cond = rng.random((2, 3)) > 0.5
    for sa, sb in [((2, 3), (2, 3)), ((3,), (2, 1)), ((), (2, 3))]:
        a, b = uniform(rng, sa, -2, 2, dtype), uniform(rng, sb, -2, 2, dtype)
        check_all(lambda c, x, y: F.where(c, x, y), np.where, [cond, a, b], dtype)


def test_where_needs_bool_condition():
    from kusari.utils.type_check import InvalidType
    with pytest.raises(InvalidType, match="condition.dtype == bool"):
        F.where(np.ones(3, np.float32), np.ones(3, np.float32), np.ones(3, np.float32))


REDUCTIONS = {
    "sum": (F.sum, np.sum),
    "mean": (F.mean, np.mean),
    "max": (F.max, np.max),
    "min": (F.min, np.min),
    "prod": (F.prod, np.prod),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction(name, axis, keepdims, dtype):
    f, ref = REDUCTIONS[name]
    rng = np.random.default_rng(2)
    if name in ("max", "min"):
        x = distinct(rng, (2, 3, 2), dtype) * 0.1
    elif name == "prod":
        x = uniform(rng, (2, 3, 2), 0.6, 1.4, dtype)
    else:
        x = uniform(rng, (2, 3, 2), -2, 2, dtype)
    check_all(lambda v: f(v, axis=axis, keepdims=keepdims),
              lambda a: ref(a, axis=axis, keepdims=keepdims), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_logsumexp_softmax(dtype):
    rng = np.random.default_rng(4)
    x = uniform(rng, (3, 4), -2, 2, dtype)

    def lse(a, axis):
        m = a.max(axis=axis, keepdims=True)
        return np.log(np.exp(a - m).sum(axis=axis)) + m.squeeze(axis)

    for axis in (0, 1):
        check_all(lambda v: F.logsumexp(v, axis=axis), lambda a: lse(a, axis), [x], dtype)
        check_all(lambda v: F.softmax(v, axis=axis),
                  lambda a: np.exp(a - lse(a, axis)[..., None] if axis == 1 else
                                   a - lse(a, axis)[None]), [x], dtype)
        check_all(lambda v: F.log_softmax(v, axis=axis),
                  lambda a: a - (lse(a, axis)[..., None] if axis == 1 else
                                 lse(a, axis)[None]), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_shape_ops(dtype):
    rng = np.random.default_rng(6)
    x = uniform(rng, (2, 3, 4), -2, 2, dtype)
    cases = [
        (lambda v: F.reshape(v, (6, 4)), lambda a: a.reshape(6, 4)),
        (lambda v: F.reshape(v, (4, -1)), lambda a: a.reshape(4, -1)),
        (lambda v: v.reshape(3, 8), lambda a: a.reshape(3, 8)),
        (lambda v: F.transpose(v), lambda a: a.transpose()),
        (lambda v: F.transpose(v, (1, 0, 2)), lambda a: a.transpose(1, 0, 2)),
        (lambda v: v.T, lambda a: a.T),
        (lambda v: F.swapaxes(v, 0, 2), lambda a: a.swapaxes(0, 2)),
        (lambda v: F.expand_dims(v, 1), lambda a: np.expand_dims(a, 1)),
        (lambda v: F.flatten(v), lambda a: a.ravel()),
        (lambda v: F.broadcast_to(v[:, :1], (2, 3, 4)),
         lambda a: np.broadcast_to(a[:, :1], (2, 3, 4))),
        (lambda v: F.broadcast_to(v[0, 0], (3, 4)), lambda a: np.broadcast_to(a[0, 0], (3, 4))),
        (lambda v: F.sum_to(v, (3, 1)), lambda a: a.sum(axis=0).sum(axis=1, keepdims=True)),
        (lambda v: F.sum_to(v, (4,)), lambda a: a.sum(axis=(0, 1))),
        (lambda v: F.squeeze(v[:, :1]), lambda a: a[:, :1].squeeze()),
        (lambda v: F.concat([v, v * 2], axis=1), lambda a: np.concatenate([a, a * 2], 1)),
        (lambda v: F.stack([v, -v], axis=0), lambda a: np.stack([a, -a], 0)),
        (lambda v: F.split_axis(v, 2, axis=2), lambda a: tuple(np.split(a, 2, axis=2))),
        (lambda v: F.split_axis(v, [1], axis=1), lambda a: tuple(np.split(a, [1], axis=1))),
    ]
    for f, ref in cases:
        check_all(f, ref, [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_get_item(dtype):
    rng = np.random.default_rng(8)
    x = uniform(rng, (4, 3, 5), -2, 2, dtype)
    keys = [
        1, -1, (slice(1, 3),), (slice(None), 2), (Ellipsis, 1), (slice(None, None, 2),),
        (None, 0, slice(1, None, 2)), (slice(3, 0, -1), slice(None), slice(None, None, -2)),
        (np.array([0, 2, 2, 3]),),          # repeated indices: gradients add up
        (slice(None), np.array([[0, 1], [2, 2]])),
        (np.array([1, 0]), slice(None), np.array([4, 0])),   # advanced indices split
        (np.array([3, 1]), np.array([2, 0])),
        (1, slice(None), np.array([0, 4])),
        x[..., 0] > 0,                      # a mask (2-D) becomes integer arrays
    ]
    for key in keys:
        check_all(lambda v: v[key], lambda a: a[key], [x], dtype)
        check_all(lambda v: F.get_item(v, key), lambda a: a[key], [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul(dtype):
    rng = np.random.default_rng(9)
    shapes = [((2, 3), (3, 4)), ((3,), (3, 2)), ((2, 3), (3,)), ((3,), (3,)),
              ((2, 2, 3), (3, 4)), ((2, 1, 2, 3), (3, 3, 2)), ((3,), (2, 3, 4))]
    for sa, sb in shapes:
        a, b = uniform(rng, sa, -1, 1, dtype), uniform(rng, sb, -1, 1, dtype)
        check_all(F.matmul, np.matmul, [a, b], dtype)
    a, b = uniform(rng, (3, 2), -1, 1, dtype), uniform(rng, (4, 3), -1, 1, dtype)
    check_all(lambda p, q: F.matmul(p, q, transa=True, transb=True),
              lambda p, q: p.T @ q.T, [a, b], dtype)
    check_all(lambda p, q: p @ q.T, lambda p, q: p @ q.T, [a.T, b], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear(dtype):
    rng = np.random.default_rng(10)
    x = uniform(rng, (4, 3), -1, 1, dtype)
    W = uniform(rng, (2, 3), -1, 1, dtype)
    b = uniform(rng, (2,), -1, 1, dtype)
    check_all(F.linear, lambda x, W, b: x @ W.T + b, [x, W, b], dtype)
    check_all(F.linear, lambda x, W: x @ W.T, [x, W], dtype)
    x3 = uniform(rng, (2, 2, 3), -1, 1, dtype)
    check_all(lambda x, W, b: F.linear(x, W, b, n_batch_axes=2),
              lambda x, W, b: x @ W.T + b, [x3, W, b], dtype)
    x4 = uniform(rng, (2, 3, 1), -1, 1, dtype)
    check_all(F.linear, lambda x, W, b: x.reshape(2, 3) @ W.T + b, [x4, W, b], dtype)


@pytest.mark.parametrize("src,dst", [(np.float32, np.float64), (np.float64, np.float32),
                                     (np.float16, np.float32), (np.float32, np.float16)])
def test_cast(src, dst):
    rng = np.random.default_rng(12)
    x = uniform(rng, (2, 3), -2, 2, src)
    check_forward(lambda v: F.cast(v, dst), lambda a: a.astype(dst), [x], dst)
    narrower = min(np.dtype(src), np.dtype(dst), key=lambda d: d.itemsize)
    # linear, so a large step is exact (a small one drowns in the narrow output)
    check_grad(lambda v: F.cast(v, dst) * 1.5, [x], narrower, eps=0.25)


@pytest.mark.parametrize("dtype", DTYPES)
def test_clip_average_losses(dtype):
    rng = np.random.default_rng(13)
    x = away_from(rng, (3, 4), dtype, gap=0.05)
    x[np.abs(np.abs(x) - 1) < 0.1] = 0.5
    check_all(lambda v: F.clip(v, -1.0, 1.0), lambda a: np.clip(a, -1, 1), [x], dtype)
    y = uniform(rng, (3, 4), -1, 1, dtype)
    check_all(F.mean_squared_error, lambda a, b: np.mean((a - b) ** 2), [x, y], dtype)
    w = uniform(rng, (4,), 0.5, 1.5, dtype)
    check_all(lambda v, w: F.average(v, axis=1, weights=w),
              lambda a, w: np.average(a, axis=1, weights=w), [x, w], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_cross_entropy(dtype):
    rng = np.random.default_rng(14)
    x = uniform(rng, (4, 3), -2, 2, dtype)
    t = np.array([0, 2, -1, 1], np.int32)

    def ref(x, t, normalize=True):
        m = x.max(axis=1, keepdims=True)
        logp = x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))
        valid = t != -1
        picked = logp[np.arange(len(t)), np.where(valid, t, 0)] * valid
        return -picked.sum() / (valid.sum() if normalize else len(t))

    check_all(F.softmax_cross_entropy, ref, [x, t], dtype, no_grad=(1,))
    check_all(lambda x, t: F.softmax_cross_entropy(x, t, normalize=False),
              lambda x, t: ref(x, t, False), [x, t], dtype, no_grad=(1,))
