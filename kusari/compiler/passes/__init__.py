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


def simplify_graph(g: Graph) -> int:
    """Constant folding and algebraic simplification to fixpoint."""
    return rewrite(g, _rules)


def optimize(g: Graph) -> Graph:
    """The pass pipeline: inline calls; simplify and fold, merge, drop dead
    code, repeated until nothing changes; then mark the kernels fusion makes
    (node attribute `kernel`, shown by `str(g)` and `g.to_dot()`).
    Returns `g` (changed in place)."""
    from ..fusion import fuse
    inline(g)
    dce(g)
    for _ in range(10):
        changed = simplify_graph(g)
        changed += cse(g)
        dce(g)
        if not changed:
            break
    fuse(g)
    return g


__all__ = ["cse", "dce", "inline", "optimize", "rewrite", "simplify_graph", "RuleSet"]
