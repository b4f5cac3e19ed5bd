"""Inlining: a `call` node becomes a copy of its graph, so it fuses.

Gradient graphs are full of calls that share their graph and operands: the
gradient of one call with respect to each of its k operands is k calls of
one VJP graph (`output=0 .. k-1`), and the VJPs of several outputs of one
call each hold a copy of its forward graph. Copying each call's whole graph
would make the inlined graph k times the size it computes (and every later
pass pay for that), so inlining works per application:

- calls of one graph on the same operands are one application: its graph
  is copied once, only the part the used outputs need;
- the nodes an inlining copies are hash-consed (equal op, attributes,
  operands and type: the same node), so copies of one forward graph inside
  several VJPs, or inside a graph and its VJP, are made once;
- calls inside a called graph are inlined as they are copied (recursively).

Each node of the result is made once, so inlining costs time linear in
the size of what it makes. Merging equal nodes is what common-subexpression
elimination does later anyway: the result computes the same values.
"""
from __future__ import annotations

from ..ir import Graph, freeze


class _Inliner:
    def __init__(self, g: Graph):
        self.g = g
        self.done: dict[tuple, dict[int, int]] = {}   # (ref, operands) -> {output: node}
        self.table: dict[tuple, int] = {}             # hash-consing of copied nodes
        self.visits = 0                               # nodes of called graphs copied or reused

    def expand(self, ref, operands: tuple, wanted) -> dict[int, int]:
        """The nodes of `g` computing outputs `wanted` of `ref`'s graph
        applied to `operands` (nodes of `g`), copying what is not there yet."""
        have = self.done.setdefault((ref, operands), {})
        missing = [k for k in dict.fromkeys(wanted) if k not in have]
        if not missing:
            return have
        sub = ref.graph
        nodes = sub.nx._node
        cone = _postorder(sub, [sub.outputs[k] for k in missing])
        # calls of one graph on the same operands inside `sub`: one application
        uses: dict[tuple, list[int]] = {}
        for m in cone:
            d = nodes[m]
            if d["op"] == "call":
                uses.setdefault((d["attrs"]["graph"], d["args"]), []).append(
                    d["attrs"]["output"])
        mapping = dict(zip(sub.inputs, operands))
        g, table = self.g, self.table
        for m in cone:
            if m in mapping:
                continue
            self.visits += 1
            d = nodes[m]
            args = tuple([mapping[a] for a in d["args"]])
            if d["op"] == "call":
                ref2 = d["attrs"]["graph"]
                outs = self.expand(ref2, args, uses[(ref2, d["args"])])
                mapping[m] = outs[d["attrs"]["output"]]
                continue
            attrs = d["attrs"]
            key = (d["op"], freeze(tuple(sorted(attrs.items()))), args, d["shape"],
                   d["dtype"].str)
            n = table.get(key)
            if n is None:
                n = table[key] = g.add_raw(d["op"], args, dict(attrs), d["shape"], d["dtype"])
            mapping[m] = n
        for k in missing:
            have[k] = mapping[sub.outputs[k]]
        return have


def _postorder(g: Graph, roots) -> list[int]:
    """The nodes `roots` depend on, operands first (depth-first, in order)."""
    out: list[int] = []
    seen: set[int] = set()
    nodes = g.nx._node
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(nodes[root]["args"]))]
        while stack:
            n, it = stack[-1]
            for a in it:
                if a not in seen:
                    seen.add(a)
                    stack.append((a, iter(nodes[a]["args"])))
                    break
            else:
                stack.pop()
                out.append(n)
    return out


def inline(g: Graph, stats: dict | None = None) -> int:
    """Replace every call node by the nodes of its graph; return how many.

    `stats`, if given, receives "visits": how many nodes of called graphs
    were copied or found already copied (what inlining costs; see the
    module docstring)."""
    nodes = g.nx._node
    calls = [n for n in g.topo() if nodes[n]["op"] == "call"]
    inliner = _Inliner(g)
    if calls:
        uses: dict[tuple, list[int]] = {}
        group = {}                 # call -> the outputs used of its application
        for n in calls:
            d = nodes[n]
            group[n] = uses.setdefault((d["attrs"]["graph"], d["args"]), [])
            group[n].append(d["attrs"]["output"])
        for n in calls:            # operands first: a call's operands are final here
            d = nodes[n]
            ref, output = d["attrs"]["graph"], d["attrs"]["output"]
            outs = inliner.expand(ref, d["args"], group[n])
            g.replace_uses(n, outs[output])
            g.remove(n)
    if stats is not None:
        stats["visits"] = inliner.visits
    return len(calls)
