"""Compiling is linear in graph size, checked by counting work, not timing it:
inlining copies each node of a called graph once per application, and the
rewrite pass visits each node a bounded number of times. (Times are in
benchmarks/compile_time.py.)"""
from __future__ import annotations

import numpy as np

import kusari
import kusari.compiler as kc
import kusari.functions as F
from kusari.compiler import Graph
from kusari.compiler.ops.call import GraphRef
from kusari.compiler.passes import _exact, dce, inline, rewrite
from kusari.runtime import NUMPY


def _cell(n_inputs: int):
    """sum of a chain over n inputs: x0 * tanh(x1 + x0) * tanh(x2 + ...)..."""
    def f(*xs):
        y = xs[0]
        for x in xs[1:]:
            y = F.tanh(y * x + y)
        return F.sum(y * y)
    return kusari.trace(f, *[np.full(4, 0.5, np.float32)] * n_inputs)


def _gradient_calls(n_inputs: int):
    """A graph calling the VJP of a graph once per input (output=i), as the
    gradient of a recorded call is: k calls of one graph on one set of operands."""
    ref = GraphRef(_cell(n_inputs), NUMPY)
    vjp = ref.vjp(0)
    g = Graph("calls")
    xs = [g.add_input((4,), np.float32) for _ in range(n_inputs)]
    gy = g.add_input((), np.float32)
    g.outputs = [g.add("call", xs + [gy], graph=vjp, output=i) for i in range(n_inputs)]
    return g, vjp


def test_calls_of_one_application_are_inlined_once():
    for k in (4, 8, 16):
        g, vjp = _gradient_calls(k)
        stats = {}
        assert inline(g, stats) == k
        # each node of the VJP graph is copied once, not once per call
        assert stats["visits"] <= len(vjp.graph), (k, stats, len(vjp.graph))
        assert len(g) <= len(vjp.graph) + 1


def test_inlined_calls_compute_what_the_calls_compute():
    g, vjp = _gradient_calls(5)
    rng = np.random.default_rng(0)
    args = [rng.standard_normal(4).astype(np.float32) for _ in range(5)] + [np.float32(1.5)]
    want = vjp.run(args)
    got = kc.compile(g, NUMPY).fn(*args)
    for w, o in zip(want, got):
        np.testing.assert_array_equal(o, w)


def test_nested_calls_share_their_forward_graph():
    """The VJP of a call holds the call's forward graph: inlined next to the
    call, the two copies are one."""
    ref = GraphRef(_cell(6), NUMPY)
    g = Graph("nested")
    xs = [g.add_input((4,), np.float32) for _ in range(6)]
    y = g.add("call", xs, graph=ref, output=0)
    gy = g.add("mul", [y, g.add_const(2.0, np.float32)])
    grads = [g.add("call", xs + [gy], graph=ref.vjp(0), output=i) for i in range(6)]
    g.outputs = [y] + grads
    inline(g)
    dce(g)
    # the VJP graph's nodes (its forward part included), the doubling and
    # its constant: the forward call added nothing of its own
    assert len(g) <= len(ref.vjp(0).graph) + 2


def _chain_gradient(n: int) -> Graph:
    def f(x):
        y = x
        for _ in range(n):
            y = F.tanh(y) * 1.01 + F.sin(y) * 0.5 - y * y * 0.01
        return F.sum(y)
    return kc.grad(kc.grad(kusari.trace(f, np.ones(8, np.float32))))


def test_rewrite_visits_each_node_a_bounded_number_of_times():
    visits = []
    for n in (5, 10, 20, 40):
        g = _chain_gradient(n)
        size = len(g)
        stats = {}
        fired = rewrite(g, _exact, cse=True, stats=stats)
        assert fired > 0
        assert stats["visits"] <= 2 * size, (n, stats, size)
        visits.append(stats["visits"] / size)
    # the same number of visits per node at every size: linear
    assert max(visits) - min(visits) < 0.1, visits


def test_rewrite_in_topological_order_reaches_the_same_values():
    g = _chain_gradient(6)
    x = np.linspace(-1, 1, 8).astype(np.float32)
    np.testing.assert_array_equal(kc.compile(g, NUMPY).fn(x)[0],
                                  kc.compile(g, NUMPY, kc.Options(optimize=False)).fn(x)[0])
