"""kusari.testing: parameterized classes, backend injection, function and
link test cases (including that a wrong function fails them)."""
from __future__ import annotations

import sys
import unittest

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import testing
from kusari.testing import _bundle, condition, parameterized


def _run(cls) -> unittest.TestResult:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(cls).run(result)
    return result


def _generated(module, prefix):
    return sorted(n for n in vars(module) if n.startswith(prefix))


def test_product_and_product_dict():
    assert testing.product({"a": [1, 2], "b": [3]}) == [{"a": 1, "b": 3},
                                                         {"a": 2, "b": 3}]
    assert testing.product({"a,b": [(1, 2), (3, 4)]}) == [{"a": 1, "b": 2},
                                                          {"a": 3, "b": 4}]
    assert testing.product({}) == [{}]
    assert testing.product([[{"a": 1}], [{"b": 2}, {"b": 3}]]) == [
        {"a": 1, "b": 2}, {"a": 1, "b": 3}]
    with pytest.raises(TypeError):
        testing.product(3)
    pairs = parameterized._pairwise_product_dict(
        *[[{k: i} for i in range(3)] for k in "abc"])
    assert len(pairs) < 27
    for x, y in (("a", "b"), ("a", "c"), ("b", "c")):
        assert {(p[x], p[y]) for p in pairs} == {(i, j) for i in range(3)
                                                 for j in range(3)}


def test_parameterize_names_classes_as_chainer_and_replaces_the_base():
    module = sys.modules[__name__]

    @testing.parameterize(*testing.product({"dtype": [np.float32], "shape": [(3, 2)]}))
    class Probe(unittest.TestCase):
        def test_it(self):
            assert self.dtype == np.float32 and self.shape == (3, 2)

    names = _generated(module, "Probe_")
    assert names == ["Probe_param_0_{dtype=float32, shape=(3, 2)}"]
    assert _run(getattr(module, names[0])).wasSuccessful()
    for n in names:
        delattr(module, n)


def test_parameterize_twice_multiplies_and_a_failure_names_the_parameters():
    module = sys.modules[__name__]

    @testing.parameterize({"a": 1}, {"a": 2})
    @testing.parameterize({"b": 3}, {"b": 4})
    class Twice(unittest.TestCase):
        def test_it(self):
            assert self.a != 2 or self.b != 4, "the one failing combination"

    names = _generated(module, "Twice_")
    assert len(names) == 4
    failures = []
    for n in names:
        failures += _run(getattr(module, n)).failures
        delattr(module, n)
    assert len(failures) == 1
    text = failures[0][1]
    assert "Parameterized test failed." in text and "a: 2" in text and "b: 4" in text


def test_inject_backend_tests_passes_the_config_and_marks_gpu_configs():
    module = sys.modules[__name__]
    seen = []

    @testing.inject_backend_tests(None, [{}, {"use_cuda": True}])
    class Injected(unittest.TestCase):
        def test_it(self, backend_config):
            seen.append(backend_config)

    names = _generated(module, "Injected_")
    assert len(names) == 2
    cpu = [n for n in names if "use_cuda_false" in n][0]
    gpu = [n for n in names if "use_cuda_true" in n][0]
    assert _run(getattr(module, cpu)).wasSuccessful()
    assert seen[0].device == kusari.backend.CpuDevice() and seen[0].xp is np
    marks = [m.name for m in getattr(getattr(module, gpu).test_it, "pytestmark", [])]
    assert "gpu" in marks
    for n in names:
        delattr(module, n)
    with pytest.raises(TypeError):
        testing.inject_backend_tests("test_it", [{}])
    with pytest.raises(ValueError):
        testing.BackendConfig({"no_such_option": 1})


def test_fix_random_seeds_and_restores():
    np.random.seed(7)
    before = np.random.get_state()[1].copy()

    @testing.fix_random()
    class Seeded(unittest.TestCase):
        def test_it(self):
            self.value = np.random.uniform()
            assert self.value == np.random.RandomState(100).uniform()

    bundle = Seeded
    assert isinstance(bundle, _bundle.Bundle)
    assert _run(bundle.cases[0].klass).wasSuccessful()
    assert (np.random.get_state()[1] == before).all()


def test_condition_retry_and_repeat():
    calls = []

    class Flaky(unittest.TestCase):
        @condition.retry(3)
        def test_retry(self):
            calls.append(1)
            assert len(calls) >= 2

        @condition.repeat(2)
        def test_always_fails(self):
            raise AssertionError("no")

    result = _run(Flaky)
    assert len(calls) == 2
    assert len(result.failures) == 1 and "Fail: 1, Success: 0" in result.failures[0][1]


def test_assert_warns_and_with_requires():
    import warnings
    with testing.assert_warns(DeprecationWarning):
        warnings.warn("x", DeprecationWarning)
    with pytest.raises(AssertionError, match="UserWarning not triggerred"):
        with testing.assert_warns(UserWarning):
            pass
    assert not testing.with_requires("numpy>=1.10")(lambda: None).__dict__.get(
        "__unittest_skip__", False)
    assert testing.with_requires("no-such-package-kusari")(
        lambda: None).__unittest_skip__
    assert testing.without_requires("numpy")(lambda: None).__unittest_skip__


def test_assert_allclose_reports_the_worst_element():
    testing.assert_allclose(np.ones(3), np.ones(3) + 1e-7)
    with pytest.raises(AssertionError, match=r"i: \(np.int64\(1\),\)|i: \(1,\)"):
        testing.assert_allclose(np.array([1., 2., 3.]), np.array([1., 3., 3.]))


# -- FunctionTestCase / LinkTestCase against kusari functions --------------------

def _function_case(forward, expected, **attrs):
    @testing.inject_backend_tests(None, [{}])
    class Case(testing.FunctionTestCase):
        dodge_nondifferentiable = True

        def generate_inputs(self):
            return np.random.uniform(-1, 1, (3, 2)).astype(np.float64),

        def forward(self, inputs, device):
            return forward(*inputs),

        def forward_expected(self, inputs):
            return expected(*inputs),
    for k, v in attrs.items():
        setattr(Case.cases[0].klass, k, v)
    cls = Case.cases[0].klass
    delattr(sys.modules[cls.__module__], cls.__name__)
    return cls


def test_function_test_case_passes_a_right_function():
    result = _run(_function_case(F.tanh, np.tanh))
    assert result.wasSuccessful(), result.failures + result.errors
    assert result.testsRun == 3


def test_function_test_case_fails_a_wrong_forward_and_a_wrong_backward():
    wrong_forward = _run(_function_case(F.tanh, lambda x: np.tanh(x) + 1e-2))
    assert [t._testMethodName for t, _ in wrong_forward.failures] == ["test_forward"]
    assert "FunctionTestError" in wrong_forward.failures[0][1]

    def bent(x):   # forward tanh, gradient of tanh stopped: backward is wrong
        return F.tanh(x) * 0 + kusari.Variable(np.tanh(x.array))
    wrong_backward = _run(_function_case(bent, np.tanh))
    failed = sorted(t._testMethodName for t, _ in wrong_backward.failures)
    assert "test_backward" in failed


def test_link_test_case_with_linear():
    import kusari.links as L

    @testing.inject_backend_tests(None, [{}])
    class LinearCase(testing.LinkTestCase):
        param_names = ("W", "b")

        def generate_params(self):
            return (np.random.uniform(-1, 1, (3, 2)).astype(np.float32),
                    np.random.uniform(-1, 1, (3,)).astype(np.float32))

        def generate_inputs(self):
            return np.random.uniform(-1, 1, (4, 2)).astype(np.float32),

        def create_link(self, initializers):
            W, b = initializers
            return L.Linear(2, 3, initialW=W, initial_bias=b)

        def forward_expected(self, link, inputs):
            x, = inputs
            return x.dot(link.W.array.T) + link.b.array,

        def setUp(self):
            self.check_backward_options = {"atol": 1e-3, "rtol": 1e-3}

    cls = LinearCase.cases[0].klass
    delattr(sys.modules[cls.__module__], cls.__name__)
    result = _run(cls)
    assert result.wasSuccessful(), result.failures + result.errors
    assert result.testsRun == 2


def test_unary_math_function_unittest_generates_the_six_classes():
    module = sys.modules[__name__]

    @testing.unary_math_function_unittest(F.exp)
    class ExpCase(unittest.TestCase):
        pass

    names = _generated(module, "ExpCase_")
    assert len(names) == 6
    for n in names:
        result = _run(getattr(module, n))
        assert result.testsRun >= 3
        assert not result.failures and not result.errors, result.failures + result.errors
        delattr(module, n)


def test_generate_matrix_has_the_singular_values():
    a = testing.generate_matrix((2, 3, 4), singular_values=[3., 2., 1.])
    np.testing.assert_allclose(np.linalg.svd(a, compute_uv=False),
                               [[3, 2, 1]] * 2, rtol=1e-10)
    with pytest.raises(ValueError):
        testing.generate_matrix((3,), singular_values=1)
    with pytest.raises(ValueError):
        testing.generate_matrix((2, 2), singular_values=-1)


def test_class_names_write_numpy_values_as_numpy_1_did():
    # test ids must match Chainer's, made under NumPy 1
    assert parameterized._param_to_str(np.bool_) == "bool_"
    assert parameterized._param_to_str(np.float32(1)) == "1.0"
    assert parameterized._param_to_str((np.int64(3), 2)) == "(3, 2)"
    assert parameterized._make_class_name("T", 0, {"b": np.float16, "a": (3, 2)}) == \
        "T_param_0_{a=(3, 2), b=float16}"
