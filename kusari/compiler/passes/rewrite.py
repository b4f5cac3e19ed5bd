"""The one rewrite mechanism the passes share.

A rule is a function ``rule(g, n) -> replacement node id or None``, filed under
the ops it applies to. `rewrite` visits nodes in topological order, applies the
rules of each node's op until none fires, and redirects users to the
replacement; replacements are visited in turn, so rules compose (x**2 becomes
x*x, whose users may then simplify further). Each visit looks at a node and
its operands only, and a rewrite revisits a bounded neighbourhood, so the
pass is linear in graph size (times the log of a heap).
"""
from __future__ import annotations

import heapq
from typing import Callable, Iterable

from ..ir import Graph, freeze

Rule = Callable[[Graph, int], "int | None"]


class RuleSet:
    """Rules filed by op name ("*" for rules that apply to every op)."""

    def __init__(self):
        self.by_op: dict[str, list[Rule]] = {}
        self._cache: dict[str, list[Rule]] = {}

    def rule(self, *ops: str):
        def register(fn: Rule) -> Rule:
            for op in ops:
                self.by_op.setdefault(op, []).append(fn)
            self._cache.clear()
            return fn
        return register

    def for_op(self, op: str) -> list[Rule]:
        rules = self._cache.get(op)
        if rules is None:
            rules = self._cache[op] = self.by_op.get(op, []) + self.by_op.get("*", [])
        return rules


def rewrite(g: Graph, rules: RuleSet, max_steps: int = 100000, cse: bool = False,
            stats: dict | None = None) -> int:
    """Apply `rules` to fixpoint; return how many rewrites fired.

    Nodes are visited in topological order, always: a node comes up only
    once every node it depends on has been visited (and simplified), so a
    rule sees simplified operands and each node is visited a bounded number
    of times. Pending work is a heap keyed by rank: a node's position in the
    initial order, and for a node a rewrite makes, the key of the node being
    rewritten extended by a counter (after it and its operands, before its
    users). A rewrite revisits the users of the rewritten node and their
    users (rules look one operand deep).

    With `cse`, equal nodes are merged on the way (hash-consing): a node that
    no rule changes is looked up by (op, attrs, operands, type) and replaced
    by an equal node seen before. A node whose operands change leaves the
    table until it is visited again, so no stale entry can merge it wrongly.

    `stats`, if given, receives "visits": how many times a node was visited.
    """
    fired = visits = 0
    order = g.topo()
    rank: dict[int, tuple] = {n: (i,) for i, n in enumerate(order)}
    work = [(r, n) for n, r in rank.items()]     # sorted: already a heap
    done: set[int] = set()
    table: dict = {}
    key_of: dict[int, tuple] = {}
    nodes = g.nx._node
    succ = g.nx._succ
    counter = 0
    while work:
        key, n = heapq.heappop(work)
        if n not in nodes or n in done:
            continue
        visits += 1
        replacement = _apply_rules(g, rules, n)
        if replacement is None and cse and nodes[n]["op"] != "input":
            d = nodes[n]
            ckey = (d["op"], freeze(tuple(sorted(d["attrs"].items()))), d["args"],
                    d["shape"], d["dtype"].str)
            first = table.get(ckey)
            if first is None or first not in nodes:
                table[ckey] = n
                key_of[n] = ckey
            elif first != n:
                replacement = first
        if replacement is None:
            done.add(n)
            continue
        fired += 1
        if fired > max_steps:
            raise RuntimeError("rewrite did not reach a fixpoint")
        # the nodes the rules made: ranked after what they read, before n's users
        for m in _fresh(g, replacement, rank):
            counter += 1
            rank[m] = key + (counter,)
            heapq.heappush(work, (rank[m], m))
        users = list(succ[n])
        for u in users:               # their operands change: forget their keys
            done.discard(u)
            old = key_of.pop(u, None)
            if old is not None and table.get(old) == u:
                del table[old]
            if u not in rank:         # made by a rule that then did not fire
                counter += 1
                rank[u] = key + (counter,)
            heapq.heappush(work, (rank[u], u))
            for uu in succ[u]:        # rules look one operand deep: revisit these too
                if uu in done:
                    done.discard(uu)
                    heapq.heappush(work, (rank[uu], uu))
        g.replace_uses(n, replacement)
        if not succ[n] and n not in g.outputs:
            old = key_of.pop(n, None)
            if old is not None and table.get(old) == n:
                del table[old]
            g.nx.remove_node(n)
    if stats is not None:
        stats["visits"] = visits
    return fired


def _apply_rules(g: Graph, rules: RuleSet, n: int):
    for rule in rules.for_op(g.op(n)):
        m = rule(g, n)
        if m is not None and m != n:
            return m
    return None


def _fresh(g: Graph, n: int, rank: dict) -> Iterable[int]:
    """`n` and the nodes it depends on that have no rank yet (made by the
    rules just now), operands first."""
    out: list[int] = []
    if n in rank:
        return out
    nodes = g.nx._node
    seen = {n}
    stack = [(n, iter(nodes[n]["args"]))]
    while stack:
        k, it = stack[-1]
        for a in it:
            if a not in seen and a not in rank:
                seen.add(a)
                stack.append((a, iter(nodes[a]["args"])))
                break
        else:
            stack.pop()
            out.append(k)
    return out
