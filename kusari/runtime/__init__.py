"""Executes compiled graphs: code loading, the kernel cache, backends."""
from __future__ import annotations

from collections import OrderedDict

from ..compiler.ir import Graph
from .executable import Executable, load

MAX_EXECUTABLES = 4096
_cache: OrderedDict = OrderedDict()


def build(graph: Graph) -> Executable:
    """The Executable for `graph` (already optimized), cached by structural key."""
    key = graph.key()
    exe = _cache.get(key)
    if exe is None:
        exe = load(graph)
        _cache[key] = exe
        if len(_cache) > MAX_EXECUTABLES:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    return exe


def clear_cache() -> None:
    _cache.clear()


__all__ = ["Executable", "build", "clear_cache"]
