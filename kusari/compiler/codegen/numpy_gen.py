"""NumPy code generation: one readable Python function per graph.

The generated source names NumPy (`np`) and kusari's NumPy forms (`nk`)
directly, so it can be read, printed (`executable.source`) and diffed. Each
equation of the IR is one line, with the equation itself as a comment.
Constants become module-level values built once.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..ir import ArrayConst, Graph
from ..ops import numpy_kernels as nk

VIEW_OPS = {"reshape", "transpose", "broadcast_to", "getitem", "sum_to", "stop_gradient"}


class Source:
    """Generated source text and the globals it runs with."""

    def __init__(self, text: str, namespace: dict, entry: str):
        self.text = text
        self.namespace = namespace
        self.entry = entry

    def __str__(self):
        return self.text


def _const_expr(value, dtype: np.dtype) -> str:
    name = f"np.{dtype.name}" if dtype.name != "bool" else "np.bool_"
    if isinstance(value, float):
        if value != value:
            return f"{name}(np.nan)"
        if value in (float("inf"), float("-inf")):
            return f"{name}({'-' if value < 0 else ''}np.inf)"
        return f"{name}({value!r})"
    return f"{name}({value!r})"


def _py_attr(v) -> str:
    if isinstance(v, np.dtype):
        return f"np.dtype({v.str!r})"
    return repr(v)


def aliases(g: Graph, n: int) -> bool:
    """Whether node n's array may share memory with an input or a constant."""
    while True:
        op = g.op(n)
        if op in ("input", "const"):
            return True
        if op not in VIEW_OPS:
            return False
        if op == "sum_to" and g.shape(n) != g.shape(g.args(n)[0]):
            return False
        n = g.args(n)[0]


def generate(g: Graph, name: str = "kernel") -> Source:
    """Straight-line NumPy source for `g`: one NumPy call per equation."""
    names = {}
    ns: dict = {"np": np, "nk": nk}
    header: list[str] = []
    body: list[str] = []
    ir_names = g.names()
    params = []
    for i, n in enumerate(g.inputs):
        names[n] = f"in{i}_{ir_names[n]}"
        params.append(names[n])

    consts = 0
    for n in g.topo():
        d = g.node(n)
        op = d["op"]
        if op == "input":
            continue
        if op == "const":
            value = d["attrs"]["value"]
            cname = f"c{consts}"
            consts += 1
            if isinstance(value, ArrayConst):
                ns[cname] = value.array
                header.append(f"# {cname}: {d['dtype']}{list(d['shape'])} array constant")
            elif d["shape"] == ():
                header.append(f"{cname} = {_const_expr(value, d['dtype'])}")
            else:
                arr = np.full(d["shape"], value, d["dtype"])
                arr.flags.writeable = False
                ns[cname] = arr
                header.append(f"# {cname} = full({d['shape']}, {value!r}, {d['dtype']})")
            names[n] = cname
            continue
        opdef = ops.get(op)
        args = ", ".join(names[a] for a in d["args"])
        attrs = ", ".join(f"{k}={_py_attr(v)}" for k, v in d["attrs"].items())
        call = f"{opdef.numpy_name}({args}{', ' if args and attrs else ''}{attrs})"
        var = f"v_{ir_names[n]}"
        names[n] = var
        body.append(f"    # {g.equation(n, ir_names)}")
        body.append(f"    {var} = {call}")

    outs = []
    for o in g.outputs:
        if o is None:
            outs.append("None")
        elif aliases(g, o) or outs.count(names[o]):
            outs.append(f"np.array({names[o]})")   # never hand out an alias
        elif g.op(o) == "broadcast_to":
            outs.append(f"np.array({names[o]})")   # materialize read-only views
        elif g.shape(o) == ():
            outs.append(f"np.asarray({names[o]})")  # ufuncs give 0-d results as scalars
        else:
            outs.append(names[o])
    text = "\n".join(
        [f"# kusari: {g.name} ({len(g)} nodes)"] + header +
        [f"def {name}({', '.join(params)}):"] + body +
        [f"    return ({', '.join(outs)}{',' if len(outs) == 1 else ''})", ""])
    return Source(text, ns, name)
