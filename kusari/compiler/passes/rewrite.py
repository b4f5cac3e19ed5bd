"""The one rewrite mechanism the passes share.

A rule is a function ``rule(g, n) -> replacement node id or None``, filed under
the ops it applies to. `rewrite` visits nodes in topological order, applies the
rules of each node's op until none fires, and redirects users to the
replacement; replacements are visited in turn, so rules compose (x**2 becomes
x*x, whose users may then simplify further).
"""
from __future__ import annotations

from typing import Callable, Iterable

from ..ir import Graph

Rule = Callable[[Graph, int], "int | None"]


class RuleSet:
    """Rules filed by op name ("*" for rules that apply to every op)."""

    def __init__(self):
        self.by_op: dict[str, list[Rule]] = {}

    def rule(self, *ops: str):
        def register(fn: Rule) -> Rule:
            for op in ops:
                self.by_op.setdefault(op, []).append(fn)
            return fn
        return register

    def for_op(self, op: str) -> list[Rule]:
        return self.by_op.get(op, []) + self.by_op.get("*", [])


def rewrite(g: Graph, rules: RuleSet, max_steps: int = 100000) -> int:
    """Apply `rules` to fixpoint; return how many rewrites fired."""
    fired = 0
    work = list(reversed(g.topo()))   # a stack: pop gives topological order
    done: set[int] = set()
    while work:
        n = work.pop()
        if n not in g.nx or n in done:
            continue
        replacement = _apply_rules(g, rules, n)
        if replacement is None:
            done.add(n)
            continue
        fired += 1
        if fired > max_steps:
            raise RuntimeError("rewrite did not reach a fixpoint")
        users = g.users(n)
        g.replace_uses(n, replacement)
        if not g.nx._succ[n] and n not in g.outputs:
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
