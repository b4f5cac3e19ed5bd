"""Common-subexpression elimination.

Ops compare by op, attributes and operands (and output type), as PyTensor's
do; constants compare by value, shape and dtype. The first of equal nodes
survives and the others' users move to it.
"""
from __future__ import annotations

from ..ir import Graph, freeze


def cse(g: Graph) -> int:
    """Merge equal nodes in place; return how many were merged."""
    seen: dict = {}
    merged = 0
    for n in g.topo():
        d = g.node(n)
        if d["op"] == "input":
            continue
        key = (d["op"], freeze(tuple(sorted(d["attrs"].items()))), d["args"],
               d["shape"], d["dtype"].str)
        first = seen.get(key)
        if first is None:
            seen[key] = n
        else:
            g.replace_uses(n, first)
            g.nx.remove_node(n)
            merged += 1
    return merged
