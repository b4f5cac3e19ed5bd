"""Graph passes. Each is a small function over a Graph, in place.

- dce: drop what no output needs
- cse: merge equal subexpressions
- fold: constant folding (uniform constants symbolically)
- simplify: algebraic identities, powers, shape-op chains (exact ones; the
  inexact ones only with fast_math)
- inline: calls become copies of their graphs (first, so everything fuses)
"""
from __future__ import annotations

from ..ir import Graph
from . import fold, simplify
from .cse import cse
from .dce import dce
from .inline import inline
from .rewrite import RuleSet, rewrite


def _merged(*sources: RuleSet) -> RuleSet:
    out = RuleSet()
    for source in sources:
        for op, fns in source.by_op.items():
            out.by_op.setdefault(op, []).extend(fns)
    return out


_exact = _merged(fold.rules, simplify.rules)
_fast = _merged(fold.rules, simplify.rules, simplify.fast_rules)


def simplify_graph(g: Graph, merge: bool = False, fast_math: bool = False) -> int:
    """Constant folding and algebraic simplification to fixpoint (`merge`:
    with common-subexpression elimination folded in). Only exact rewrites,
    unless `fast_math` (see `simplify`)."""
    return rewrite(g, _fast if fast_math else _exact, cse=merge)


def optimize(g: Graph, mark_kernels: bool = True, fast_math: bool = False) -> Graph:
    """The pass pipeline: inline calls; simplify, fold and merge equal nodes
    in one rewrite to fixpoint; drop dead code; then (mark_kernels) mark the
    kernels fusion makes (node attribute `kernel`, shown by `str(g)` and
    `g.to_dot()`). Returns `g` (changed in place). The rewrites are exact
    (NumPy's result for every input) unless `fast_math`."""
    from ..fusion import fuse
    inline(g)
    dce(g)
    simplify_graph(g, merge=True, fast_math=fast_math)
    dce(g)
    if mark_kernels:
        fuse(g)
    return g


__all__ = ["cse", "dce", "inline", "optimize", "rewrite", "simplify_graph", "RuleSet"]
