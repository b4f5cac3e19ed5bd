"""Executes compiled graphs: code loading, the kernel cache, backends."""
from __future__ import annotations

from collections import OrderedDict

from ..compiler import gcpause
from ..compiler.ir import Graph
from .executable import Executable, load

MAX_EXECUTABLES = 4096
_cache: OrderedDict = OrderedDict()


def build(graph: Graph) -> Executable:
    """The Executable for `graph` (already optimized), cached by structural key."""
    key = graph.key()
    exe = _cache.get(key)
    if exe is None:
        with gcpause.paused():
            exe = load(graph)
        _cache[key] = exe
        if len(_cache) > MAX_EXECUTABLES:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    return exe


def clear_cache() -> None:
    _cache.clear()


def run_graph(ref, arrays) -> tuple:
    """Run the graph a GraphRef holds (optimized and compiled once)."""
    run = ref._run
    if run is None:
        from ..compiler.passes import optimize
        run = ref._run = build(optimize(ref.graph.copy(), mark_kernels=False)).fn
    return run(*arrays)


def _call_impl(*arrays, graph, output):
    return run_graph(graph, arrays)[output]


def _register_forms() -> None:
    """Give the registry the NumPy forms only the runtime can provide."""
    from ..compiler import ops
    ops.get("call").impl = _call_impl


_register_forms()


__all__ = ["Executable", "build", "clear_cache"]
