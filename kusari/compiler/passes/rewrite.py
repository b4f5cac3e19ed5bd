"""The one rewrite mechanism the passes share.

A rule is a function ``rule(g, n) -> replacement node id or None``, filed under
the ops it applies to. `rewrite` visits nodes in topological order, applies the
rules of each node's op until none fires, and redirects users to the
replacement; replacements are visited in turn, so rules compose (x**2 becomes
x*x, whose users may then simplify further).
"""
from __future__ import annotations

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


def rewrite(g: Graph, rules: RuleSet, max_steps: int = 100000, cse: bool = False) -> int:
    """Apply `rules` to fixpoint; return how many rewrites fired.

    With `cse`, equal nodes are merged on the way (hash-consing): a node that
    no rule changes is looked up by (op, attrs, operands, type) and replaced
    by an equal node seen before. A node whose operands change leaves the
    table until it is visited again, so no stale entry can merge it wrongly.
    """
    fired = 0
    work = list(reversed(g.topo()))   # a stack: pop gives topological order
    done: set[int] = set()
    table: dict = {}
    key_of: dict[int, tuple] = {}
    nodes = g.nx._node
    while work:
        n = work.pop()
        if n not in nodes or n in done:
            continue
        replacement = _apply_rules(g, rules, n)
        if replacement is None and cse and nodes[n]["op"] != "input":
            d = nodes[n]
            key = (d["op"], freeze(tuple(sorted(d["attrs"].items()))), d["args"],
                   d["shape"], d["dtype"].str)
            first = table.get(key)
            if first is None or first not in nodes:
                table[key] = n
                key_of[n] = key
            elif first != n:
                replacement = first
        if replacement is None:
            done.add(n)
            continue
        fired += 1
        if fired > max_steps:
            raise RuntimeError("rewrite did not reach a fixpoint")
        users = g.users(n)
        for u in users:               # their operands change: forget their keys
            done.discard(u)
            old = key_of.pop(u, None)
            if old is not None and table.get(old) == u:
                del table[old]
            for uu in g.users(u):     # rules look one operand deep: revisit these too
                if uu in done:
                    done.discard(uu)
                    work.append(uu)
        g.replace_uses(n, replacement)
        if not g.nx._succ[n] and n not in g.outputs:
            old = key_of.pop(n, None)
            if old is not None and table.get(old) == n:
                del table[old]
            g.nx.remove_node(n)
        # the replacement (and its new operands) may simplify further; so may users
        work.extend(reversed(users))
        work.extend(_fresh(g, replacement, done))
    return fired


def _apply_rules(g: Graph, rules: RuleSet, n: int):
    for rule in rules.for_op(g.op(n)):
        m = rule(g, n)
        if m is not None and m != n:
            return m
    return None


def _fresh(g: Graph, n: int, done: set[int]) -> Iterable[int]:
    """`n` and the not-yet-visited nodes it depends on, operands first."""
    out, stack, seen = [], [n], set()
    while stack:
        k = stack.pop()
        if k in seen or k in done:
            continue
        seen.add(k)
        out.append(k)
        stack.extend(g.args(k))
    return out  # a stack: operands (pushed last) are popped first
