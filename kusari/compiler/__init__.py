"""kusari's compiler: the IR, the op registry, gradients, passes, code generation.

This package computes no arrays (constant folding aside); `compile` hands the
generated code to the runtime.
"""
from __future__ import annotations

from . import ops  # noqa: F401  (registers every op)
from .autodiff import grad, vjp  # noqa: F401
from .cache_log import explain_cache  # noqa: F401
from .errors import InvalidType, KusariError, TraceError  # noqa: F401
from .ir import AVal, Graph  # noqa: F401
from .passes import optimize  # noqa: F401


def trace(fn, *example_arrays, name: str | None = None) -> Graph:
    """Call `fn` on Variables shaped like `example_arrays`; return its Graph.

    The arrays give shapes and dtypes only: `fn` runs on traced values, and
    Python control flow on them raises a clear error.
    """
    from ..tracing import trace as _trace
    return _trace(fn, example_arrays, name=name)


_compiled: dict = {}


def compile(graph: Graph, optimize_graph: bool = True):  # noqa: A001 - the verb
    """A callable on NumPy arrays computing `graph`, cached by structural key
    (a graph of the same structure, shapes and dtypes reuses the callable)."""
    from ..runtime import build
    from . import cache_log
    key = (graph.key(), optimize_graph)
    exe = _compiled.get(key)
    if exe is None:
        cache_log.record("compile", graph.name, f"a new graph ({len(graph)} nodes)")
        g = graph.copy()
        if optimize_graph:
            optimize(g, mark_kernels=False)
        exe = _compiled[key] = build(g)
        if len(_compiled) > 1024:
            _compiled.pop(next(iter(_compiled)))
    return exe
