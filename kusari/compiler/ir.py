"""The IR: a Graph of op applications over a networkx DiGraph.

Each node is one op application producing one value. Node data:

    op      the registry name ("mul", "sum", "input", "const", ...)
    attrs   a dict of hashable attributes (axis, shape, constant value ...)
    args    the operand node ids, in order (mirrored by the edges)
    shape   the output shape, a tuple of ints
    dtype   the output dtype, a numpy.dtype

An edge u -> v carries `pos`, the tuple of operand positions at which v uses u
(so `mul(x, x)` is one edge with pos (0, 1)). Inputs and constants are nodes
too. The graph's `inputs` and `outputs` list node ids; an output may be None (a
gradient that does not exist). Nothing else is kept outside the networkx graph,
so a Graph can be printed, hashed, copied, pickled and drawn.
"""
from __future__ import annotations

import itertools
from typing import Sequence

import networkx as nx
import numpy as np

from . import dtypes


class ArrayConst:
    """A constant array held in a node's attrs: hashable by content."""

    __slots__ = ("array", "_hash")

    def __init__(self, array):
        array = np.array(array, copy=True)
        array.flags.writeable = False
        self.array = array
        self._hash = hash((array.shape, array.dtype.str, array.tobytes()))

    def __hash__(self):
        return self._hash

    def __eq__(self, other):
        return (isinstance(other, ArrayConst) and self._hash == other._hash
                and self.array.shape == other.array.shape
                and self.array.dtype == other.array.dtype
                and self.array.tobytes() == other.array.tobytes())

    def __repr__(self):
        return np.array2string(self.array, separator=", ", threshold=8)


def freeze(value):
    """A hashable, NaN-safe stand-in for an attribute value (for keys)."""
    if isinstance(value, float):
        return ("f", value.hex())
    if isinstance(value, (tuple, list)):
        return tuple(freeze(v) for v in value)
    if isinstance(value, np.dtype):
        return value.str
    if isinstance(value, np.generic):
        return freeze(value.item())
    return value


class Graph:
    """A dataflow graph of op applications; see the module docstring."""

    def __init__(self, name: str = "f"):
        self.nx = nx.DiGraph()
        # Nodes and edges are inserted straight into the DiGraph's dicts (see
        # _new_node); networkx's backend cache is off so nothing can go stale.
        self.nx.__networkx_cache__ = None
        self.name = name
        self.inputs: list[int] = []
        self.outputs: list[int | None] = []
        self.next_id = 0  # ids grow, so nodes made after a point are >= it

    # -- construction -------------------------------------------------------

    def _new_node(self, op: str, args: Sequence[int], attrs: dict, shape, dtype) -> int:
        n = self.next_id
        self.next_id += 1
        G = self.nx
        G._node[n] = {"op": op, "attrs": attrs, "args": tuple(args),
                      "shape": tuple(shape), "dtype": np.dtype(dtype)}
        succ = G._succ
        succ[n] = {}
        pred = G._pred[n] = {}
        for i, a in enumerate(args):
            if a in pred:
                pred[a]["pos"] = pred[a]["pos"] + (i,)
            else:
                edge = {"pos": (i,)}
                pred[a] = edge
                succ[a][n] = edge
        return n

    def add_input(self, shape, dtype, name: str | None = None) -> int:
        n = self._new_node("input", (), {}, shape, dtype)
        if name is not None:
            self.nx.nodes[n]["name"] = name
        self.inputs.append(n)
        return n

    def add_const(self, value, dtype, shape=()) -> int:
        """A constant: a scalar `value` filled to `shape`, or an ArrayConst."""
        dtype = np.dtype(dtype)
        if isinstance(value, ArrayConst):
            shape = value.array.shape
        elif isinstance(value, np.ndarray):
            value = ArrayConst(value.astype(dtype, copy=False))
            shape = value.array.shape
        else:
            value = dtype.type(value).item()
        return self._new_node("const", (), {"value": value}, shape, dtype)

    def add(self, op: str, args: Sequence[int], **attrs) -> int:
        """Apply registry op `op` to `args`; the shape and dtype are inferred.

        Raises InvalidType (Chainer's form, naming the op) on invalid operands.
        """
        opdef = _registry().get(op)
        shape, dtype = opdef.infer_checked(attrs, [self.aval(a) for a in args])
        return self._new_node(op, args, attrs, shape, dtype)

    def add_raw(self, op: str, args: Sequence[int], attrs: dict, shape, dtype) -> int:
        """Add a node whose shape and dtype are already known (copies, passes)."""
        return self._new_node(op, args, attrs, shape, dtype)

    # -- queries ------------------------------------------------------------

    def __contains__(self, n) -> bool:
        return n in self.nx

    def __len__(self) -> int:
        return self.nx.number_of_nodes()

    # Accessors read networkx's node dict directly (`G._node`): the public
    # NodeView costs more than the lookup itself, and passes do millions.
    def node(self, n: int) -> dict:
        return self.nx._node[n]

    def op(self, n: int) -> str:
        return self.nx._node[n]["op"]

    def attrs(self, n: int) -> dict:
        return self.nx._node[n]["attrs"]

    def args(self, n: int) -> tuple:
        return self.nx._node[n]["args"]

    def shape(self, n: int) -> tuple:
        return self.nx._node[n]["shape"]

    def dtype(self, n: int) -> np.dtype:
        return self.nx._node[n]["dtype"]

    def aval(self, n: int) -> "AVal":
        d = self.nx._node[n]
        return AVal(d["shape"], d["dtype"])

    def users(self, n: int) -> list[int]:
        """The nodes that use `n` as an operand (each once)."""
        return list(self.nx._succ[n])

    def use_count(self, n: int) -> int:
        """How many operand slots and outputs refer to `n`."""
        uses = sum(len(d["pos"]) for d in self.nx._succ[n].values())
        return uses + sum(1 for o in self.outputs if o == n)

    def is_const(self, n: int) -> bool:
        return self.nx._node[n]["op"] == "const"

    def const_value(self, n: int):
        """The scalar value of a scalar-filled const node, else None."""
        d = self.nx._node[n]
        if d["op"] != "const":
            return None
        v = d["attrs"]["value"]
        return None if isinstance(v, ArrayConst) else v

    def topo(self) -> list[int]:
        """Nodes in a canonical topological order.

        Depth-first from the outputs, operands in order, then any node the
        outputs do not reach. Two graphs built in different orders but equal in
        structure list their nodes alike, so their keys agree.
        """
        order: list[int] = []
        seen: set[int] = set()
        nodes = self.nx._node
        roots = [o for o in self.outputs if o is not None] + list(self.inputs)
        for root in itertools.chain(roots, sorted(self.nx.nodes)):
            if root in seen:
                continue
            stack = [(root, iter(nodes[root]["args"]))]
            seen.add(root)
            while stack:
                n, it = stack[-1]
                for a in it:
                    if a not in seen:
                        seen.add(a)
                        stack.append((a, iter(nodes[a]["args"])))
                        break
                else:
                    stack.pop()
                    order.append(n)
        return order

    def key(self) -> tuple:
        """The structural key: ops, attrs, operands, shapes and dtypes, in order.

        Equal keys mean the graphs compute the same function on the same input
        types, so a compiled graph can be served from a cache by its key.
        """
        order = self.topo()
        pos = {n: i for i, n in enumerate(order)}
        nodes = self.nx._node
        entries = []
        for n in order:
            d = nodes[n]
            entries.append((d["op"], freeze(tuple(sorted(d["attrs"].items()))),
                            d["shape"], d["dtype"].str,
                            tuple(pos[a] for a in d["args"])))
        return (tuple(entries), tuple(pos[i] for i in self.inputs),
                tuple(None if o is None else pos[o] for o in self.outputs))

    def interpret(self, inputs, on_const, on_op) -> list:
        """Evaluate the graph node by node: `on_const(data)` gives a constant's
        value, `on_op(data, operand_values)` an op's. Returns the outputs'
        values (None where an output is None). The callers decide what a value
        is: arrays (debug runs), Variables (recording), traced values."""
        env = dict(zip(self.inputs, inputs))
        nodes = self.nx._node
        for n in self.topo():
            if n in env:
                continue
            d = nodes[n]
            if d["op"] == "const":
                env[n] = on_const(d)
            elif d["op"] == "input":
                raise KeyError(f"input {n} of {self.name} is not bound")
            else:
                env[n] = on_op(d, [env[a] for a in d["args"]])
        return [None if o is None else env[o] for o in self.outputs]

    # -- mutation used by passes -------------------------------------------

    def set_args(self, n: int, args: Sequence[int]) -> None:
        """Replace the operands of `n`, keeping the edges in step."""
        G = self.nx
        succ = G._succ
        pred = G._pred[n]
        for a in pred:
            del succ[a][n]
        pred.clear()
        args = tuple(args)
        G._node[n]["args"] = args
        for i, a in enumerate(args):
            if a in pred:
                pred[a]["pos"] = pred[a]["pos"] + (i,)
            else:
                if a not in succ:
                    raise KeyError(f"operand {a} of node {n} is not in the graph")
                edge = {"pos": (i,)}
                pred[a] = edge
                succ[a][n] = edge

    def replace_uses(self, old: int, new: int) -> None:
        """Make every user of `old` (and the outputs) use `new` instead."""
        if old == new:
            return
        G = self.nx
        nodes = G._node
        for u in list(G._succ[old]):
            args = tuple([new if a == old else a for a in nodes[u]["args"]])
            self.set_args(u, args)
        if old in self.outputs:
            self.outputs = [new if o == old else o for o in self.outputs]

    def remove(self, n: int) -> None:
        self.nx.remove_node(n)
        if n in self.inputs:
            self.inputs.remove(n)

    def copy(self) -> "Graph":
        """An independent copy: node data, attrs dicts and edges are new
        (values inside them are shared; they are not changed in place).
        Built straight into the DiGraph's dicts, as `_new_node` does."""
        g = Graph(self.name)
        G, H = self.nx, g.nx
        H.graph.update(G.graph)
        nodes, succ, pred = H._node, H._succ, H._pred
        for n, d in G._node.items():
            d = d.copy()
            d["attrs"] = dict(d["attrs"])
            nodes[n] = d
            succ[n] = {}
            pred[n] = {}
        for u, users in G._succ.items():
            out = succ[u]
            for v, e in users.items():
                e = e.copy()
                out[v] = e
                pred[v][u] = e
        g.inputs = list(self.inputs)
        g.outputs = list(self.outputs)
        g.next_id = self.next_id
        return g

    def check(self) -> None:
        """Assert the graph's invariants (edges mirror args; acyclic)."""
        G = self.nx
        for n, d in G.nodes(data=True):
            want: dict[int, tuple] = {}
            for i, a in enumerate(d["args"]):
                want[a] = want.get(a, ()) + (i,)
            got = {a: e["pos"] for a, e in G._pred[n].items()}
            assert want == got, f"node {n}: args {d['args']} but edges {got}"
        assert nx.is_directed_acyclic_graph(G), "graph has a cycle"
        for o in self.outputs:
            assert o is None or o in G, f"output {o} is not a node"

    # -- presentation -------------------------------------------------------

    def names(self) -> dict[int, str]:
        """Short variable names (a, b, ..., z, ba, ...) in topological order."""
        inputs, outputs = set(self.inputs), set(self.outputs)
        order = list(self.inputs) + [n for n in self.topo() if n not in inputs
                                     and not self._inline_const(n, outputs)]
        return {n: _letters(i) for i, n in enumerate(order)}

    def _inline_const(self, n: int, outputs=None) -> bool:
        d = self.nx.nodes[n]
        return (d["op"] == "const" and d["shape"] == ()
                and not isinstance(d["attrs"]["value"], ArrayConst)
                and n not in (self.outputs if outputs is None else outputs))

    def operand_text(self, n: int, names: dict[int, str]) -> str:
        if n in names:
            return names[n]
        d = self.nx.nodes[n]
        return f"{_scalar_text(d['attrs']['value'])}:{dtypes.short(d['dtype'])}"

    def equation(self, n: int, names: dict[int, str]) -> str:
        d = self.nx.nodes[n]
        attrs = ", ".join(f"{k}={_attr_text(v)}" for k, v in d["attrs"].items())
        head = d["op"] + (f"[{attrs}]" if attrs else "")
        operands = " ".join(self.operand_text(a, names) for a in d["args"])
        return f"{names[n]}:{type_text(d['shape'], d['dtype'])} = {head}" + (
            f" {operands}" if operands else "")

    def __str__(self) -> str:
        names = self.names()
        params = " ".join(f"{names[i]}:{type_text(self.shape(i), self.dtype(i))}"
                          for i in self.inputs)
        lines = [f"{{ lambda {params} . let"]
        body = [n for n in self.topo() if n in names and self.op(n) != "input"]
        if any(self.node(n).get("kernel") is not None for n in body):
            # annotated by fusion: kernel by kernel (a stable sort keeps each
            # kernel's equations in topological order)
            body.sort(key=lambda n: self.node(n).get("kernel", -1))
        by_kernel: dict = {}
        for n in body:
            by_kernel.setdefault(self.node(n).get("kernel"), []).append(n)
        current = object()
        for n in body:
            k = self.node(n).get("kernel")
            if k is not None and k != current:
                members = by_kernel[k]
                lines.append(f"    # kernel {k}: " + (
                    f"{len(members)} ops fused over {type_text(self.shape(members[0]), self.dtype(members[0]))}"
                    if len(members) > 1 else self.op(n)))
                current = k
            lines.append("    " + self.equation(n, names))
        outs = ", ".join("_" if o is None else self.operand_text(o, names)
                         for o in self.outputs)
        lines.append(f"  in ({outs}) }}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<kusari Graph {self.name!r}: {len(self.inputs)} inputs, " \
               f"{len(self)} nodes, {len(self.outputs)} outputs>"

    def to_dot(self) -> str:
        """Graphviz DOT text; nodes of one fused kernel share a colour."""
        names = self.names()
        palette = ["#fde2e4", "#e2ece9", "#dfe7fd", "#fff1e6", "#e9edc9",
                   "#f0efeb", "#cddafd", "#fad2e1", "#bee1e6", "#eddcd2"]
        lines = [f'digraph "{self.name}" {{', "  rankdir=TB;",
                 '  node [shape=box, style="rounded,filled", fillcolor=white, '
                 'fontname="monospace"];']
        for n in self.topo():
            d = self.nx.nodes[n]
            if n not in names:                      # an inline scalar constant
                label = self.operand_text(n, names)
            elif d["op"] == "input":
                label = f"{names[n]}:{type_text(d['shape'], d['dtype'])} (input)"
            else:
                label = self.equation(n, names)
            label = label.replace('"', r'\"')
            extra = ""
            if "kernel" in d and d["kernel"] is not None:
                extra = f', fillcolor="{palette[d["kernel"] % len(palette)]}"'
            elif d["op"] == "input":
                extra = ", shape=ellipse"
            lines.append(f'  n{n} [label="{label}"{extra}];')
        for u, v, e in self.nx.edges(data=True):
            lines.append(f'  n{u} -> n{v} [label="{",".join(map(str, e["pos"]))}"];')
        for i, o in enumerate(self.outputs):
            if o is not None:
                lines.append(f'  out{i} [label="out {i}", shape=plaintext];')
                lines.append(f"  n{o} -> out{i};")
        lines.append("}")
        return "\n".join(lines)


def op_graph(op: str, operands, attrs: dict) -> Graph:
    """A graph applying registry op `op` to inputs of the operands' shapes and
    dtypes (anything with .shape and .dtype): an eager kernel of one op."""
    g = Graph(op)
    ins = [g.add_input(tuple(a.shape), a.dtype) for a in operands]
    g.outputs = [g.add(op, ins, **attrs)]
    return g


def _registry():
    """The op registry (imported late: the registry's rules build Graphs)."""
    global _REGISTRY
    if _REGISTRY is None:
        from .ops import registry
        _REGISTRY = registry
    return _REGISTRY


_REGISTRY = None


class AVal:
    """An abstract value: just a shape and a dtype (what shape rules see)."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def __repr__(self):
        return type_text(self.shape, self.dtype)

    def __eq__(self, other):
        return (isinstance(other, AVal) and self.shape == other.shape
                and self.dtype == other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))


def type_text(shape, dtype) -> str:
    return f"{dtypes.short(dtype)}[{','.join(map(str, shape))}]"


def _letters(i: int) -> str:
    s = ""
    while True:
        s = chr(ord("a") + i % 26) + s
        i = i // 26
        if i == 0:
            return s
        i -= 1


def _scalar_text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _attr_text(v) -> str:
    if isinstance(v, np.dtype):
        return dtypes.short(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, tuple):
        return "(" + ",".join(_attr_text(x) for x in v) + ")"
    return str(v)

