"""Every Variable, derivative and Link example of the seeds, with the values
they print (`import kusari as chainer`). Where the notebook (001) and Chainer 7
differ, the notebook wins (see ../shared/seeds/README.md)."""
from __future__ import annotations

import numpy as np
import pytest

import kusari as chainer
import kusari.functions as F
import kusari.links as L
from kusari import Variable


def test_import_block_resolves():
    # 001 and 002's import blocks, and 003's
    from kusari import (Chain, ChainList, Function, Link, datasets,  # noqa: F401
                        gradient_check, iterators, link, optimizers, report,
                        serializers, training, utils)
    from kusari import cuda  # noqa: F401
    from kusari.backends import cuda as cuda2  # noqa: F401
    from kusari.training import extensions  # noqa: F401
    assert callable(report)


# -- 000 variables.rst / 002 blog post ----------------------------------------

def test_000_polynomial():
    x_data = np.array([5], dtype=np.float32)
    x = Variable(x_data)
    y = x**2 - 2 * x + 1
    assert repr(y.array) == "array([16.], dtype=float32)"
    assert y.data is y.array
    y.backward()
    assert repr(x.grad) == "array([8.], dtype=float32)"


def test_000_retain_grad():
    x = Variable(np.array([5], dtype=np.float32))
    z = 2 * x
    y = x**2 - z + 1
    y.backward(retain_grad=True)
    assert repr(z.grad) == "array([-1.], dtype=float32)"


def test_002_intermediate_grad_is_none_without_retain_grad():
    x = Variable(np.array([5], dtype=np.float32))
    z = 2 * x
    y = x**2 - z + 1
    y.backward()
    assert z.grad is None


def test_000_multi_element_needs_initial_error():
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x**2 - 2 * x + 1
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward()
    assert repr(x.grad) == ("array([[ 0.,  2.,  4.],\n"
                            "       [ 6.,  8., 10.]], dtype=float32)")


def test_002_initial_error_scales_gradient():
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x**2 - 2 * x + 1
    y.grad = np.array([[0, 0, 0], [1, 2, 3]], dtype=np.float32)
    y.backward()
    np.testing.assert_array_equal(x.grad, [[0, 0, 0], [6, 16, 30]])


def test_000_double_backprop():
    x = chainer.Variable(np.array([[0, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x ** 3
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward(enable_double_backprop=True)
    assert repr(x.grad_var) == ("variable([[  0.,  12.,  27.],\n"
                                "          [ 48.,  75., 108.]])")
    assert x.grad_var.array is x.grad
    assert (x.grad == (3 * x**2).array).all()
    gx = x.grad_var
    x.cleargrad()
    gx.grad = np.ones((2, 3), dtype=np.float32)
    gx.backward()
    assert repr(x.grad) == ("array([[ 0., 12., 18.],\n"
                            "       [24., 30., 36.]], dtype=float32)")
    assert (x.grad == (6 * x).array).all()


def test_002_without_double_backprop_second_backward_gives_nothing():
    x = chainer.Variable(np.array([[0, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x ** 3
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward()
    gx = x.grad_var
    x.cleargrad()
    gx.grad = np.ones((2, 3), dtype=np.float32)
    gx.backward()
    assert x.grad is None


def test_002_without_cleargrad_second_order_adds_to_first():
    x = chainer.Variable(np.array([[0, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x ** 3
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward(enable_double_backprop=True)
    gx = x.grad_var
    np.testing.assert_array_equal(x.grad, [[0, 12, 27], [48, 75, 108]])
    gx.grad = np.ones((2, 3), dtype=np.float32)
    gx.backward()
    np.testing.assert_array_equal(x.grad, [[0, 24, 45], [72, 105, 144]])


# -- 001 notebook: the Variable cells ------------------------------------------

def test_001_variable_cells():
    x = Variable(np.array([5], dtype=np.float32))
    assert repr(x) == "variable([5.])"
    assert repr(x.data) == "array([5.], dtype=float32)"
    y = x**2 - 2 * x + 1
    np.testing.assert_array_equal(y.data, [16.])
    y.backward()
    np.testing.assert_array_equal(x.grad, [8.])
    z = 2 * x
    y = x**2 - z + 1
    y.backward(retain_grad=True)
    np.testing.assert_array_equal(z.grad, [-1.])
    y.backward()                       # [8]: a second backward accumulates again
    assert z.grad is None              # [9]
    np.testing.assert_array_equal(x.grad, [24.])   # [10]
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x**2 - 2 * x + 1
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward()
    np.testing.assert_array_equal(x.grad, [[0, 2, 4], [6, 8, 10]])
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x**2 - 2 * x + 1
    y.backward()                       # [12]: no initial error, nothing flows
    assert x.grad is None


# -- 003 blog post: types ---------------------------------------------------------

def test_003_scalar_is_refused():
    with pytest.raises(TypeError) as e:
        Variable(5.0)
    assert str(e.value) == ("numpy.ndarray or cuda.ndarray are expected.\n"
                            "Actual: <class 'float'>")


def test_003_float64_by_default():
    x = Variable(np.array([5.0]))
    y = x**2 - 2 * x + 1
    assert repr(y.data) == "array([16.])"
    y.backward()
    assert repr(x.grad) == "array([8.])"
    dy = 2 * x - 2
    assert repr(dy.data) == "array([8.])"
    assert type(x.data[0]) is np.float64
    assert type(y.data[0]) is np.float64
    assert type(x.grad[0]) is np.float64


def test_003_float16_stays_float16():
    x = Variable(np.array([5.0], dtype=np.float16))
    y = x**2 - 2 * x + 1
    y.backward()
    assert x.grad[0] == 8.0
    assert type(x.grad[0]) is np.float16
    assert y.dtype == np.float16


# -- 004 links.rst and the notebook's link cells ------------------------------------

def test_004_linear_link():
    np.random.seed(0)
    f = L.Linear(3, 2)
    np.testing.assert_allclose(f.W.data, [[1.0184761, 0.23103087, 0.5650746],
                                          [1.2937803, 1.0782351, -0.56423163]],
                               rtol=1e-7)
    assert f.W.dtype == np.float32
    assert repr(f.b.data) == "array([0., 0.], dtype=float32)"
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = f(x)
    np.testing.assert_allclose(y.data, [[3.1757617, 1.7575557],
                                        [8.619507, 7.1809077]], rtol=1e-6)
    f.cleargrads()
    y.grad = np.ones((2, 2), dtype=np.float32)
    y.backward()
    assert repr(f.W.grad) == ("array([[5., 7., 9.],\n"
                              "       [5., 7., 9.]], dtype=float32)")
    assert repr(f.b.grad) == "array([2., 2.], dtype=float32)"


def test_001_lazy_linear_and_accumulation():
    f = L.Linear(2)
    assert repr(f.W) == "variable W(None)"
    assert repr(f.b) == "variable b([0., 0.])"
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = f(x)
    assert f.W.shape == (2, 3)
    f.cleargrads()
    y.grad = np.ones((2, 2), dtype=np.float32)
    y.backward()
    np.testing.assert_array_equal(f.W.grad, [[5, 7, 9], [5, 7, 9]])
    np.testing.assert_array_equal(f.b.grad, [2, 2])
    y.backward()                      # [22]-[23]: without cleargrads they add up
    np.testing.assert_array_equal(f.W.grad, [[10, 14, 18], [10, 14, 18]])
    np.testing.assert_array_equal(f.b.grad, [4, 4])
    f.cleargrads()
    y.grad = np.ones((2, 2), dtype=np.float32)
    y.backward()
    np.testing.assert_array_equal(f.W.grad, [[5, 7, 9], [5, 7, 9]])


class MyChain(chainer.Chain):
    def __init__(self):
        super(MyChain, self).__init__()
        with self.init_scope():
            self.l1 = L.Linear(4, 3)
            self.l2 = L.Linear(3, 2)

    def __call__(self, x):
        h = self.l1(x)
        return self.l2(h)


class MyChain2(chainer.ChainList):
    def __init__(self):
        super(MyChain2, self).__init__(L.Linear(4, 3), L.Linear(3, 2))

    def __call__(self, x):
        return self[1](self[0](x))


def test_001_chains_and_optimizer():
    np.random.seed(3)
    model = MyChain()
    assert [name for name, _ in model.namedparams()] == ["/l1/W", "/l1/b", "/l2/W", "/l2/b"]
    chain2 = MyChain2()
    assert len(list(chain2.params())) == 4
    optimizer = chainer.optimizers.SGD(lr=0.01)
    optimizer.setup(model)
    optimizer.add_hook(chainer.optimizer.WeightDecay(0.0005))
    x = np.random.uniform(-1, 1, (2, 4)).astype("f")
    model.cleargrads()
    loss = F.sum(model(chainer.Variable(x)))
    assert loss.shape == ()
    W1 = model.l1.W.array.copy()
    W2 = model.l2.W.array
    loss.backward()
    # dL/dW1 = (1^T W2)^T x summed over the batch
    want = np.outer(W2.sum(axis=0), x.sum(axis=0))
    np.testing.assert_allclose(model.l1.W.grad, want, rtol=1e-5)
    grad = model.l1.W.grad.copy()
    optimizer.update()
    np.testing.assert_allclose(model.l1.W.array, W1 - 0.01 * (grad + 0.0005 * W1),
                               rtol=1e-6)
    # [37]: backward of the old graph sees the updated (in-place) parameters
    model.cleargrads()
    loss.backward()
    want = np.outer(model.l2.W.array.sum(axis=0), x.sum(axis=0))
    np.testing.assert_allclose(model.l1.W.grad, want, rtol=1e-5)


def test_001_update_with_lossfun():
    np.random.seed(1)
    model2 = MyChain()
    optimizer = chainer.optimizers.SGD(lr=0.01)
    optimizer.setup(model2)
    arg1 = np.random.uniform(-1, 1, (100, 4)).astype("f")
    arg2 = np.random.uniform(-1, 1, (100, 4)).astype("f")
    before = model2.l1.W.array.copy()
    W2 = model2.l2.W.array.copy()

    def lossfun(a, b):
        return F.sum(model2(a - b))

    optimizer.update(lossfun, chainer.Variable(arg1), chainer.Variable(arg2))
    d = (arg1 - arg2).sum(axis=0)
    want = before - 0.01 * np.outer(W2.sum(axis=0), d)
    np.testing.assert_allclose(model2.l1.W.array, want, rtol=1e-5)
    assert optimizer.t == 1
