"""`FunctionTestCase`, `LinkTestCase`, `LinkInitializersTestCase`: declare a
function's (or link's) inputs, forward and expected forward; the class runs
the forward check, the gradient check against finite differences and the
second-order gradient check, once per backend configuration (use with
`inject_backend_tests`).

Inputs come from `generate_inputs()` (NumPy arrays); unless `contiguous =
'C'`, the arrays the function sees are non-contiguous views, so a function
that assumes contiguity fails here rather than in a user's model.
"""
from __future__ import annotations

import contextlib
import io
import unittest

import numpy

from .. import backend
from . import array as array_module


class _TestError(AssertionError):
    """Base of the errors saying the function (or link) under test is wrong."""

    @classmethod
    def check(cls, expr, message):
        if not expr:
            raise cls(message)

    @classmethod
    def fail(cls, message, exc=None):
        if exc is not None:
            from ..utils import _raise_from
            _raise_from(cls, message, exc)
        raise cls(message)

    @classmethod
    @contextlib.contextmanager
    def raise_if_fail(cls, message, error_types=AssertionError):
        try:
            yield
        except error_types as e:
            cls.fail(message, e)


class FunctionTestError(_TestError):
    """The function under test is implemented incorrectly."""


class LinkTestError(_TestError):
    """The link under test is implemented incorrectly."""


class InitializerArgument:
    """An initializer argument of a link paired with the initializer the link
    should end up using (e.g. `InitializerArgument(None, 0)` for a bias that
    defaults to zeros)."""

    def __init__(self, argument_value, expected_initializer):
        if expected_initializer is None:
            raise ValueError("Expected initialized cannot be None.")
        _check_is_initializer_like(expected_initializer)
        self.argument_value = argument_value
        self.expected_initializer = expected_initializer


def _check_is_initializer_like(initializer):
    from .. import initializers
    check = getattr(initializers, "_check_is_initializer_like", None)
    if check is not None:
        check(initializer)
    elif not (callable(initializer) or numpy.isscalar(initializer) or
              isinstance(initializer, backend.get_array_types())):
        raise TypeError("Initializer is of wrong type: "
                        f"{type(initializer).__name__}. Allowed types are "
                        "callable, scalar and ndarray.")


def _variable(array, **kwargs):
    from ..variable import Variable
    return Variable(array, **kwargs)


def _random_like(templates):
    return tuple(numpy.random.uniform(-1, 1, a.shape).astype(a.dtype)
                 for a in templates)


class FunctionTestBase:
    """The checks of FunctionTestCase, for classes that define their own
    test methods (see FunctionTestCase for the protocol)."""

    backend_config = None
    check_forward_options = None
    check_backward_options = None
    check_double_backward_options = None
    skip_forward_test = False
    skip_backward_test = False
    skip_double_backward_test = False
    dodge_nondifferentiable = False
    numerical_grad_dtype = numpy.float64
    contiguous = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.check_forward_options = {}
        self.check_backward_options = {}
        self.check_double_backward_options = {}

    # -- what a test case defines -------------------------------------------------
    def before_test(self, test_name):
        pass

    def forward(self, inputs, device):
        raise NotImplementedError("forward() is not implemented.")

    def forward_expected(self, inputs):
        raise NotImplementedError("forward_expected() is not implemented.")

    def generate_inputs(self):
        raise NotImplementedError("generate_inputs() is not implemented.")

    def generate_grad_outputs(self, outputs_template):
        return _random_like(outputs_template)

    def generate_grad_grad_inputs(self, inputs_template):
        return _random_like(inputs_template)

    def check_forward_outputs(self, outputs, expected_outputs):
        assert isinstance(outputs, tuple)
        assert isinstance(expected_outputs, tuple)
        types = backend.get_array_types()
        assert all(isinstance(a, types) for a in outputs)
        assert all(isinstance(a, types) for a in expected_outputs)
        _check_arrays_equal(outputs, expected_outputs, FunctionTestError,
                            **self.check_forward_options)

    # -- checked wrappers -----------------------------------------------------------
    def _to_noncontiguous_as_needed(self, arrays):
        if self.contiguous is None:
            return array_module._as_noncontiguous_array(arrays)
        if self.contiguous == "C":
            return arrays
        raise AssertionError(f"Invalid value of `contiguous`: {self.contiguous}")

    def _generate_inputs(self):
        inputs = self.generate_inputs()
        _check_array_types(inputs, backend.CpuDevice(), "generate_inputs")
        return inputs

    def _generate_grad_outputs(self, outputs_template):
        grads = self.generate_grad_outputs(outputs_template)
        _check_array_types(grads, backend.CpuDevice(), "generate_grad_outputs")
        return grads

    def _generate_grad_grad_inputs(self, inputs_template):
        grads = self.generate_grad_grad_inputs(inputs_template)
        _check_array_types(grads, backend.CpuDevice(), "generate_grad_grad_inputs")
        return grads

    def _forward_expected(self, inputs):
        outputs = self.forward_expected(inputs)
        _check_array_types(outputs, backend.CpuDevice(), "forward_expected")
        return outputs

    def _forward(self, inputs, backend_config):
        from ..variable import Variable
        assert all(isinstance(a, Variable) for a in inputs)
        with backend_config:
            outputs = self.forward(inputs, backend_config.device)
        _check_variable_types(outputs, backend_config.device, "forward",
                              FunctionTestError)
        return outputs

    def _begin(self, backend_config, test_name):
        self.backend_config = backend_config
        self.test_name = test_name
        self.before_test(test_name)

    # -- the three tests --------------------------------------------------------------
    def run_test_forward(self, backend_config):
        if self.skip_forward_test:
            raise unittest.SkipTest("skip_forward_test is set")
        self._begin(backend_config, "test_forward")

        cpu_inputs = self._to_noncontiguous_as_needed(self._generate_inputs())
        originals = [a.copy() for a in cpu_inputs]
        expected = self._forward_expected(cpu_inputs)

        inputs = self._to_noncontiguous_as_needed(backend_config.get_array(cpu_inputs))
        outputs = self._forward(
            tuple(_variable(a, requires_grad=a.dtype.kind == "f") for a in inputs),
            backend_config)

        modified = []
        for i, (before, after) in enumerate(zip(originals, inputs)):
            try:
                array_module.assert_allclose(before, after, atol=0, rtol=0)
            except AssertionError:
                modified.append(i)
        if modified:
            from ..utils import _format_array_props
            f = io.StringIO()
            f.write("Input arrays have been modified during forward.\n"
                    f"Indices of modified inputs: {', '.join(map(str, modified))}\n"
                    f"Input array shapes and dtypes: {_format_array_props(inputs)}\n")
            for i in modified:
                f.write(f"\nInput[{i}]:\nOriginal:\n{originals[i]}\n"
                        f"After forward:\n{inputs[i]}\n")
            FunctionTestError.fail(f.getvalue())

        self.check_forward_outputs(tuple(v.array for v in outputs), expected)

    def _retry_at_nondifferentiable(self, check):
        from .. import gradient_check
        if not self.dodge_nondifferentiable:
            check()
            return
        while True:
            try:
                check()
            except gradient_check.NondifferentiableError:
                continue
            return

    def run_test_backward(self, backend_config):
        if self.skip_backward_test:
            raise unittest.SkipTest("skip_backward_test is set")
        from .. import gradient_check
        self._begin(backend_config, "test_backward")

        def f(*args):
            return self._forward(args, backend_config)

        def check():
            inputs = self._generate_inputs()
            outputs = self._forward_expected(inputs)
            grad_outputs = self._generate_grad_outputs(outputs)
            inputs = self._to_noncontiguous_as_needed(backend_config.get_array(inputs))
            grad_outputs = self._to_noncontiguous_as_needed(
                backend_config.get_array(grad_outputs))
            with FunctionTestError.raise_if_fail(
                    "backward is not implemented correctly"):
                gradient_check.check_backward(
                    f, inputs, grad_outputs, dtype=self.numerical_grad_dtype,
                    detect_nondifferentiable=self.dodge_nondifferentiable,
                    **self.check_backward_options)

        self._retry_at_nondifferentiable(check)

    def run_test_double_backward(self, backend_config):
        if self.skip_double_backward_test:
            raise unittest.SkipTest("skip_double_backward_test is set")
        from .. import gradient_check
        self._begin(backend_config, "test_double_backward")

        def f(*args):
            return self._forward(args, backend_config)

        def check():
            inputs = self._generate_inputs()
            outputs = self._forward_expected(inputs)
            grad_outputs = self._generate_grad_outputs(outputs)
            grad_grad_inputs = self._generate_grad_grad_inputs(inputs)
            # only inputs with a gradient (float ones) get a second-order one
            grad_grad_inputs = [g for g in grad_grad_inputs
                                if g is None or g.dtype.kind == "f"]
            send = backend_config.get_array
            inputs = self._to_noncontiguous_as_needed(send(inputs))
            grad_outputs = self._to_noncontiguous_as_needed(send(grad_outputs))
            grad_grad_inputs = self._to_noncontiguous_as_needed(send(grad_grad_inputs))
            with backend_config:
                with FunctionTestError.raise_if_fail(
                        "double backward is not implemented correctly"):
                    gradient_check.check_double_backward(
                        f, inputs, grad_outputs, grad_grad_inputs,
                        dtype=self.numerical_grad_dtype,
                        detect_nondifferentiable=self.dodge_nondifferentiable,
                        **self.check_double_backward_options)

        self._retry_at_nondifferentiable(check)


class FunctionTestCase(FunctionTestBase, unittest.TestCase):
    """Base class of a function's tests.

    Define `generate_inputs()` (a tuple of NumPy arrays), `forward(inputs,
    device)` (Variables in, a tuple of Variables out) and
    `forward_expected(inputs)` (NumPy arrays in and out). Optional:
    `before_test(test_name)`, `generate_grad_outputs(templates)`,
    `generate_grad_grad_inputs(templates)`, `check_forward_outputs(outputs,
    expected)`; attributes `skip_forward_test`, `skip_backward_test`,
    `skip_double_backward_test`, `dodge_nondifferentiable` (resample the
    inputs at a non-differentiable point), `numerical_grad_dtype` (float64),
    `contiguous` (None: non-contiguous inputs; 'C'), and the dicts
    `check_forward_options`, `check_backward_options`,
    `check_double_backward_options` (tolerances) set in `setUp`.
    """

    def test_forward(self, backend_config):
        """The forward output equals forward_expected's."""
        self.run_test_forward(backend_config)

    def test_backward(self, backend_config):
        """The gradient agrees with finite differences."""
        self.run_test_backward(backend_config)

    def test_double_backward(self, backend_config):
        """The gradient of the gradient agrees with finite differences."""
        self.run_test_double_backward(backend_config)


def _check_array_types(arrays, device, func_name):
    if not isinstance(arrays, tuple):
        raise TypeError(f"`{func_name}()` must return a tuple, not {type(arrays)}.")
    if not all(a is None or isinstance(a, device.supported_array_types)
               for a in arrays):
        raise TypeError(
            f"{func_name}() must return a tuple of arrays supported by device "
            f"{device} or None.\nActual: {tuple(type(a) for a in arrays)}")


def _check_variable_types(outputs, device, func_name, error):
    from ..variable import Variable
    if not isinstance(outputs, tuple):
        error.fail(f"`{func_name}()` must return a tuple, not {type(outputs)}.")
    if not all(isinstance(a, Variable) for a in outputs):
        error.fail(f"{func_name}() must return a tuple of Variables.\n"
                   f"Actual: {', '.join(str(type(a)) for a in outputs)}")
    if not all(isinstance(a.array, device.supported_array_types) for a in outputs):
        error.fail(f"{func_name}() must return a tuple of Variables of arrays "
                   f"supported by device {device}.\n"
                   f"Actual: {', '.join(str(type(a.array)) for a in outputs)}")


def _check_arrays_equal(actual_arrays, expected_arrays, error, **opts):
    """Fail with `error` unless the arrays agree in number, shapes, dtypes and
    values (`opts` go to assert_allclose)."""
    from ..utils import _format_array_props
    message = detail = None
    if len(actual_arrays) != len(expected_arrays):
        message = (f"Number of outputs ({len(actual_arrays)}, "
                   f"{len(expected_arrays)}) does not match")
    elif not all(y.dtype == e.dtype and y.shape == e.shape
                 for y, e in zip(actual_arrays, expected_arrays)):
        message = "Shapes and/or dtypes do not match"
    else:
        errors = []
        for i, (y, e) in enumerate(zip(actual_arrays, expected_arrays)):
            try:
                array_module.assert_allclose(y, e, **opts)
            except AssertionError as exc:
                errors.append((i, exc))
        if errors:
            message = ("Outputs do not match the expected values.\n"
                       "Indices of outputs that do not match: "
                       f"{', '.join(str(i) for i, _ in errors)}")
            detail = "".join(f"Error details of output [{i}]:\n{exc}\n"
                             for i, exc in errors)
    if message is not None:
        msg = (f"{message}\n"
               f"Expected shapes and dtypes: {_format_array_props(expected_arrays)}\n"
               f"Actual shapes and dtypes:   {_format_array_props(actual_arrays)}\n")
        if detail is not None:
            msg += "\n\n" + detail
        error.fail(msg)


# the link test cases (Chainer keeps them in this module too)
from ._link_cases import (LinkInitializersTestCase, LinkTestCase,  # noqa: E402,F401
                          _LinkTestBase)
