"""kusari.gradient_check: Chainer's check_backward / check_double_backward."""
from __future__ import annotations

import numpy as np
import pytest

import kusari.functions as F
from kusari import backprop, gradient_check
from kusari.compiler import ops, sym


def data(*shape, seed=0, lo=-1, hi=1, dtype=np.float64):
    return np.random.default_rng(seed).uniform(lo, hi, shape).astype(dtype)


@pytest.mark.parametrize("func,lo", [(F.tanh, -1), (F.exp, -1), (F.log, 0.5),
                                     (lambda x: x * x * x, -1), (F.sigmoid, -1)])
def test_check_backward_and_double_backward_pass(func, lo):
    x = data(3, 4, lo=lo, hi=lo + 2)
    gy = data(3, 4, seed=1)
    ggx = data(3, 4, seed=2)
    gradient_check.check_backward(func, x, gy)
    gradient_check.check_double_backward(func, x, gy, ggx)


def test_float16_checked_in_float64():
    x = data(5, dtype=np.float16)
    gradient_check.check_backward(F.tanh, x, data(5, seed=3, dtype=np.float16),
                                  dtype=np.float64, atol=1e-2, rtol=1e-2)


def test_several_inputs_and_params():
    from kusari import Variable
    w = Variable(data(3, seed=4))
    gradient_check.check_backward(lambda a, b: a * b + w, (data(3), data(3, seed=5)),
                                  data(3, seed=6), params=(w,))


def test_scalar_output_needs_no_y_grad():
    gradient_check.check_backward(lambda x: F.sum(x * x), data(4), None)


def test_wrong_gradient_is_caught():
    sin = ops.get("sin")
    right = sin.grad
    sin.grad = lambda gy, y, x: (gy * sym.cos(x) * 2,)     # deliberately wrong
    backprop.clear_plans()
    try:
        with pytest.raises(AssertionError, match="check_backward failed"):
            gradient_check.check_backward(F.sin, data(4), data(4, seed=7))
    finally:
        sin.grad = right
        backprop.clear_plans()
    gradient_check.check_backward(F.sin, data(4), data(4, seed=7))


def test_wrong_second_derivative_is_caught():
    cos = ops.get("cos")
    right = cos.grad
    cos.grad = lambda gy, y, x: (gy * sym.sin(x),)          # sign flipped
    backprop.clear_plans()
    try:
        with pytest.raises(AssertionError):
            gradient_check.check_double_backward(F.sin, data(4), data(4, seed=8),
                                                 data(4, seed=9))
    finally:
        cos.grad = right
        backprop.clear_plans()


def test_numerical_grad():
    x = data(3)
    gy = data(3, seed=10)
    gx, = gradient_check.numerical_grad(lambda: (np.sin(x),), (x,), (gy,), eps=1e-6)
    np.testing.assert_allclose(gx, np.cos(x) * gy, rtol=1e-8)
