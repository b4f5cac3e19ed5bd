"""`unary_math_function_unittest`: the standard tests of an elementwise unary
math function (forward against NumPy, backward and double backward against
finite differences), for shapes (3, 2) and () in float16/32/64."""
from __future__ import annotations

import unittest
import warnings

import numpy

from . import attr

_error = attr.get_error()


def is_available() -> bool:
    return _error is None


def check_available() -> None:
    if _error is not None:
        raise RuntimeError(f"{__name__} is not available.\n\n"
                           f"Reason: {type(_error).__name__}: {_error}")


def _is_old_style(func) -> bool:
    from ..function import Function
    return isinstance(func, Function)


def _func_name(func) -> str:
    return type(func).__name__.lower() if _is_old_style(func) else func.__name__


def _func_class(func):
    if _is_old_style(func):
        return type(func)
    from .. import functions
    return getattr(functions, func.__name__.capitalize(), None)


def _make_data_default(shape, dtype):
    x = numpy.random.uniform(-1, 1, shape).astype(dtype, copy=False)
    gy = numpy.random.uniform(-1, 1, shape).astype(dtype, copy=False)
    ggx = numpy.random.uniform(-1, 1, shape).astype(dtype, copy=False)
    return x, gy, ggx


def _squared(func):
    def f(x):
        y = func(x)
        return y * y
    return f


def unary_math_function_unittest(func, func_expected=None, label_expected=None,
                                 make_data=None, is_linear=None, forward_options=None,
                                 backward_options=None, double_backward_options=None):
    """Class decorator adding forward, backward and double-backward tests of
    the unary function `func` (compared with `func_expected`, by default the
    NumPy function of the same name). `make_data(shape, dtype)` returns
    (x, gy, ggx); the *_options dicts adjust the tolerances."""
    check_available()
    from .. import gradient_check
    from ..backends import cuda
    from ..variable import Variable
    from . import array as testing_array
    from .parameterized import parameterize, product

    new_style = not _is_old_style(func)
    name = _func_name(func)
    func_class = _func_class(func)
    if func_expected is None:
        try:
            func_expected = getattr(numpy, name)
        except AttributeError:
            raise ValueError("NumPy has no functions corresponding to Chainer "
                             f"function '{name}'.") from None
    if label_expected is None:
        label_expected = name
    elif func_class is None:
        raise ValueError("Expected label is given even though Chainer function "
                         "does not have its label.")
    if make_data is None:
        make_data = _make_data_default if new_style else \
            (lambda shape, dtype: _make_data_default(shape, dtype)[:2])
    if is_linear is not None:
        warnings.warn("is_linear option is deprecated", DeprecationWarning)

    def decorate(klass):
        assert issubclass(klass, unittest.TestCase)

        def setUp(self):
            if new_style:
                self.x, self.gy, self.ggx = make_data(self.shape, self.dtype)
            else:
                self.x, self.gy = make_data(self.shape, self.dtype)
            if self.dtype == numpy.float16:
                eps16 = numpy.finfo("float16").eps
                self.forward_options = {"atol": eps16, "rtol": eps16}
                self.backward_options = {"eps": 2 ** -4, "atol": 2 ** -4,
                                         "rtol": 2 ** -4, "dtype": numpy.float64}
                self.double_backward_options = dict(self.backward_options)
            else:
                self.forward_options = {"atol": 1e-4, "rtol": 1e-4}
                self.backward_options = {"dtype": numpy.float64, "atol": 1e-4,
                                         "rtol": 1e-4}
                self.double_backward_options = dict(self.backward_options)
            self.forward_options.update(forward_options or {})
            self.backward_options.update(backward_options or {})
            self.double_backward_options.update(double_backward_options or {})

        def check_forward(self, x_data):
            y = func(Variable(x_data))
            self.assertEqual(y.data.dtype, x_data.dtype)
            expected = func_expected(cuda.to_cpu(x_data), dtype=x_data.dtype)
            testing_array.assert_allclose(expected, y.data, **self.forward_options)

        def check_backward(self, x_data, y_grad):
            gradient_check.check_backward(func, x_data, y_grad, **self.backward_options)

        def check_double_backward(self, x_data, y_grad, x_grad_grad):
            f = _squared(func) if is_linear else func
            gradient_check.check_double_backward(f, x_data, y_grad, x_grad_grad,
                                                 **self.double_backward_options)

        methods = {
            "setUp": setUp,
            "check_forward": check_forward,
            "test_forward_cpu": lambda self: self.check_forward(self.x),
            "test_forward_gpu": attr.gpu(
                lambda self: self.check_forward(cuda.to_gpu(self.x))),
            "check_backward": check_backward,
            "test_backward_cpu": lambda self: self.check_backward(self.x, self.gy),
            "test_backward_gpu": attr.gpu(lambda self: self.check_backward(
                cuda.to_gpu(self.x), cuda.to_gpu(self.gy))),
        }
        if new_style:
            methods.update({
                "check_double_backward": check_double_backward,
                "test_double_backward_cpu": lambda self: self.check_double_backward(
                    self.x, self.gy, self.ggx),
                "test_double_backward_gpu": attr.gpu(
                    lambda self: self.check_double_backward(
                        cuda.to_gpu(self.x), cuda.to_gpu(self.gy),
                        cuda.to_gpu(self.ggx))),
            })
        if func_class is not None:
            def test_label(self):
                self.assertEqual(func_class().label, label_expected)
            methods["test_label"] = test_label
        for method_name, method in methods.items():
            if method_name.startswith("test_"):
                method.__name__ = method_name
            setattr(klass, method_name, method)
        return parameterize(*product({
            "shape": [(3, 2), ()],
            "dtype": [numpy.float16, numpy.float32, numpy.float64],
        }))(klass)
    return decorate
