"""Inlining: a `call` node becomes a copy of its graph, so it fuses."""
from __future__ import annotations

from ..ir import Graph


def inline(g: Graph) -> int:
    """Replace every call node by the nodes of its graph; return how many."""
    done = 0
    while True:
        calls = [n for n in g.topo() if g.op(n) == "call"]
        if not calls:
            return done
        for n in calls:
            ref, output = g.attrs(n)["graph"], g.attrs(n)["output"]
            sub = ref.graph
            mapping = dict(zip(sub.inputs, g.args(n)))
            for m in sub.topo():
                if m in mapping:
                    continue
                d = sub.node(m)
                mapping[m] = g.add_raw(d["op"], [mapping[a] for a in d["args"]],
                                       dict(d["attrs"]), d["shape"], d["dtype"])
            g.replace_uses(n, mapping[sub.outputs[output]])
            g.remove(n)
            done += 1
