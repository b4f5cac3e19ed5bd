"""Fusion: partition a graph into kernels.

- Elementwise ops of one output shape join maximal *convex* groups: no path
  leaves a group and comes back into it, so the groups, in order, form an
  acyclic sequence of kernels. Operands may broadcast into the group.
- A reduction (sum, max, min, sum_to) whose operand is in a group may close
  it: the group then reduces block by block instead of materializing.
- Everything else (matmul, linear, shape movement, indexing, other
  reductions) is a kernel of its own.
- No node is in two kernels, so nothing is ever computed twice.

Groups are built in topological order. Each group remembers the set of groups
it depends on (transitively); a node may join a producer's group only if no
other operand of the node depends on that group, which is exactly the
condition for the grown group to stay convex.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import ops
from .ir import Graph
from .ops.registry import ELEMENTWISE

CLOSING_REDUCTIONS = {"sum", "max", "min", "sum_to"}


@dataclass
class Kernel:
    id: int
    kind: str                        # "elementwise" or "single"
    nodes: list[int]                 # in topological order
    shape: tuple = ()
    inputs: list[int] = field(default_factory=list)    # values read from outside
    outputs: list[int] = field(default_factory=list)   # values used outside
    reduction: int | None = None     # the reduction closing the group, if any

    def __repr__(self):
        return (f"Kernel({self.id}, {self.kind}, nodes={self.nodes}, "
                f"shape={self.shape}, reduction={self.reduction})")


def fusible(g: Graph, n: int) -> bool:
    op = g.op(n)
    return op not in ("input", "const") and ops.get(op).kind == ELEMENTWISE


class _Groups:
    """Union-find over groups, with each root's dependency set."""

    def __init__(self):
        self.parent: dict[int, int] = {}
        self.deps: dict[int, set[int]] = {}
        self.shape: dict[int, tuple] = {}
        self.closed: set[int] = set()

    def find(self, a: int) -> int:
        root = a
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[a] != root:
            self.parent[a], a = root, self.parent[a]
        return root

    def new(self, a: int, shape, deps: set[int]) -> None:
        self.parent[a] = a
        self.deps[a] = deps
        self.shape[a] = shape

    def deps_of(self, root: int) -> set[int]:
        d = {self.find(x) for x in self.deps[root]}
        d.discard(root)
        self.deps[root] = d
        return d

    def union(self, roots: list[int], extra_deps: set[int]) -> int:
        keep = roots[0]
        merged = set(extra_deps)
        for r in roots:
            merged |= self.deps[r]
        for r in roots[1:]:
            self.parent[r] = keep
            del self.deps[r]
        self.deps[keep] = merged
        self.deps_of(keep)
        return keep


def fuse(g: Graph) -> list[Kernel]:
    """Partition `g`'s computed nodes into kernels (sets node attr `kernel`)."""
    order = [n for n in g.topo() if g.op(n) not in ("input", "const")]
    groups = _Groups()
    group_of: dict[int, int] = {}          # node -> any member id of its group

    def operand_groups(n):
        return [groups.find(group_of[a]) for a in g.args(n) if a in group_of]

    for n in order:
        producers = operand_groups(n)
        deps = set()
        for r in producers:
            deps.add(r)
            deps |= groups.deps_of(r)
        can_join = fusible(g, n) or (
            g.op(n) in CLOSING_REDUCTIONS and g.dtype(n).kind == "f"
            and g.dtype(n).itemsize >= 4)
        if can_join:
            shape = g.shape(g.args(n)[0]) if not fusible(g, n) else g.shape(n)
            joinable = []
            for r in dict.fromkeys(producers):
                if r in groups.closed or groups.shape[r] != shape:
                    continue
                # convex: no other operand of n may depend on r
                others = [x for x in producers if x != r and x not in joinable]
                if any(r == x or r in groups.deps_of(x) for x in others):
                    continue
                # and groups merged together must be independent of each other
                if any(r in groups.deps_of(j) or j in groups.deps_of(r) for j in joinable):
                    continue
                joinable.append(r)
            if not fusible(g, n):   # a reduction closes exactly one group
                joinable = joinable[:1] if len(set(producers)) == 1 else []
            if joinable:
                root = groups.union(joinable, deps - set(joinable))
                group_of[n] = root
                if not fusible(g, n):
                    groups.closed.add(root)
                continue
        groups.new(n, g.shape(n) if fusible(g, n) else None, deps)
        group_of[n] = n

    # collect kernels in the order their last node appears
    members: dict[int, list[int]] = {}
    for n in order:
        members.setdefault(groups.find(group_of[n]), []).append(n)
    kernels = []
    position = {n: i for i, n in enumerate(order)}
    for root, nodes in sorted(members.items(), key=lambda kv: position[kv[1][-1]]):
        k = Kernel(len(kernels), "elementwise" if fusible(g, nodes[0]) else "single",
                   nodes)
        if k.kind == "elementwise":
            k.shape = groups.shape[root]
            last = nodes[-1]
            if not fusible(g, last):
                k.reduction = last
        inside = set(nodes)
        for n in nodes:
            for a in g.args(n):
                if a not in inside and a not in k.inputs and g.op(a) != "const":
                    k.inputs.append(a)
            if n in g.outputs or any(u not in inside for u in g.users(n)):
                k.outputs.append(n)
            g.node(n)["kernel"] = k.id
        kernels.append(k)
    return _in_dependency_order(g, kernels)


def _in_dependency_order(g: Graph, kernels: list[Kernel]) -> list[Kernel]:
    """Kernels sorted so every kernel comes after those it reads from."""
    kernel_of = {n: k.id for k in kernels for n in k.nodes}
    done: set[int] = set()
    out: list[Kernel] = []
    by_id = {k.id: k for k in kernels}

    def visit(k: Kernel, stack: set[int]):
        if k.id in done:
            return
        if k.id in stack:
            raise AssertionError("fusion produced a cycle between kernels")
        stack.add(k.id)
        for a in k.inputs:
            if a in kernel_of:
                visit(by_id[kernel_of[a]], stack)
        stack.discard(k.id)
        done.add(k.id)
        out.append(k)

    for k in kernels:
        visit(k, set())
    for i, k in enumerate(out):
        k.id = i
        for n in k.nodes:
            g.node(n)["kernel"] = i
    return out
