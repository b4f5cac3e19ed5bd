"""kusari.gradient_check: Chainer's check_backward / check_double_backward."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
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


def test_detect_nondifferentiable_finds_a_kink_and_passes_a_smooth_point():
    x = np.array([0.0])
    with pytest.raises(gradient_check.NondifferentiableError):
        gradient_check.numerical_grad(lambda: (np.abs(x),), (x,), (np.ones(1),),
                                      detect_nondifferentiable=True)
    y = np.array([0.5])
    gx, = gradient_check.numerical_grad(lambda: (np.abs(y) ** 3,), (y,),
                                        (np.ones(1),), eps=1e-3,
                                        detect_nondifferentiable=True)
    np.testing.assert_allclose(gx, 3 * 0.25, rtol=1e-6)    # third-order accurate


def test_numerical_grad_refuses_integer_inputs():
    with pytest.raises(RuntimeError, match="kind of float"):
        gradient_check.numerical_grad(lambda: (None,), (np.arange(3),), (None,))


def test_an_input_without_gradient_counts_as_zero():
    # y does not depend on b: b's gradient is None, which is what a zero
    # gradient is, so the check passes
    gradient_check.check_backward(lambda a, b: F.sin(a), (data(3), data(3, seed=1)),
                                  data(3, seed=2))


def test_no_grads_must_match_and_integer_inputs_get_none():
    x = data(3)
    idx = np.array([0, 2, 1], np.int32)
    gradient_check.check_backward(lambda a, i: a[i.array] * 2, (x, idx), data(3, seed=3))
    with pytest.raises(ValueError, match="no_grads"):
        gradient_check.check_backward(F.sin, x, data(3), no_grads=[False, True])


def test_y_grad_none_needs_a_scalar_output():
    with pytest.raises(ValueError, match="cannot be omitted"):
        gradient_check.check_backward(F.sin, data(3), None)


def test_an_output_that_is_its_input_gets_its_upstream_gradient():
    # chainer.backward gives a leaf output its upstream gradient: returning
    # the input itself, or a gradient that is the upstream gradient itself
    gradient_check.check_backward(lambda x: x, data(3), data(3, seed=4))

    class Identity(kusari.FunctionNode):
        def forward(self, inputs):
            return inputs[0].copy(),

        def backward(self, indexes, grad_outputs):
            return grad_outputs[0],

    def f(x):
        y, = Identity().apply((x,))
        return y
    gradient_check.check_double_backward(f, data(3), data(3, seed=5), data(3, seed=6))


def test_sample_unit_vector():
    v = gradient_check._CheckBackward._sample_unit_vector(50, np)
    assert v.shape == (50,)
    np.testing.assert_allclose((v * v).sum(), 1.0)
    assert np.abs(v).min() >= 0.1 / np.sqrt(50)
