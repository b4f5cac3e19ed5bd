"""`call`: one output of a whole graph, applied as an op.

This is how a jitted function (or a DSL function) called with Variables takes
part in backward(): it is one node of the recorded graph. Its gradient is a
`call` of the subgraph's VJP graph, so it differentiates again, to any order.
The optimizer inlines calls, so compiled code fuses across them. The compiler
computes nothing: the runtime registers `call`'s NumPy form (run the compiled
subgraph).
"""
from __future__ import annotations

from .. import sym as S
from ..errors import InvalidType
from ..ir import Graph, type_text
from .registry import LIBRARY, OpDef, register


class GraphRef:
    """A Graph as an attribute: hashable and equal by structural key."""

    __slots__ = ("graph", "key", "_hash", "_vjps", "_run")

    def __init__(self, graph: Graph):
        self.graph = graph
        self.key = graph.key()
        self._hash = hash(self.key)
        self._vjps: dict[int, GraphRef] = {}
        self._run = None          # set by the runtime: the compiled callable

    def __hash__(self):
        return self._hash

    def __eq__(self, other):
        return isinstance(other, GraphRef) and self._hash == other._hash and \
            self.key == other.key

    def __repr__(self):
        return f"{self.graph.name}#{self._hash & 0xffffff:06x}"

    def __reduce__(self):
        return (GraphRef, (self.graph,))

    def vjp(self, output: int) -> "GraphRef":
        """The graph (inputs..., gy) -> gradients of <output, gy> per input."""
        ref = self._vjps.get(output)
        if ref is None:
            from ..autodiff import vjp
            from ..passes import dce
            g = self.graph.copy()
            o = g.outputs[output]
            gy = g.add_input(g.shape(o), g.dtype(o), name="gy")
            g.outputs = vjp(g, [o], [gy], g.inputs[:-1])
            g.name = f"vjp{output}({self.graph.name})"
            ref = self._vjps[output] = GraphRef(dce(g))
        return ref


def _call_infer(attrs, *avals):
    g = attrs["graph"].graph
    if len(avals) != len(g.inputs):
        raise InvalidType(f"{len(g.inputs)} arguments", f"{len(avals)} arguments")
    for i, (a, n) in enumerate(zip(avals, g.inputs)):
        want = type_text(g.shape(n), g.dtype(n))
        got = type_text(a.shape, a.dtype)
        if want != got:
            raise InvalidType(f"argument {i} of {g.name} is {want}", got)
    o = g.outputs[attrs["output"]]
    return g.shape(o), g.dtype(o)


def _call_grad(gy, y, *inputs, graph, output):
    ref = graph.vjp(output)
    return tuple(None if ref.graph.outputs[i] is None else
                 S.apply("call", *inputs, gy, graph=ref, output=i)
                 for i in range(len(inputs)))


register(OpDef("call", LIBRARY, _call_infer, numpy_name="nk.call", grad=_call_grad,
               label="Call", arg_names=("args",), attr_names=("graph", "output"),
               saves=slice(0, None)))
