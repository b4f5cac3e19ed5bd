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

    def __init__(self, graph: Graph, source, fn):
        self.graph = graph
        self.source = source.text
        self.fn = fn
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


def load(graph: Graph) -> Executable:
    """Generate NumPy source for `graph` and turn it into an Executable."""
    from . import blocked
    src = generate(graph)
    ns = dict(src.namespace, rt=blocked)
    exec(compile(src.text, f"<kusari {graph.name}>", "exec"), ns)
    return Executable(graph, src, ns[src.entry])
