"""User-defined functions (kusari.FunctionNode, old-style kusari.Function),
function hooks and the computational graph, eagerly and under kusari.jit."""
from __future__ import annotations

import gc
import io
import weakref

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable, computational_graph, function_hooks
from kusari.compiler.errors import TraceError
from kusari.utils import type_check


def v(data, **kw):
    return Variable(np.asarray(data, np.float32), **kw)


def as_var(x):
    """A jitted function's array argument arrives as a (traced) Variable."""
    return x if isinstance(x, Variable) else Variable(x)


class Split(kusari.FunctionNode):
    """(2x, 3x): counts its backward calls and records what it was given."""

    def __init__(self):
        self.calls = []

    def forward(self, inputs):
        x, = inputs
        return 2 * x, 3 * x

    def backward(self, indexes, grad_outputs):
        self.calls.append((indexes, tuple(g is not None for g in grad_outputs)))
        g0, g1 = grad_outputs
        gx = 0
        if g0 is not None:
            gx = gx + 2 * g0
        if g1 is not None:
            gx = gx + 3 * g1
        return gx,


class Cube(kusari.FunctionNode):
    """x**3 with 3 x**2 gy written with Variables: differentiable backward."""

    def forward(self, inputs):
        self.retain_inputs((0,))
        return inputs[0] ** 3,

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return 3 * x * x * grad_outputs[0],


class OldSquare(kusari.Function):
    def forward(self, inputs):
        return inputs[0] ** 2,

    def backward(self, inputs, grad_outputs):
        return 2 * inputs[0] * grad_outputs[0],


def test_backward_is_called_once_with_all_output_gradients():
    x = v([1.0, 2.0])
    f = Split()
    a, b = f.apply((x,))
    loss = F.sum(a * 5) + F.sum(b * 7)
    loss.backward()
    np.testing.assert_array_equal(x.grad, [31.0, 31.0])
    assert f.calls == [((0,), (True, True))]


def test_an_unused_output_gets_no_gradient():
    x = v([1.0, 2.0])
    f = Split()
    a, _ = f.apply((x,))
    F.sum(a).backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    assert f.calls == [((0,), (True, False))]


def test_outputs_are_new_nodes_made_by_the_function():
    x = v([1.0, 2.0])
    f = Split()
    a, b = f.apply((x,))
    assert a.creator_node is f and b.creator is f
    assert f.inputs == (x.node,) and [r() for r in f.outputs] == [a.node, b.node]
    assert a.rank == 1 and f.rank == 0 and a.requires_grad
    assert F.hstack([x]) is not x and F.identity(x) is not x


def test_double_backprop_through_a_user_backward():
    x = v([1.0, 2.0, -1.5])
    y, = Cube().apply((x,))
    F.sum(y).backward(enable_double_backprop=True)
    np.testing.assert_allclose(x.grad, 3 * x.array ** 2)
    gx = x.grad_var
    x.cleargrad()
    F.sum(gx).backward()
    np.testing.assert_allclose(x.grad, 6 * x.array)


def test_retained_outputs_survive_their_variable():
    class Exp(kusari.FunctionNode):
        def forward(self, inputs):
            self.retain_outputs((0,))
            return np.exp(inputs[0]),

        def backward(self, indexes, grad_outputs):
            y, = self.get_retained_outputs()
            return grad_outputs[0] * y,

    x = v([0.0, 1.0])
    loss = F.sum(Exp().apply((x,))[0] * 2)   # the output Variable is gone
    gc.collect()
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * np.exp(x.array), rtol=1e-6)


def test_backward_accumulate_gets_the_other_paths_gradient():
    class Double(kusari.FunctionNode):
        seen = None

        def forward(self, inputs):
            return 2 * inputs[0],

        def backward_accumulate(self, indexes, grad_outputs, grad_inputs):
            Double.seen = grad_inputs
            g = 2 * grad_outputs[0]
            return (g if grad_inputs[0] is None else g + grad_inputs[0]),

    x = v([1.0])
    y, = Double().apply((x * 1,))
    (y + x * 1).backward()
    np.testing.assert_array_equal(x.grad, [3.0])


def test_type_check_errors_name_the_function():
    class NeedsMatrix(kusari.FunctionNode):
        def check_type_forward(self, in_types):
            x_type, = in_types
            type_check.expect(x_type.dtype == np.float32, x_type.ndim >= 2)

        def forward(self, inputs):
            return inputs

    with pytest.raises(type_check.InvalidType) as e:
        NeedsMatrix().apply((v([1.0, 2.0]),))
    assert "Invalid operation is performed in: NeedsMatrix (Forward)" in str(e.value)
    assert "Expect: in_types[0].ndim >= 2" in str(e.value)


def test_bad_forward_outputs_and_calls_are_refused():
    class NotATuple(kusari.FunctionNode):
        def forward(self, inputs):
            return inputs[0]

    class NotArrays(kusari.FunctionNode):
        def forward(self, inputs):
            return object(),

    with pytest.raises(TypeError, match="forward output must be a tuple"):
        NotATuple().apply((v([1.0]),))
    with pytest.raises(TypeError, match="tuple of ndarrays"):
        NotArrays().apply((v([1.0]),))
    with pytest.raises(RuntimeError, match="apply"):
        Cube()(v([1.0]))


def test_a_wrong_gradient_names_the_function():
    class Bad(kusari.FunctionNode):
        def forward(self, inputs):
            return inputs[0] * 2,

        def backward(self, indexes, grad_outputs):
            return Variable(np.ones(3, np.float32)),

    y, = Bad().apply((v([1.0, 2.0]),))
    with pytest.raises(ValueError, match="Bad"):
        F.sum(y).backward()


def test_unchain_makes_the_outputs_leaves():
    f = Split()
    x = v([1.0])
    a, b = f.apply((x,))
    f.unchain()
    assert a.creator is None and b.creator is None and f.inputs is None


def test_old_style_function_is_first_order_only():
    x = v([3.0])
    y = OldSquare()(x)
    assert isinstance(y, Variable) and isinstance(y.creator, OldSquare)
    y.backward()
    np.testing.assert_array_equal(x.grad, [6.0])
    x.cleargrad()
    OldSquare()(x).backward(enable_double_backprop=True)
    with pytest.raises(RuntimeError, match="twice-differentiate an old style Function"):
        x.grad_var.backward()


def test_timer_hook_sees_forwards_and_backwards():
    x = v(np.ones((2, 3)))
    w = v(np.ones((2, 3)))
    with function_hooks.TimerHook() as hook:
        y = w * x
    assert [name for name, _ in hook.call_history] == ["Mul"]
    y.grad = np.ones((2, 3), np.float32)
    with function_hooks.TimerHook() as hook:
        y.backward()
    # Mul's backward, and the two products of its gradient rule
    assert [name for name, _ in hook.call_history] == ["Mul", "Mul", "Mul"]
    out = io.StringIO()
    hook.print_report(file=out)
    assert out.getvalue().split()[:3] == ["FunctionName", "ElapsedTime", "Occurrence"]


def test_print_hook_on_a_user_function():
    out = io.StringIO()
    f = Cube()
    f.add_hook(function_hooks.PrintHook(file=out))
    f.apply((v([1.0, 2.0]),))
    text = out.getvalue()
    assert text.startswith("function\tCube\ninput data\n<variable at 0x")
    assert "- shape: (2,)" in text and "- grad: None" in text


def test_computational_graph_nodes_edges_and_dot():
    x1, x2 = v([1.0], name="x1"), v([2.0], name="x2")
    y = 0.5 * (x1 + x2)
    a, b = Split().apply((y,))
    g = computational_graph.build_computational_graph([a, b])
    # x1, x2, +, h, *, y, Split, a, b
    assert len(g.nodes) == 9 and len(g.edges) == 8
    assert (y.creator_node, y.node) in set(g.edges)
    dot = g.dump()
    assert dot.startswith("digraph graphname{rankdir=TB;")
    assert 'label="x1: (1), float32"' in dot and 'label="Split"' in dot
    with pytest.raises(NotImplementedError):
        g.dump("graphml")
    with pytest.raises(ValueError):
        computational_graph.build_computational_graph([y], rankdir="XY")


# -- under kusari.jit ---------------------------------------------------------------

def test_jit_runs_the_forward_once_per_call_and_traces_the_backward():
    counter = []

    class Counted(Split):
        def forward(self, inputs):
            counter.append(1)
            return super().forward(inputs)

    def step(x):
        x = as_var(x)
        a, b = Counted().apply((x,))
        loss = F.sum(a * b)
        gx, = kusari.grad([loss], [x])
        return loss, gx

    x = np.array([1.0, 2.0], np.float32)
    jitted = kusari.jit(step)
    jitted(x)                        # traced: one run on stand-ins, one compiled run
    counter.clear()
    loss, gx = jitted(x)
    assert len(counter) == 1         # two outputs, one forward
    np.testing.assert_allclose(np.asarray(loss), 6 * np.sum(x ** 2))
    np.testing.assert_allclose(np.asarray(getattr(gx, "array", gx)), 12 * x)


def test_jit_refuses_a_backward_that_reads_what_the_forward_stored():
    class Masked(kusari.FunctionNode):
        def forward(self, inputs):
            self.mask = inputs[0] > 0
            return inputs[0] * self.mask,

        def backward(self, indexes, grad_outputs):
            return grad_outputs[0] * self.mask,

    def step(x):
        x = as_var(x)
        y, = Masked().apply((x,))
        return kusari.grad([F.sum(y)], [x])[0]

    with pytest.raises(TraceError, match="Masked.*forward"):
        kusari.jit(step)(np.array([1.0, -1.0], np.float32))


def test_jit_runs_an_old_style_function_to_the_first_order():
    class Scaled(kusari.Function):
        def forward(self, inputs):
            self.k = 3.0                        # read by backward, at every run
            self.retain_outputs((0,))
            return inputs[0] ** 2,

        def backward(self, inputs, grad_outputs):
            y, = self.output_data
            return (self.k * inputs[0] * grad_outputs[0] + 0 * y).astype(np.float32),

    def step(x):
        x = as_var(x)
        return kusari.grad([F.sum(Scaled()(x))], [x])[0]

    jitted = kusari.jit(step)
    for x in (np.array([1.0, 2.0], np.float32), np.array([-3.0, 0.5], np.float32)):
        np.testing.assert_allclose(np.asarray(getattr(jitted(x), "array", jitted(x))),
                                   3 * x, rtol=1e-6)

    def second(x):
        x = as_var(x)
        gx, = kusari.grad([F.sum(Scaled()(x))], [x], enable_double_backprop=True)
        return kusari.grad([F.sum(gx)], [x])[0]

    with pytest.raises(RuntimeError, match="twice-differentiate an old style Function"):
        kusari.jit(second)(np.array([1.0], np.float32))


def test_user_function_graphs_are_freed():
    x = v([1.0, 2.0])
    y, = Cube().apply((x,))
    probe = weakref.ref(y.creator_node)
    F.sum(y).backward()
    del y
    gc.collect()
    assert probe() is None
