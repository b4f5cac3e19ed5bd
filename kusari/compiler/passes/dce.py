"""Dead-code elimination: drop every node no output depends on.

Inputs stay (they are the graph's signature) even when unused.
"""
from __future__ import annotations

from ..ir import Graph


def dce(g: Graph) -> Graph:
    live, stack = set(g.inputs), [o for o in g.outputs if o is not None]
    while stack:
        n = stack.pop()
        if n not in live:
            live.add(n)
            stack.extend(g.args(n))
    dead = [n for n in g.nx.nodes if n not in live]
    g.nx.remove_nodes_from(dead)
    return g
