"""The compiler for Python users: trace a function into a Graph, compile a
Graph for NumPy. Both sit above the pure compiler (tracing runs the Chainer
surface; compiling needs the runtime's backend)."""
from __future__ import annotations

from .compiler import spine
from .compiler.ir import Graph
from .runtime import NUMPY, Executable


def trace(fn, *example_arrays, name: str | None = None) -> Graph:
    """Call `fn` on Variables shaped like `example_arrays`; return its Graph.

    The arrays give shapes and dtypes only: `fn` runs on traced values, and
    Python control flow on them raises a clear error.
    """
    from .tracing import trace as _trace
    return _trace(fn, example_arrays, name=name)


def compile(graph: Graph, optimize: bool = True) -> Executable:  # noqa: A001 - the verb
    """A callable on NumPy arrays computing `graph`, cached by structural key
    (a graph of the same structure, shapes and dtypes reuses the callable).
    `optimize=False` compiles the graph as it is."""
    return spine.compile(graph, NUMPY, spine.Options(optimize=optimize))
