"""Chainer's activations beyond the basics (clipped_relu, relu6, crelu, selu,
hard_sigmoid, maxout, prelu, rrelu) and kusari's celu, gelu, log_sigmoid:
forward against NumPy, first and second derivatives against finite
differences in float16/32/64, Chainer's rules at the kinks, argument
checks."""
from __future__ import annotations

import math

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.compiler.errors import InvalidType
from tests.helpers import check_all

DTYPES = [np.float16, np.float32, np.float64]
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def ndtr(x):
    return 0.5 * np.array([math.erfc(-v / math.sqrt(2)) for v in np.ravel(x)]).reshape(np.shape(x))


def away(rng, shape, dtype, lo=0.2, hi=3.0):
    """Values at least `lo` from zero (the kinks of the piecewise ones)."""
    return (rng.uniform(lo, hi, shape) * rng.choice([-1, 1], shape)).astype(dtype)


# name: (kusari function, NumPy reference); inputs away from 0, 2.5 and 6
UNARY = {
    "clipped_relu": (lambda x: F.clipped_relu(x, 1.5), lambda x: np.clip(x, 0, 1.5)),
    "relu6": (F.relu6, lambda x: np.clip(x, 0, 6)),
    "selu": (F.selu, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))),
    "celu": (lambda x: F.celu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x / 0.7))),
    "hard_sigmoid": (F.hard_sigmoid, lambda x: np.clip(0.2 * x + 0.5, 0, 1)),
    "gelu": (F.gelu, lambda x: x * ndtr(x)),
    "log_sigmoid": (F.log_sigmoid, lambda x: -np.logaddexp(0, -x)),
}
COVERS_TABLES = {"test_unary": UNARY}
COVERS = {"crelu": "test_crelu_and_maxout", "maxout": "test_crelu_and_maxout",
          "prelu": "test_prelu", "rrelu": "test_rrelu"}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, dtype):
    fn, ref = UNARY[name]
    rng = np.random.default_rng(sorted(UNARY).index(name))
    x = away(rng, (2, 3), dtype, 0.2, 7.0)
    x[np.abs(np.abs(x) - 2.5) < 0.1] = 1.3
    x[np.abs(x - 1.5) < 0.1] = 1.2
    x[np.abs(x - 6) < 0.1] = 5.5
    check_all(fn, lambda a: ref(a.astype(np.float64)), [x], dtype)


def test_kinks_follow_chainer():
    """Gradients at the kinks: clipped_relu 0 at 0 and at z, hard_sigmoid 0 at
    +-2.5, prelu and rrelu 1 at 0 (x >= 0), leaky_relu and elu their slope."""
    def grad(f, x):
        v = Variable(np.array(x, np.float64))
        F.sum(f(v)).backward()
        return v.grad.tolist()
    assert grad(lambda v: F.clipped_relu(v, 2.0), [0.0, 2.0, 1.0, 3.0]) == [0, 0, 1, 0]
    assert grad(F.hard_sigmoid, [-2.5, 2.5, 0.0]) == [0, 0, 0.2]
    assert grad(lambda v: F.prelu(v[None], np.full(2, 0.25)), [0.0, -1.0]) == [1, 0.25]
    assert grad(lambda v: F.rrelu(v, r=np.full(2, 0.25)), [0.0, -1.0]) == [1, 0.25]
    y = F.clipped_relu(np.array([np.nan, 7.0], np.float32), 6.0).array
    assert np.isnan(y[0]) and y[1] == 6


@pytest.mark.parametrize("dtype", DTYPES)
def test_crelu_and_maxout(dtype):
    rng = np.random.default_rng(3)
    x = away(rng, (2, 3, 2), dtype)
    for axis in (1, -1, 0):
        check_all(lambda v: F.crelu(v, axis),
                  lambda a: np.concatenate([np.maximum(a, 0), np.maximum(-a, 0)], axis), [x],
                  dtype)
    m = (rng.permutation(24).reshape(2, 6, 2) * 0.25 - 3).astype(dtype)   # no ties
    check_all(lambda v: F.maxout(v, 3), lambda a: a.reshape(2, 2, 3, 2).max(axis=2), [m], dtype)
    check_all(lambda v: F.maxout(v, 2, axis=2), lambda a: a.max(axis=2, keepdims=True), [m],
              dtype)
    with pytest.raises(InvalidType):
        F.maxout(m, 4)
    with pytest.raises(ValueError):
        F.maxout(m, 0)
    with pytest.raises(TypeError):
        F.crelu(x, 1.0)
    with pytest.raises(InvalidType):
        F.crelu(x, 3)


@pytest.mark.parametrize("dtype", DTYPES)
def test_prelu(dtype):
    rng = np.random.default_rng(4)
    x = away(rng, (2, 3, 4), dtype)
    for wshape in ((3,), (3, 4)):
        w = rng.uniform(0.1, 0.9, wshape).astype(dtype)
        wb = w.reshape((1,) + wshape + (1,) * (2 - len(wshape)))
        check_all(F.prelu, lambda a, b: np.where(a >= 0, a, a * b.reshape(wb.shape)), [x, w],
                  dtype)
    with pytest.raises(InvalidType):
        F.prelu(x, np.ones(4, dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_rrelu(dtype):
    rng = np.random.default_rng(5)
    x = away(rng, (3, 4), dtype)
    r = rng.uniform(1 / 8, 1 / 3, (3, 4)).astype(dtype)
    check_all(lambda v: F.rrelu(v, r=r.astype(v.dtype)),
              lambda a: np.where(a >= 0, a, a * r.astype(a.dtype)), [x], dtype)
    # training draws r from NumPy's global generator, as Chainer
    np.random.seed(0)
    y, drawn = F.rrelu(x, return_r=True)
    np.random.seed(0)
    want = np.random.uniform(1 / 8, 1 / 3, x.shape).astype(dtype)
    np.testing.assert_array_equal(drawn, want)
    np.testing.assert_array_equal(y.array, np.where(x >= 0, x, x * want))
    with kusari.using_config("train", False):
        y, r_test = F.rrelu(x, l=0.1, u=0.3, return_r=True)
    np.testing.assert_allclose(r_test, np.full(x.shape, 0.2, dtype))
    for bad in ({"l": -0.1}, {"u": 1.0}, {"l": 0.3, "u": 0.2}):
        with pytest.raises(ValueError):
            F.rrelu(x, **bad)
    with pytest.raises(InvalidType):
        F.rrelu(x, r=r[:1])


def test_swish_with_an_array_beta():
    """Chainer's swish takes beta of shape x.shape[1:1 + beta.ndim]."""
    rng = np.random.default_rng(6)
    x = away(rng, (2, 3, 4), np.float64)
    beta = rng.uniform(0.5, 2, (3,))
    check_all(F.swish, lambda a, b: a / (1 + np.exp(-a * b[None, :, None])), [x, beta],
              np.float64)
    with pytest.raises(InvalidType):
        F.swish(x, np.ones(4))


def test_activations_refuse_integers():
    for fn in (F.relu, F.sigmoid, F.tanh, F.elu, F.leaky_relu, F.selu, F.hard_sigmoid,
               F.clipped_relu, F.softplus, F.swish, F.log_softmax, F.softmax):
        with pytest.raises(InvalidType):
            fn(np.arange(4).reshape(2, 2))
    with pytest.raises(TypeError):
        F.clipped_relu(np.ones(2, np.float32), 6)          # z must be a float
