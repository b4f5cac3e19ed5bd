"""`LinkTestCase` and `LinkInitializersTestCase`: a link's forward and
backward checks (parameters included) and its initializers' checks, once per
backend configuration (use with `inject_backend_tests`). Shared checks live
in kusari.testing.function_link, which also exports these classes (Chainer's
module path).
"""
from __future__ import annotations

import unittest

import numpy

from .. import backend
from . import array as array_module
from .function_link import (InitializerArgument, LinkTestError, _check_array_types,
                            _check_arrays_equal, _check_is_initializer_like,
                            _check_variable_types, _random_like, _variable)


class _LinkTestBase:

    backend_config = None
    contiguous = None
    param_names = ()     # the parameters under test, e.g. ('W', 'b')

    def before_test(self, test_name):
        pass

    def generate_params(self):
        raise NotImplementedError("generate_params is not implemented.")

    def generate_inputs(self):
        raise NotImplementedError("generate_inputs is not implemented.")

    def create_link(self, initializers):
        raise NotImplementedError("create_link is not implemented.")

    def forward(self, link, inputs, device):
        outputs = link(*inputs)
        return outputs if isinstance(outputs, tuple) else (outputs,)

    def check_forward_outputs(self, outputs, expected_outputs):
        assert isinstance(outputs, tuple)
        assert isinstance(expected_outputs, tuple)
        types = backend.get_array_types()
        assert all(isinstance(a, types) for a in outputs)
        assert all(isinstance(a, types) for a in expected_outputs)
        _check_arrays_equal(outputs, expected_outputs, LinkTestError,
                            **self.check_forward_options)

    def _generate_params(self):
        inits = self.generate_params()
        if not isinstance(inits, (tuple, list)):
            raise TypeError("`generate_params` must return a tuple or a list.")
        for init in inits:
            _check_generated_initializer(init)
        return inits

    def _generate_inputs(self):
        inputs = self.generate_inputs()
        _check_array_types(inputs, backend.CpuDevice(), "generate_inputs")
        return inputs

    def _create_link(self, initializers, backend_config):
        from ..link import Link
        link = self.create_link(initializers)
        if not isinstance(link, Link):
            raise TypeError("`create_link` must return a chainer.Link object.")
        link.to_device(backend_config.device)
        return link

    def _create_initialized_link(self, inits, backend_config):
        """A link made with `inits` whose forward ran once (so lazily shaped
        parameters are initialized), with the inputs and outputs of that run."""
        link = self._create_link([_get_initializer_argument_value(i) for i in inits],
                                 backend_config)
        inputs = self._to_noncontiguous_as_needed(
            backend_config.get_array(self._generate_inputs()))
        outputs = self._forward(link, [_variable(a) for a in inputs], backend_config)
        link.cleargrads()
        return link, inputs, [v.array for v in outputs]

    def _forward(self, link, inputs, backend_config):
        from ..variable import Variable
        assert all(isinstance(x, Variable) for x in inputs)
        with backend_config:
            outputs = self.forward(link, inputs, backend_config.device)
        _check_variable_types(outputs, backend_config.device, "forward", LinkTestError)
        return outputs

    def _to_noncontiguous_as_needed(self, arrays):
        if self.contiguous is None:
            return array_module._as_noncontiguous_array(arrays)
        if self.contiguous == "C":
            return arrays
        raise AssertionError(f"Invalid value of `contiguous`: {self.contiguous}")


class LinkTestCase(_LinkTestBase, unittest.TestCase):
    """Base class of a link's forward and backward tests.

    Define `generate_params()` (the initializer-likes passed to the link),
    `create_link(initializers)`, `generate_inputs()` and
    `forward_expected(link, inputs)` (NumPy, with the link on the CPU);
    `forward(link, inputs, device)` defaults to calling the link. Attributes:
    `param_names` (the parameters whose gradients are checked),
    `skip_forward_test`, `skip_backward_test`, `dodge_nondifferentiable`,
    `numerical_grad_dtype`, `contiguous`, `check_forward_options`,
    `check_backward_options`.
    """

    check_forward_options = None
    check_backward_options = None
    skip_forward_test = False
    skip_backward_test = False
    dodge_nondifferentiable = False
    numerical_grad_dtype = numpy.float64

    def __init__(self, *args, **kwargs):
        self.check_forward_options = {}
        self.check_backward_options = {}
        super().__init__(*args, **kwargs)

    def forward_expected(self, link, inputs):
        raise NotImplementedError("forward_expected() is not implemented.")

    def generate_grad_outputs(self, outputs_template):
        return _random_like(outputs_template)

    def test_forward(self, backend_config):
        """The link's output equals forward_expected's."""
        if self.skip_forward_test:
            raise unittest.SkipTest("skip_forward_test is set")
        self.backend_config = backend_config
        self.before_test("test_forward")

        link = self._create_link(self._generate_params(), backend_config)
        inputs_np = self._generate_inputs()
        inputs = self._to_noncontiguous_as_needed(backend_config.get_array(inputs_np))
        outputs = self._forward(link, tuple(_variable(a) for a in inputs),
                                backend_config)
        outputs = [v.array for v in outputs]
        link.to_device(backend.CpuDevice())       # forward_expected runs on NumPy
        expected = self._forward_expected(link, inputs_np)
        self.check_forward_outputs(tuple(outputs), expected)

    def test_backward(self, backend_config):
        """The gradients of inputs and parameters agree with finite differences."""
        if self.skip_backward_test:
            raise unittest.SkipTest("skip_backward_test is set")
        self.backend_config = backend_config
        self.before_test("test_backward")
        from .. import gradient_check

        def check():
            inits = self._generate_params()
            # a throwaway link gives the data: inputs, outputs, parameters
            link, inputs, outputs = self._create_initialized_link(inits, backend_config)
            params = [p.array for p in _get_link_params(link, self.param_names)]
            cpu = backend.CpuDevice()
            grad_outputs = backend_config.get_array(
                self._generate_grad_outputs([cpu.send(y) for y in outputs]))
            inputs = self._to_noncontiguous_as_needed(inputs)
            params = self._to_noncontiguous_as_needed(params)
            grad_outputs = self._to_noncontiguous_as_needed(grad_outputs)

            forward_link, _, _ = self._create_initialized_link(inits, backend_config)

            def forward(inputs, ps):
                with forward_link.init_scope():
                    for name, p in zip(self.param_names, ps):
                        setattr(forward_link, name, p)
                return self._forward(forward_link, inputs, backend_config)

            with LinkTestError.raise_if_fail("backward is not implemented correctly"):
                gradient_check._check_backward_with_params(
                    forward, inputs, grad_outputs, params=params,
                    dtype=self.numerical_grad_dtype,
                    detect_nondifferentiable=self.dodge_nondifferentiable,
                    **self.check_backward_options)

        if not self.dodge_nondifferentiable:
            check()
            return
        while True:
            try:
                check()
            except gradient_check.NondifferentiableError:
                continue
            return

    def _forward_expected(self, link, inputs):
        assert all(isinstance(x, numpy.ndarray) for x in inputs)
        outputs = self.forward_expected(link, inputs)
        _check_array_types(inputs, backend.CpuDevice(), "test_forward")
        return outputs

    def _generate_grad_outputs(self, outputs_template):
        assert all(isinstance(x, numpy.ndarray) for x in outputs_template)
        grads = self.generate_grad_outputs(outputs_template)
        _check_array_types(grads, backend.CpuDevice(), "generate_grad_outputs")
        return grads


class LinkInitializersTestCase(_LinkTestBase, unittest.TestCase):
    """Base class of a link's parameter initialization tests.

    Define `generate_params()`, `create_link(initializers)`,
    `generate_inputs()` and `get_initializers()` (for each initializer
    argument, the initializer-likes to try; `InitializerArgument` pairs an
    argument such as None with the initializer it stands for). Each one is
    passed to the link in turn and the initialized parameter is compared with
    what the initializer fills.
    """

    check_initializers_options = None

    def __init__(self, *args, **kwargs):
        self.check_initializers_options = {}
        super().__init__(*args, **kwargs)

    def get_initializers(self):
        raise NotImplementedError("get_initializers is not implemented.")

    def test_initializers(self, backend_config):
        """Each initializer-like initializes its parameter as it should."""
        self.backend_config = backend_config
        self.before_test("test_initializers")
        for i_param, candidates in enumerate(self._get_initializers()):
            inits = list(self._generate_params())
            for init in candidates:
                inits[i_param] = init
                self._test_single_initializer(i_param, inits, backend_config)

    def _get_initializers(self):
        per_param = self.get_initializers()
        if not isinstance(per_param, (tuple, list)):
            raise TypeError("`get_initializers` must return a tuple or a list.")
        for candidates in per_param:
            if not isinstance(candidates, (tuple, list)):
                raise TypeError("`get_initializers` must return a tuple or a list "
                                "of tuples or lists.")
            for init in candidates:
                _check_generated_initializer(init)
        return per_param

    def _test_single_initializer(self, i_param, inits, backend_config):
        link, _, _ = self._create_initialized_link(inits, backend_config)
        param = _get_link_params(link, self.param_names)[i_param]
        actual = backend.CpuDevice().send(param.array)
        expected = numpy.empty_like(actual)
        _get_expected_initializer(inits[i_param])(expected)
        _check_arrays_equal((expected,), (actual,), LinkTestError,
                            **self.check_initializers_options)


def _check_generated_initializer(init):
    if isinstance(init, InitializerArgument):
        init = init.expected_initializer
    elif init is None:
        raise ValueError("A None initializer must be wrapped in a "
                         "InitializerArgument along with the expected initializer "
                         "fallen back to.")
    _check_is_initializer_like(init)


def _get_initializer_argument_value(init):
    return init.argument_value if isinstance(init, InitializerArgument) else init


def _get_expected_initializer(init):
    from .. import initializers
    if isinstance(init, InitializerArgument):
        init = init.expected_initializer
    assert init is not None
    base = getattr(initializers, "Initializer", None)
    if base is None or not isinstance(init, base):
        init = initializers._get_initializer(init)
    return init


def _get_link_params(link, names):
    params = []
    for name in names:
        param = getattr(link, name, None)
        if param is None:
            LinkTestError.fail(f"Link does not have a parameter named '{name}'.")
        params.append(param)
    return params
