"""Executables: a compiled graph as a Python callable on arrays."""
from __future__ import annotations

import numpy as np

from ..compiler.codegen.numpy_gen import generate
from ..compiler.ir import Graph, type_text


class Executable:
    """A compiled graph. Call it with one array per graph input.

    `source` is the generated Python; `fn` the raw function (no checks), used
    by hot paths that already know the arguments fit.
    """

    def __init__(self, graph: Graph, source, fn, nbytes: int = 0):
        self.graph = graph
        self.source = source.text
        self.fn = fn
        self.nbytes = nbytes            # what it keeps: code, constants, scratch
        self.in_types = [(graph.shape(i), graph.dtype(i)) for i in graph.inputs]

    def __call__(self, *arrays):
        if len(arrays) != len(self.in_types):
            raise TypeError(f"{self.graph.name} takes {len(self.in_types)} arrays, "
                            f"got {len(arrays)}")
        args = []
        for k, (a, (shape, dtype)) in enumerate(zip(arrays, self.in_types)):
            a = np.asarray(a)
            if a.shape != shape or a.dtype != dtype:
                raise TypeError(
                    f"argument {k} of {self.graph.name}: expected "
                    f"{type_text(shape, dtype)}, got {type_text(a.shape, a.dtype)}")
            args.append(a)
        out = self.fn(*args)
        return out[0] if len(out) == 1 else out

    def __repr__(self):
        return f"<kusari Executable {self.graph.name!r}>"


def load(graph: Graph, copy_outputs: bool = True, donate: tuple = ()) -> Executable:
    """Generate NumPy source for `graph` and turn it into an Executable."""
    from . import blocked
    src = generate(graph, copy_outputs=copy_outputs, donate=donate)
    ns = dict(src.namespace, rt=blocked)
    exec(compile(src.text, f"<kusari {graph.name}>", "exec"), ns)
    return Executable(graph, src, ns[src.entry], _kept_bytes(graph, src.text, ns))


def _kept_bytes(graph: Graph, text: str, ns: dict) -> int:
    """An estimate of the memory an Executable keeps alive."""
    from ..compiler.ir import ArrayConst
    from .blocked import BlockPlan, workers
    total = 4 * len(text) + 200 * len(graph)            # code objects, the graph
    for d in graph.nx._node.values():
        value = d["attrs"].get("value") if d["op"] == "const" else None
        if isinstance(value, ArrayConst):
            total += value.array.nbytes
    for v in ns.values():
        if isinstance(v, BlockPlan):                     # scratch, per worker thread
            total += v.block * sum(d.itemsize for d in v.scratch) * workers()
    return total
