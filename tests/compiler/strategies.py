"""Hypothesis strategies: random graphs of elementwise ops, reductions and
broadcasts, and a NumPy reference interpreter for them."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from kusari.compiler import Graph, ops
from kusari.compiler.ir import ArrayConst

UNARY = ["neg", "tanh", "sin", "cos", "sigmoid", "abs", "square", "exp"]
BINARY = ["add", "sub", "mul", "maximum", "minimum"]
CONSTS = [0.0, 1.0, -1.0, 2.0, 0.5]


@st.composite
def random_graph(draw, max_ops=14):
    """A Graph over 1-3 inputs of broadcast-compatible shapes (float64)."""
    full = draw(st.sampled_from([(3,), (2, 3), (2, 1, 3), (4, 3)]))
    g = Graph("random")
    values = []
    for _ in range(draw(st.integers(1, 3))):
        keep = draw(st.integers(0, len(full)))
        shape = tuple(d if draw(st.booleans()) else 1 for d in full[len(full) - keep:])
        values.append(g.add_input(shape, np.float64))
    for _ in range(draw(st.integers(1, max_ops))):
        kind = draw(st.sampled_from(["unary", "binary", "binary", "const", "reduce",
                                     "shape", "pow", "inverse"]))
        x = draw(st.sampled_from(values))
        if kind == "unary":
            values.append(g.add(draw(st.sampled_from(UNARY)), [x]))
        elif kind == "binary":
            y = draw(st.sampled_from(values))
            try:
                values.append(g.add(draw(st.sampled_from(BINARY)), [x, y]))
            except Exception:
                continue      # shapes that do not broadcast: draw something else
        elif kind == "const":
            c = draw(st.sampled_from(CONSTS))
            shape = draw(st.sampled_from([(), g.shape(x)]))
            k = g.add_const(c, np.float64, shape)
            op = draw(st.sampled_from(["add", "sub", "mul"]))
            values.append(g.add(op, [x, k] if draw(st.booleans()) else [k, x]))
        elif kind == "reduce" and g.shape(x):
            nd = len(g.shape(x))
            axis = tuple(sorted(draw(st.sets(st.integers(0, nd - 1), max_size=nd))))
            op = draw(st.sampled_from(["sum", "max", "mean"]))
            values.append(g.add(op, [x], axis=axis, keepdims=draw(st.booleans())))
        elif kind == "shape":
            shape = g.shape(x)
            choice = draw(st.sampled_from(["broadcast", "reshape", "transpose", "sum_to"]))
            if choice == "broadcast":
                values.append(g.add("broadcast_to", [x], shape=(2,) + shape))
            elif choice == "reshape":
                values.append(g.add("reshape", [x], shape=(int(np.prod(shape)),)))
            elif choice == "transpose" and shape:
                values.append(g.add("transpose", [x], axes=tuple(reversed(range(len(shape))))))
            elif choice == "sum_to" and shape:
                values.append(g.add("sum_to", [x], shape=tuple(1 for _ in shape[1:])))
        elif kind == "pow":
            p = draw(st.sampled_from([1, 2, 3, 4, 0.5, -1]))
            base = g.add("add", [g.add("square", [x]), g.add_const(0.5, np.float64)])
            values.append(g.add("pow", [base, g.add_const(float(p), np.float64)]))
        else:   # inverse pairs the simplifier removes
            pair = draw(st.sampled_from(["neg", "exp_log", "log_exp"]))
            if pair == "neg":
                values.append(g.add("neg", [g.add("neg", [x])]))
            elif pair == "exp_log":
                pos = g.add("exp", [g.add("tanh", [x])])
                values.append(g.add("exp", [g.add("log", [pos])]))
            else:
                values.append(g.add("log", [g.add("exp", [g.add("tanh", [x])])]))
    n_out = draw(st.integers(1, min(3, len(values))))
    g.outputs = draw(st.lists(st.sampled_from(values), min_size=n_out, max_size=n_out))
    return g


def reference(g: Graph, inputs):
    """Evaluate `g` node by node with the ops' NumPy forms (no passes)."""
    def on_const(d):
        v = d["attrs"]["value"]
        return v.array if isinstance(v, ArrayConst) else np.full(d["shape"], v, d["dtype"])

    def on_op(d, args):
        return np.asarray(ops.get(d["op"]).impl(*args, **d["attrs"]))
    return g.interpret(inputs, on_const, on_op)


def inputs_for(g: Graph, seed: int):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.5, 1.5, g.shape(i)) for i in g.inputs]
