"""The compile spine: the one place where a Graph becomes code.

Every front end (backward plans and per-op gradients, `kusari.jit`, the
language, `kusari.compile`, the command) calls

    compile(graph, backend, options) -> Executable

and one cache, keyed by (structural key, backend, options) and bounded by
count and by bytes, holds what it made. Front ends keep only small maps from
their own signatures to Executables.

A backend is an object with a `name` and `generate(graph, options) ->
Executable`
(the runtime supplies NumPy's; CuPy's comes next). An Executable has `fn`
(the raw callable: one array per graph input, a tuple of outputs), `source`
and `nbytes` (what it holds on to: code, constants, scratch buffers). The
compiler imports no backend: callers pass one in.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Protocol

from . import cache_log, gcpause
from .ir import Graph
from .passes import optimize


@dataclass(frozen=True)
class Options:
    """How to compile.

    optimize=False takes the graph as it is (already optimized, or to compare
    against the optimized form). copy_outputs=False lets outputs alias inputs
    or be read-only views, for callers that copy what they hand on.
    donate: (output position, input position) pairs where the caller gives
    up the input's array: the output may be computed into it, in place (the
    backend takes the pairs it can do safely; a taken output comes back as
    the input array itself).

    fast_math=True lets the simplifier also apply rewrites that hold for
    finite values only, or round differently: `x * 0 -> 0`, `x + 0.0 -> x`,
    `0.0 - x -> -x`, `-(a - b) -> b - a`, `exp(log x) -> x`, `log(exp x) -> x`,
    small integer powers as products, `x ** 0.5 -> sqrt(x)`, constants
    gathered across products. By default (False) every rewrite gives NumPy's
    result for every input, infinities, NaN and signed zeros included, so
    compiled code computes what eager code does, bit for bit; the one
    difference left is that a reduction fused into a blocked kernel adds
    (multiplies, ...) its partial results per block, in another order than
    NumPy's (registry.Combine), which changes its rounding."""
    optimize: bool = True
    copy_outputs: bool = True
    donate: tuple = ()
    fast_math: bool = False


DEFAULT = Options()


class Backend(Protocol):
    name: str

    def generate(self, graph: Graph, options: Options):
        """An Executable for an already optimized `graph`."""


MAX_EXECUTABLES = 2048
MAX_BYTES = 512 << 20
_cache: OrderedDict = OrderedDict()
_bytes = [0]


def compile(graph: Graph, backend: Backend, options: Options = DEFAULT, *,  # noqa: A001
            purpose: str | None = "compile", why: str | Callable[[], str] | None = None):
    """The Executable computing `graph` on `backend`, from the cache if one of
    the same structure was compiled before.

    A miss is recorded for `explain_cache()` under `purpose` with `why` (a
    string, or a callable giving one); purpose=None where the caller has
    already recorded why it compiles.
    """
    key = (graph.key(), backend.name, options)
    exe = _cache.get(key)
    if exe is not None:
        _cache.move_to_end(key)
        return exe
    if purpose is not None:
        reason = why() if callable(why) else why
        cache_log.record(purpose, graph.name, reason or f"a new graph ({len(graph)} nodes)")
    with gcpause.paused():
        g = graph.copy()
        if options.optimize:
            optimize(g, mark_kernels=False, fast_math=options.fast_math)
        exe = backend.generate(g, options)
    if cache_log.LOGS:
        cache_log.show("ir", f"{graph.name} ({backend.name})", str(g))
        cache_log.show("code", f"{graph.name} ({backend.name})", exe.source)
    _cache[key] = exe
    _bytes[0] += exe.nbytes
    while len(_cache) > 1 and (len(_cache) > MAX_EXECUTABLES or _bytes[0] > MAX_BYTES):
        _, old = _cache.popitem(last=False)
        _bytes[0] -= old.nbytes
    return exe


def cache_info() -> dict:
    """How many Executables the cache holds and how many bytes they keep."""
    return {"executables": len(_cache), "bytes": _bytes[0],
            "max_executables": MAX_EXECUTABLES, "max_bytes": MAX_BYTES}


def clear_cache() -> None:
    _cache.clear()
    _bytes[0] = 0
