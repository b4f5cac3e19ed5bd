"""Graph passes. Each is a small function over a Graph, in place.

- dce: drop what no output needs
- cse: merge equal subexpressions
- fold: constant folding (uniform constants symbolically)
- simplify: algebraic identities, powers, shape-op chains
- inline: calls become copies of their graphs (first, so everything fuses)
"""
from __future__ import annotations

from ..ir import Graph
from . import fold, simplify
from .cse import cse
from .dce import dce
from .inline import inline
from .rewrite import RuleSet, rewrite

_rules = RuleSet()
for _source in (fold.rules, simplify.rules):
    for _op, _fns in _source.by_op.items():
        _rules.by_op.setdefault(_op, []).extend(_fns)


def simplify_graph(g: Graph, merge: bool = False) -> int:
    """Constant folding and algebraic simplification to fixpoint (`merge`:
    with common-subexpression elimination folded in)."""
    return rewrite(g, _rules, cse=merge)


def optimize(g: Graph, mark_kernels: bool = True) -> Graph:
    """The pass pipeline: inline calls; simplify, fold and merge equal nodes
    in one rewrite to fixpoint; drop dead code; then (mark_kernels) mark the
    kernels fusion makes (node attribute `kernel`, shown by `str(g)` and
    `g.to_dot()`). Returns `g` (changed in place)."""
    from ..fusion import fuse
    inline(g)
    dce(g)
    simplify_graph(g, merge=True)
    dce(g)
    if mark_kernels:
        fuse(g)
    return g


__all__ = ["cse", "dce", "inline", "optimize", "rewrite", "simplify_graph", "RuleSet"]
