"""The IR: construction, text form (golden), structural keys, DOT, copies."""
from __future__ import annotations

import pickle
import textwrap

import networkx as nx
import numpy as np

import kusari
import pytest

import kusari.compiler as kc
import kusari.functions as F
from kusari.compiler import Graph, InvalidType


def f32(*shape):
    return np.zeros(shape, np.float32)


def small_graph():
    return kusari.trace(lambda x, w: F.sum(F.tanh(x * w)), f32(2, 3), f32(3))


def golden(text):
    return textwrap.dedent(text).strip("\n")


def test_text_form_golden():
    assert str(small_graph()) == golden("""
        { lambda a:f32[2,3] b:f32[3] . let
            c:f32[2,3] = mul a b
            d:f32[2,3] = tanh c
            e:f32[] = sum[axis=(0,1), keepdims=False] d
          in (e) }
        """)


def test_gradient_text_golden():
    assert str(kc.grad(small_graph())) == golden("""
        { lambda a:f32[2,3] b:f32[3] . let
            c:f32[1,1] = reshape[shape=(1,1)] 1.0:f32
            d:f32[2,3] = broadcast_to[shape=(2,3)] c
            e:f32[2,3] = mul a b
            f:f32[2,3] = tanh e
            g:f32[2,3] = mul f f
            h:f32[2,3] = sub 1.0:f32 g
            i:f32[2,3] = mul d h
            j:f32[2,3] = mul i b
            k:f32[2,3] = mul i a
            l:f32[3] = sum_to[shape=(3)] k
          in (j, l) }
        """)


def test_second_gradient_text_golden():
    g = kusari.trace(lambda x: F.sum(F.tanh(x)), f32(3))
    assert str(kc.grad(kc.grad(g))) == golden("""
        { lambda a:f32[3] . let
            b:f32[3] = const[value=1.0]
            c:f32[1] = reshape[shape=(1)] 1.0:f32
            d:f32[3] = broadcast_to[shape=(3)] c
            e:f32[3] = mul b d
            f:f32[3] = neg e
            g:f32[3] = tanh a
            h:f32[3] = mul f g
            i:f32[3] = mul f g
            j:f32[3] = add h i
            k:f32[3] = mul g g
            l:f32[3] = sub 1.0:f32 k
            m:f32[3] = mul j l
          in (m) }
        """)
    # optimized: -2 t (1 - t^2)
    assert str(kc.optimize(kc.grad(kc.grad(g)))) == golden("""
        { lambda a:f32[3] . let
            # kernel 0: 5 ops fused over f32[3]
            b:f32[3] = tanh a
            c:f32[3] = mul b -2.0:f32
            d:f32[3] = mul b b
            e:f32[3] = sub 1.0:f32 d
            f:f32[3] = mul c e
          in (f) }
        """)


def test_edges_carry_operand_positions():
    g = kusari.trace(lambda x: x * x, f32(2))
    (mul,) = [n for n in g.nx if g.op(n) == "mul"]
    (x,) = g.inputs
    assert g.args(mul) == (x, x)
    assert g.nx.edges[x, mul]["pos"] == (0, 1)
    g.check()


def test_key_is_structural():
    a = kusari.trace(lambda x, y: x * y + x, f32(2), f32(2))
    b = kusari.trace(lambda p, q: p * q + p, f32(2), f32(2))
    assert a.key() == b.key()
    c = kusari.trace(lambda x, y: x * y + y, f32(2), f32(2))      # other sharing
    d = kusari.trace(lambda x, y: x * y + x, f32(3), f32(3))      # other shapes
    e = kusari.trace(lambda x, y: x * y + x, f32(2).astype(np.float64), f32(2).astype(np.float64))
    assert len({a.key(), c.key(), d.key(), e.key()}) == 4
    assert hash(a.key()) == hash(b.key())


def test_key_distinguishes_constants_including_nan_and_negative_zero():
    base = kusari.trace(lambda x: x * 2.0, f32(2)).key()
    assert base != kusari.trace(lambda x: x * 3.0, f32(2)).key()
    k1 = kusari.trace(lambda x: x * float("nan"), f32(2)).key()
    assert k1 == kusari.trace(lambda x: x * float("nan"), f32(2)).key()
    assert kusari.trace(lambda x: x * 0.0, f32(2)).key() != kusari.trace(lambda x: x * -0.0, f32(2)).key()


def test_copy_pickle_and_networkx_view():
    g = small_graph()
    h = g.copy()
    h.nx.nodes[h.outputs[0]]["attrs"]["keepdims"] = True
    assert g.attrs(g.outputs[0])["keepdims"] is False
    p = pickle.loads(pickle.dumps(g))
    assert str(p) == str(g) and p.key() == g.key()
    assert isinstance(g.nx, nx.DiGraph) and nx.is_directed_acyclic_graph(g.nx)
    n = p.add_input((3,), np.float32)
    assert n not in g.nx


def test_dot_export():
    dot = small_graph().to_dot()
    assert dot.startswith('digraph "lambda" {')
    assert 'label="c:f32[2,3] = mul a b"' in dot
    assert "-> out0" in dot


def test_building_by_hand_and_shape_errors():
    g = Graph("by_hand")
    x = g.add_input((2, 3), np.float32)
    w = g.add_input((3,), np.float32)
    y = g.add("mul", [x, w])
    assert g.shape(y) == (2, 3) and g.dtype(y) == np.float32
    s = g.add("sum", [y], axis=(1,), keepdims=False)
    g.outputs = [s]
    assert kusari.compile(g)(np.ones((2, 3), np.float32),
                         np.arange(3, dtype=np.float32)).tolist() == [3.0, 3.0]
    bad = g.add_input((4,), np.float32)
    with pytest.raises(InvalidType, match="Invalid operation is performed in: _ \\* _"):
        g.add("mul", [x, bad])


def test_compiled_callable_checks_its_arguments():
    f = kusari.compile(small_graph())
    with pytest.raises(TypeError, match="argument 1 of lambda: expected f32\\[3\\], got f32\\[4\\]"):
        f(f32(2, 3), f32(4))
    with pytest.raises(TypeError, match="takes 2 arrays, got 1"):
        f(f32(2, 3))


def test_generated_source_is_readable():
    f = kusari.compile(small_graph())
    assert "np.tanh(" in f.source and "# d:f32[2,3] = tanh c" in f.source
