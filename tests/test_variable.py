"""Variable, Parameter and kusari.grad: Chainer's API, its traps and its errors."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Parameter, Variable
from kusari.utils.type_check import InvalidType


def v(a, dtype=np.float32, **kw):
    return Variable(np.array(a, dtype=dtype), **kw)


# -- construction and attributes ------------------------------------------------

def test_attributes():
    x = v([[1, 2, 3], [4, 5, 6]], name="x")
    assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and len(x) == 2
    assert x.dtype == np.float32 and x.name == "x"
    assert x.data is x.array
    assert x.T.shape == (3, 2)
    assert x.reshape(3, 2).shape == (3, 2) and x.reshape((6,)).shape == (6,)
    assert x.transpose(1, 0).shape == (3, 2)
    assert x.requires_grad and x.creator is None
    y = x * 2
    assert y.creator is not None and y.creator.label == "_ * _"
    assert v(3.5).item() == 3.5


def test_repr_and_str():
    assert repr(v(3.0)) == "variable(3.)"
    assert repr(v([1, 2])) == "variable([1., 2.])"
    assert str(v([1, 2])) == "variable([1. 2.])"
    assert repr(Variable(np.zeros((0, 3), np.float32))) == "variable([], shape=(0, 3))"
    p = Parameter(name="W")
    assert repr(p) == "variable W(None)"
    q = Parameter(np.zeros((2, 2), np.float32), name="W")
    assert repr(q) == "variable W([[0., 0.],\n            [0., 0.]])"


def test_non_array_data_is_refused():
    for bad in (5.0, [1, 2], "x", 3):
        with pytest.raises(TypeError, match="numpy.ndarray or cuda.ndarray are expected"):
            Variable(bad)


def test_unhashable_and_no_comparisons():
    x = v([1.0])
    with pytest.raises(TypeError, match="unhashable"):
        hash(x)
    with pytest.raises(TypeError, match="Variables do not support < operator"):
        x < x
    with pytest.raises(TypeError, match="Variables do not support == operator"):
        x == x
    with pytest.raises(TypeError, match="cannot be evaluated as Python bool"):
        bool(x)
    with pytest.raises(TypeError, match="cannot be evaluated as Python bool"):
        if x:
            pass


def test_ndarray_on_the_left_defers_to_variable():
    x = v([1.0, 2.0])
    for y in (np.array([1.0, 1.0], np.float32) + x, np.ones(2, np.float32) * x):
        assert isinstance(y, Variable)


# -- dtypes are kept ------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_constants_take_the_arrays_dtype(dtype):
    x = v([1.0, 2.0], dtype)
    for y in (x * 2, 2 * x, x + 1e10, x * np.float64(0.5), x ** 0.5, 1 / x, x - 3):
        assert y.dtype == dtype


def test_int_array_meeting_float_becomes_float64():
    x = Variable(np.array([1, 2], np.int32))
    assert (x * 2).dtype == np.int32
    assert (x * 2.5).dtype == np.float64


def test_mixed_float_dtypes_are_refused():
    with pytest.raises(InvalidType) as e:
        v([1.0]) + v([1.0], np.float64)
    assert str(e.value) == ("\nInvalid operation is performed in: _ + _ (Forward)\n\n"
                            "Expect: lhs.dtype == rhs.dtype\nActual: float32 != float64")


# -- InvalidType messages ---------------------------------------------------------

def test_linear_invalid_type_message():
    x = np.zeros((2, 3), np.float32)
    W = np.zeros((4, 5), np.float32)
    with pytest.raises(InvalidType) as e:
        F.linear(x, W)
    assert str(e.value) == ("\nInvalid operation is performed in: LinearFunction (Forward)"
                            "\n\nExpect: x.shape[1] == W.shape[1]\nActual: 3 != 5")
    assert e.value.expect == "x.shape[1] == W.shape[1]"
    assert e.value.actual == "3 != 5"


def test_broadcast_mismatch_message():
    with pytest.raises(InvalidType) as e:
        v(np.zeros((2, 3))) * v(np.zeros((3, 3)))
    assert "Invalid operation is performed in: _ * _ (Forward)" in str(e.value)
    assert "(2, 3), (3, 3)" in str(e.value)


@pytest.mark.parametrize("call,where", [
    (lambda: F.sum(v(np.zeros((2, 3))), axis=2), "Sum"),
    (lambda: F.reshape(v(np.zeros((2, 3))), (4, 2)), "Reshape"),
    (lambda: F.transpose(v(np.zeros((2, 3))), (0, 0)), "Transpose"),
    (lambda: F.matmul(v(np.zeros((2, 3))), v(np.zeros((4, 2)))), "MatMul"),
    (lambda: F.broadcast_to(v(np.zeros((2, 3))), (3, 3)), "BroadcastTo"),
    (lambda: v(np.zeros((2, 3)))[5], "GetItem"),
    (lambda: v(np.zeros((2, 3)))[np.array([0, 7])], "GetItem"),
    (lambda: v(np.zeros((2, 3)))[0, 0, 0], "GetItem"),
    (lambda: F.exp(Variable(np.array([1, 2]))), "Exp"),
    (lambda: F.max(v(np.zeros((0, 3))), axis=0), "Max"),
    (lambda: F.concat([v(np.zeros((2, 3))), v(np.zeros((3, 3)))], axis=1), "Concat"),
])
def test_bad_operands_name_the_op(call, where):
    with pytest.raises(InvalidType) as e:
        call()
    assert f"Invalid operation is performed in: {where} (Forward)" in str(e.value)


def test_type_check_can_be_turned_off():
    x = v(np.zeros((2, 3)))
    with kusari.using_config("type_check", False):
        assert (x * 2).shape == (2, 3)


@pytest.mark.parametrize("swap", [False, True])
def test_unchecked_mixed_dtypes_promote_as_numpy_and_differentiate(swap):
    # Chainer computes such a product in NumPy's type (and then fails in its
    # backward); kusari casts the narrower operand, so gradients keep each
    # operand's dtype
    a = v(np.full((2, 3), 2.0, np.float32))
    b = kusari.Variable(np.full((2, 3), 3.0, np.float64))
    with kusari.using_config("type_check", False):
        y = b * a if swap else a * b
        assert y.dtype == np.float64
        np.testing.assert_array_equal(y.array, np.full((2, 3), 6.0))
        F.sum(y).backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_array_equal(a.grad, np.full((2, 3), 3.0, np.float32))
    np.testing.assert_array_equal(b.grad, np.full((2, 3), 2.0))
    with pytest.raises(InvalidType):           # checked, they are refused
        a * b


# -- gradients: setting, clearing, accumulating ------------------------------------

def test_grad_setter_checks_like_chainer():
    x = v(np.zeros((2, 3)))
    with pytest.raises(TypeError) as e:
        x.grad = np.zeros((2, 3), np.float64)
    assert str(e.value) == "Dtype of data and grad mismatch\ngrad: float64 != data: float32"
    with pytest.raises(ValueError) as e:
        x.grad = np.zeros((3, 3), np.float32)
    assert str(e.value) == "Shape of data and grad mismatch\ngrad: (3, 3) != data: (2, 3)"
    with pytest.raises(TypeError, match="Type of data and grad mismatch"):
        x.grad = [[0, 0, 0], [0, 0, 0]]
    x.grad = np.ones((2, 3), np.float32)
    assert x.grad_var.array is x.grad
    x.cleargrad()
    assert x.grad is None and x.grad_var is None


def test_zerograd_addgrad_copydata():
    x = v([1.0, 2.0])
    x.zerograd()
    np.testing.assert_array_equal(x.grad, [0, 0])
    y = v([3.0, 4.0])
    y.grad = np.array([1, 1], np.float32)
    x.addgrad(y)
    np.testing.assert_array_equal(x.grad, [1, 1])
    x.copydata(y)
    np.testing.assert_array_equal(x.array, [3, 4])


def test_parameter_traps():
    p = Parameter(kusari.initializers.Constant(1.0), (2,))
    assert np.isnan(p.grad).all()                    # forgetting cleargrads shows
    q = Parameter()
    with pytest.raises(RuntimeError, match="Cannot retrieve Variable.grad"):
        q.grad
    q.cleargrad()
    assert q.grad is None
    r = Parameter()
    r.initialize((2, 3))
    assert r.shape == (2, 3) and np.isnan(r.grad).all()
    s = Parameter(np.zeros(3, np.float32))
    assert s.grad is None


def test_leaves_accumulate_and_output_keeps_its_grad():
    # the seeds' semantics (Chainer 7 uses the output's grad up instead)
    x = v([5.0])
    y = x * x
    y.backward()
    y.backward()
    np.testing.assert_array_equal(x.grad, [20.0])
    np.testing.assert_array_equal(y.grad, [1.0])


def test_intermediate_grads_the_user_set_stay():
    # Chainer: a backward without retain_grad clears only what one with it gave
    x = v([2.0])
    h = x * 3
    y = h * h
    h.grad = np.array([7.0], np.float32)
    y.backward()
    np.testing.assert_array_equal(h.grad, [7.0])
    y.backward(retain_grad=True)
    np.testing.assert_array_equal(h.grad, [12.0])
    y.backward()
    assert h.grad is None


def test_backward_on_a_leaf_does_nothing():
    x = v([5.0])
    x.backward()
    assert x.grad is None


def test_requires_grad_false_gets_no_grad():
    x = v([1.0, 2.0], requires_grad=False)
    w = v([3.0, 4.0])
    y = F.sum(x * w)
    y.backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad, [1, 2])
    z = x * 2
    assert z.creator is None and not z.requires_grad


def test_integer_inputs_get_no_gradient():
    x = v([[1.0, 2.0], [3.0, 4.0]])
    i = Variable(np.array([1, 0]))
    y = F.sum(x[i])
    y.backward()
    np.testing.assert_array_equal(x.grad, np.ones((2, 2)))
    assert i.grad is None


def test_no_backprop_and_force_backprop_modes():
    x = v([1.0])
    with kusari.no_backprop_mode():
        y = x * 2
        with kusari.force_backprop_mode():
            z = x * 3
    assert y.creator is None
    assert z.creator is not None
    assert kusari.config.enable_backprop


def test_using_config_restores():
    assert kusari.config.train
    with kusari.using_config("train", False):
        assert not kusari.config.train
    assert kusari.config.train


def test_unchain():
    x = v([2.0])
    h = x * x
    y = h * 3
    h.unchain()
    y.backward()
    assert x.grad is None
    np.testing.assert_array_equal(h.grad, [3.0])


def test_unchain_backward():
    x = v([2.0])
    y = (x * x) * 3
    y.unchain_backward()
    y.backward()
    assert x.grad is None


# -- kusari.grad ----------------------------------------------------------------------

def test_grad_leaves_x_grad_alone():
    x = v([1.0, 2.0])
    y = x * x
    gx, = kusari.grad([y], [x])            # grad_outputs default to ones, any shape
    np.testing.assert_array_equal(gx.array, [2, 4])
    assert x.grad is None


def test_grad_unreachable_and_grad_inputs_and_set_grad():
    x, w = v([1.0, 2.0]), v([3.0, 4.0])
    y = x * 2
    gx, gw = kusari.grad([y], [x, w], grad_inputs=[v([10.0, 10.0]), None], set_grad=True)
    np.testing.assert_array_equal(gx.array, [12, 12])
    assert gw is None
    np.testing.assert_array_equal(x.grad, [12, 12])


def test_grad_with_respect_to_an_intermediate():
    x = v([3.0])
    h = x * x
    y = h * h
    gh, gx = kusari.grad([y], [h, x])
    np.testing.assert_array_equal(gh.array, [18.0])
    np.testing.assert_array_equal(gx.array, [108.0])


def test_grad_argument_errors():
    x = v([1.0])
    with pytest.raises(TypeError, match="outputs must be a tuple or a list"):
        kusari.grad(x, [x])
    with pytest.raises(ValueError, match="grad_outputs must be of the same length"):
        kusari.grad([x * 2], [x], grad_outputs=[None, None])


def test_third_derivative_of_tanh():
    xs = np.linspace(-2, 2, 7)
    x = Variable(xs)
    g1, = kusari.grad([F.sum(F.tanh(x))], [x], enable_double_backprop=True)
    g2, = kusari.grad([F.sum(g1)], [x], enable_double_backprop=True)
    g3, = kusari.grad([F.sum(g2)], [x])
    t = np.tanh(xs)
    np.testing.assert_allclose(g3.array, (1 - t**2) * (6 * t**2 - 2), rtol=1e-12)


def test_fourth_order_through_backward():
    x = v([0.3, -0.7], np.float64)
    y = F.sum(F.sin(x))
    y.backward(enable_double_backprop=True)
    for _ in range(3):
        g = x.grad_var
        x.cleargrad()
        F.sum(g).backward(enable_double_backprop=True)
    np.testing.assert_allclose(x.grad, np.sin([0.3, -0.7]), rtol=1e-12)


# -- debug mode and errors leave nothing half-done ------------------------------------

def test_debug_names_the_op_forward_and_backward():
    with kusari.using_config("debug", True):
        with pytest.raises(RuntimeError, match="NaN is detected on forward computation of Log"):
            F.log(v([-1.0]))
        x = v([0.0, 1.0])
        y = F.sqrt(x)
        y.grad = np.zeros(2, np.float32)
        with pytest.raises(RuntimeError,
                           match="NaN is detected on backward computation of Sqrt"):
            y.backward()
    assert x.grad is None      # nothing half-assigned


def test_no_half_update_when_an_op_fails():
    x = v([1.0, 2.0])
    x.grad = np.array([1.0, 1.0], np.float32)
    with pytest.raises(InvalidType):
        F.sum(x * v([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad, [1, 1])


def test_loss_scale():
    x = v([2.0])
    y = x * x
    y.backward(loss_scale=8.0)
    np.testing.assert_array_equal(x.grad, [32.0])


def test_floordiv_operators():
    x = v([7.0, -7.0])
    np.testing.assert_array_equal((x // 2).array, [3.0, -4.0])
    np.testing.assert_array_equal((20 // x).array, [2.0, -3.0])


def test_parameter_copies_share_the_array_initialized_later():
    import copy
    p = kusari.Parameter()
    q = copy.copy(p)
    p.initialize((2, 3))
    assert q.array is p.array and q.shape == (2, 3)
    p.array = np.zeros((2, 3), np.float32)
    assert q.array is p.array
    r = copy.deepcopy(p)
    p.initialize((2, 3))
    assert r.array is not p.array


def test_variable_node_is_chainers_variable_node():
    from kusari.variable import VariableNode
    x = v([1.0, 2.0])
    assert isinstance(x.node, VariableNode) and x.node.data is x.array
    assert x.node.label == "(2), float32" and x.rank == 0
    with pytest.raises(ValueError):
        VariableNode(x, "x", grad=None)


def test_chainer_backward_uses_up_the_outputs_grads():
    x = v([1.0, 2.0])
    h = x * 2
    y0, y1 = h * 3, h * 4
    y0.grad = np.array([1.0, 10.0], np.float32)
    y1.grad = np.array([100.0, 1000.0], np.float32)
    kusari.backward([y0, y1])
    np.testing.assert_array_equal(x.grad, [806.0, 8060.0])
    assert y0.grad is None and y1.grad is None
    with pytest.warns(RuntimeWarning):
        kusari.backward([y0])                    # nothing left to propagate
    leaf = v([3.0])
    leaf.grad = np.array([5.0], np.float32)
    kusari.backward([leaf])                      # a leaf output keeps its grad
    np.testing.assert_array_equal(leaf.grad, [5.0])
