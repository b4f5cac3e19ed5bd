"""Fusion: every node in one kernel, kernels convex, no cycle between them."""
from __future__ import annotations

import textwrap

import networkx as nx
import numpy as np

import kusari
from hypothesis import given, settings

import kusari.compiler as kc
import kusari.functions as F
from kusari.compiler.fusion import fuse
from kusari.compiler.passes import optimize
from tests.compiler.strategies import random_graph


def check_partition(g, kernels):
    computed = {n for n in g.nx if g.op(n) not in ("input", "const")}
    seen = [n for k in kernels for n in k.nodes]
    assert sorted(seen) == sorted(computed), "every computed node in exactly one kernel"
    kernel_of = {n: k.id for k in kernels for n in k.nodes}
    # convex: nothing reachable from a kernel outside it reaches back into it
    for k in kernels:
        inside = set(k.nodes)
        leaving = set()
        for n in k.nodes:
            leaving |= {d for d in nx.descendants(g.nx, n) if d not in inside}
        for d in leaving:
            assert not (nx.descendants(g.nx, d) & inside), f"kernel {k.id} is not convex"
    # the kernels, as a graph, are acyclic and listed in dependency order
    for k in kernels:
        for a in k.inputs:
            if a in kernel_of:
                assert kernel_of[a] < k.id, "a kernel reads one that comes after it"
    for k in kernels:
        if k.kind == "elementwise":
            shapes = {g.shape(n) for n in k.nodes if n != k.reduction}
            assert shapes == {k.shape}


@settings(max_examples=150)
@given(random_graph(max_ops=20))
def test_random_graphs_fuse_into_convex_acyclic_kernels(g):
    check_partition(g, fuse(g))


@settings(max_examples=80)
@given(random_graph(max_ops=16))
def test_gradients_fuse_into_convex_acyclic_kernels(g):
    d = optimize(kc.grad(g))
    check_partition(d, fuse(d))


def test_diamond_fuses_into_one_kernel():
    g = kusari.trace(lambda x: F.sin(x) * F.cos(x) + F.exp(x), np.ones(5))
    optimize(g)
    kernels = fuse(g)
    assert len(kernels) == 1 and len(kernels[0].nodes) == 5


def test_a_path_through_a_library_op_splits_the_group():
    # tanh(x) -> matmul -> add: joining tanh and add into one group would make a
    # cycle through the matmul, so they must stay apart
    g = kusari.trace(lambda x, w: F.tanh(x) + F.matmul(F.tanh(x), w), np.ones((3, 3)),
                 np.ones((3, 3)))
    optimize(g)
    kernels = fuse(g)
    check_partition(g, kernels)
    assert [k.kind for k in kernels] == ["elementwise", "single", "elementwise"]


def test_reduction_closes_the_group():
    g = kusari.trace(lambda x: F.sum(F.tanh(x) * 2, axis=1), np.ones((100, 1000), np.float32))
    optimize(g)
    (k,) = fuse(g)
    assert k.reduction is not None and g.op(k.reduction) == "sum"
    assert textwrap.dedent(str(g)).count("# kernel") == 1


def test_dot_colours_kernels():
    g = optimize(kc.grad(kusari.trace(lambda x, w: F.sum(F.tanh(F.matmul(x, w))),
                                  np.ones((2, 3)), np.ones((3, 4)))))
    dot = g.to_dot()
    colours = {line.split('fillcolor="')[1].split('"')[0] for line in dot.splitlines()
               if 'fillcolor="#' in line}
    assert len(colours) >= 3
