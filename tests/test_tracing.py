"""Tracing Python into IR: placeholders refuse to act as values."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.compiler as kc
import kusari.functions as F
from kusari.compiler import TraceError


def test_python_control_flow_on_traced_values_is_refused():
    def f(x):
        if F.sum(x).array > 0:
            return x
        return -x
    with pytest.raises(TraceError) as e:
        kusari.trace(f, np.zeros(3, np.float32))
    assert "traced array f32[]" in str(e.value)
    assert "`>`" in str(e.value)


def test_if_on_a_traced_value_is_refused():
    def f(x):
        if F.sum(x).array:
            return x
        return -x
    with pytest.raises(TraceError, match="as a Python bool"):
        kusari.trace(f, np.zeros(3, np.float32))


@pytest.mark.parametrize("use", [float, int, np.asarray, lambda a: a.item(), list])
def test_concrete_uses_are_refused(use):
    with pytest.raises(TraceError, match="cannot use the value of traced array"):
        kusari.trace(lambda x: use(x.array), np.zeros(3, np.float32))


def test_variables_refuse_bool_inside_traces_too():
    # a TypeError as eagerly, naming the traced value (TraceError is a TypeError)
    with pytest.raises(TypeError, match=r"traced array f32\[3\].* as a Python bool"):
        kusari.trace(lambda x: x if x else x, np.zeros(3, np.float32))


def test_closed_over_variables_become_constants():
    w = kusari.Variable(np.array([1.0, 2.0, 3.0], np.float32))
    g = kusari.trace(lambda x: F.sum(x * w), np.zeros(3, np.float32))
    assert [g.op(n) for n in g.topo()].count("const") == 1
    assert kusari.compile(g)(np.ones(3, np.float32)) == 6.0


def test_numpy_constants_and_constant_outputs():
    g = kusari.trace(lambda x: (x + np.arange(3, dtype=np.float32), np.ones(2)),
                 np.zeros(3, np.float32))
    a, b = kusari.compile(g)(np.ones(3, np.float32))
    np.testing.assert_array_equal(a, [1, 2, 3])
    np.testing.assert_array_equal(b, [1, 1])


def test_trace_does_not_compute():
    # shapes only: a huge input costs nothing to trace
    g = kusari.trace(lambda x: F.sum(F.exp(x)), np.broadcast_to(np.float32(0), (10**8,)))
    assert g.shape(g.inputs[0]) == (10**8,)


def test_traced_backward_records_the_gradient():
    def f(x):
        y = F.sum(x * x * x)
        y.backward()
        return x.grad_var
    g = kusari.trace(f, np.zeros(3))
    x = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(kusari.compile(g)(x), 3 * x * x)
    np.testing.assert_allclose(kusari.compile(kc.grad(g))(x), 6 * x)


def test_traced_kusari_grad():
    g = kusari.trace(lambda x: kusari.grad([F.sum(F.tanh(x))], [x])[0], np.zeros(4))
    x = np.linspace(-1, 1, 4)
    np.testing.assert_allclose(kusari.compile(g)(x), 1 - np.tanh(x) ** 2)
