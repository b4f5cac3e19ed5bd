"""`call`: one output of a whole graph, applied as an op.

This is how a jitted function (or a DSL function) called with Variables takes
part in backward(): it is one node of the recorded graph. Its gradient is a
`call` of the subgraph's VJP graph, so it differentiates again, to any order.
The optimizer inlines calls, so compiled code fuses across them. Run on its
own, a call compiles its graph through the spine with the backend its
GraphRef was made for (the front end that made it passes one).
"""
from __future__ import annotations

from .. import sym as S
from ..errors import InvalidType, KusariError
from ..ir import Graph, type_text
from . import numpy_kernels as nk
from .registry import LIBRARY, OpDef, register


class GraphRef:
    """A Graph as an attribute: hashable and equal by structural key.

    `backend` is what `run` compiles for (gradients' refs inherit it)."""

    __slots__ = ("graph", "key", "_hash", "_vjps", "_run", "backend", "_others")

    def __init__(self, graph: Graph, backend=None):
        self.graph = graph
        self.key = graph.key()
        self._hash = hash(self.key)
        self._vjps: dict[int, GraphRef] = {}
        self._run = None          # the compiled callable, made on first run
        self.backend = backend
        self._others = None       # backend name -> this graph's ref for that backend

    def run(self, arrays) -> tuple:
        """All outputs of the graph on `arrays` (compiled on first use)."""
        run = self._run
        if run is None:
            if self.backend is None:
                raise KusariError(f"{self.graph.name} was made with no backend to run on")
            from ..spine import compile
            run = self._run = compile(self.graph, self.backend, purpose="call").fn
        return run(*arrays)

    def on(self, backend) -> "GraphRef":
        """This graph's ref for `backend` (itself where that is its own): a
        call recorded on the host and run again on device arrays (an op's
        gradient) runs there, compiled for the device."""
        if backend is self.backend:
            return self
        if self._others is None:
            self._others = {}
        ref = self._others.get(backend.name)
        if ref is None:
            ref = self._others[backend.name] = GraphRef(self.graph, backend)
            ref._others = {self.backend.name: self} if self.backend is not None else None
        return ref

    def __hash__(self):
        return self._hash

    def __eq__(self, other):
        return isinstance(other, GraphRef) and self._hash == other._hash and \
            self.key == other.key

    def __repr__(self):
        return f"{self.graph.name}#{self._hash & 0xffffff:06x}"

    def __reduce__(self):
        return (GraphRef, (self.graph, self.backend))

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
            ref = self._vjps[output] = GraphRef(dce(g), self.backend)
        return ref


def _call_infer(attrs, *avals):
    g = attrs["graph"].graph
    if len(avals) != len(g.inputs):
        raise InvalidType(f"{len(g.inputs)} arguments", f"{len(avals)} arguments")
    for i, (a, n) in enumerate(zip(avals, g.inputs)):
        if a.shape == g.shape(n) and a.dtype == g.dtype(n):
            continue                  # (the texts are made only to compare the rest)
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


register(OpDef("call", LIBRARY, _call_infer, impl=nk.call, numpy_name="nk.call", grad=_call_grad,
               label="Call", arg_names=("args",), attr_names=("graph", "output"),
               saves=slice(0, None)))
