"""Fusion: partition a graph into kernels.

- Elementwise ops of one output shape join maximal *convex* groups: no path
  leaves a group and comes back into it, so the groups, in order, form an
  acyclic sequence of kernels. Operands may broadcast into the group.
- A reduction with a `combine` in its registry entry (sum, max, min, prod,
  sum_to) whose operand is in a group may close
  it: the group then reduces block by block instead of materializing.
- Independent groups of one shape that read a common value merge too
  (horizontal fusion): the value is read once per block.
- Everything else (matmul, linear, shape movement, indexing, other
  reductions) is a kernel of its own.
- No node is in two kernels, so nothing is ever computed twice.

Groups are built in topological order, window by window: a group never
spans two windows of WINDOW consecutive nodes. Any path between two nodes of
a window runs through nodes between them in that order, so groups convex
within their window are convex in the whole graph, and the exact bookkeeping
below is bounded by the window: fusion is linear in graph size.

Each group knows exactly which groups are above it (transitively, as a bit
set over the window's nodes, kept up to date as groups grow and merge); a
node may join a producer's group only if no other operand of the node is
below that group, which is exactly the condition for the grown group to stay
convex; groups merged together must not be above one another. Horizontal
merging finds its candidates through the values groups read.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import ops
from .ir import Graph
from .ops.registry import ELEMENTWISE

WINDOW = 384


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
    """Union-find over the groups of one window, with exact transitive
    ancestors.

    A group's ancestors are kept as a bit set over the window's node
    positions: the members of every group above it (at least one member of
    each; a node that joins a group later may be missing, which changes no
    answer). They are complete as groups gain edges and merge: a group that
    gains ancestors passes them on to the groups below it (found through
    the direct edges), so "does A reach B" is one AND of two integers.
    """

    def __init__(self, order: list[int]):
        self.pos = {n: i for i, n in enumerate(order)}
        self.parent: dict[int, int] = {}
        self.members: dict[int, int] = {}     # root -> bits of its nodes
        self.anc: dict[int, int] = {}         # root -> bits of nodes above it
        self.succ: dict[int, set[int]] = {}   # root -> groups it feeds directly
        self.shape: dict[int, tuple] = {}
        self.closed: set[int] = set()

    def find(self, a: int) -> int:
        root = a
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[a] != root:
            self.parent[a], a = root, self.parent[a]
        return root

    def new(self, a: int, shape) -> None:
        self.parent[a] = a
        self.members[a] = 1 << self.pos[a]
        self.anc[a] = 0
        self.succ[a] = set()
        self.shape[a] = shape

    def join(self, n: int, r: int) -> None:
        """Node n joins group r."""
        self.members[r] |= 1 << self.pos[n]

    def reaches(self, a: int, b: int) -> bool:
        """Whether group a is above group b (a path leads from a to b)."""
        return bool(self.anc[b] & self.members[a])

    def _below(self, r: int) -> list[int]:
        """The groups below group r."""
        out, stack, seen = [], [r], {r}
        while stack:
            x = stack.pop()
            succ = self.succ[x] = {self.find(s) for s in self.succ[x]}
            for s in succ:
                if s not in seen:
                    seen.add(s)
                    out.append(s)
                    stack.append(s)
        return out

    def edge(self, src: int, dst: int) -> None:
        """Group src feeds group dst."""
        if src == dst or self.anc[dst] & self.members[src]:
            return                           # src is above dst already
        self.succ[src].add(dst)
        up = self.anc[src] | self.members[src]
        self.anc[dst] |= up
        if self.succ[dst]:
            for y in self._below(dst):
                self.anc[y] |= up

    def union(self, roots: list[int]) -> int:
        keep = roots[0]
        for r in roots[1:]:
            self.parent[r] = keep
            self.members[keep] |= self.members.pop(r)
            self.anc[keep] |= self.anc.pop(r)
            self.succ[keep] |= self.succ.pop(r)
        if len(roots) > 1 and self.succ[keep]:
            up = self.anc[keep] | self.members[keep]
            for y in self._below(keep):
                self.anc[y] |= up
        return keep


class _Kinds(dict):
    """op name -> (elementwise, a reduction that may close a group), looked
    up in the registry once per op per fusion."""

    def __missing__(self, op: str):
        if op in ("input", "const"):
            kind = (False, False)
        else:
            opdef = ops.get(op)
            kind = (opdef.kind == ELEMENTWISE, opdef.combine is not None)
        self[op] = kind
        return kind


def fuse(g: Graph) -> list[Kernel]:
    """Partition `g`'s computed nodes into kernels (sets node attr `kernel`)."""
    nodes_ = g.nx._node
    kinds = _Kinds()
    order = [n for n in g.topo() if nodes_[n]["op"] not in ("input", "const")]
    members: dict[tuple, list[int]] = {}
    for start in range(0, len(order), WINDOW):
        window = order[start:start + WINDOW]
        groups, group_of = _fuse_window(g, window, kinds)
        _merge_siblings(g, window, groups, group_of, kinds)
        for n in window:
            members.setdefault((start, groups.find(group_of[n])), []).append(n)

    # collect kernels, then order them so each comes after those it reads
    kernels = []
    outputs = set(g.outputs)
    succ = g.nx._succ
    for nodes in members.values():
        elementwise = kinds[nodes_[nodes[0]]["op"]][0]
        k = Kernel(len(kernels), "elementwise" if elementwise else "single", nodes)
        if elementwise:
            k.shape = nodes_[nodes[0]]["shape"]
            if not kinds[nodes_[nodes[-1]]["op"]][0]:
                k.reduction = nodes[-1]
        inside = set(nodes)
        read: set[int] = set()
        for n in nodes:
            for a in nodes_[n]["args"]:
                if a not in inside and a not in read and nodes_[a]["op"] != "const":
                    read.add(a)
                    k.inputs.append(a)
            if n in outputs or any(u not in inside for u in succ[n]):
                k.outputs.append(n)
        kernels.append(k)
    return _in_dependency_order(g, kernels)


def _fuse_window(g: Graph, order: list[int], kinds: _Kinds):
    """Group the nodes of one window (see the module docstring)."""
    group_of: dict[int, int] = {}          # node -> any member id of its group
    groups = _Groups(order)
    find, reaches = groups.find, groups.reaches
    nodes = g.nx._node

    for n in order:
        d = nodes[n]
        producers: list[int] = []
        for a in d["args"]:
            if a in group_of:
                r = find(group_of[a])
                if r not in producers:
                    producers.append(r)
        elementwise, combines = kinds[d["op"]]
        closes = not elementwise and combines and \
            d["dtype"].kind == "f" and d["dtype"].itemsize >= 4
        joinable: list[int] = []
        if elementwise or closes:
            shape = d["shape"] if elementwise else nodes[d["args"][0]]["shape"]
            for r in producers:
                if r in groups.closed or groups.shape[r] != shape:
                    continue
                # convex: no other operand group may lie below r
                if any(reaches(r, x) for x in producers if x != r):
                    continue
                # groups merged together must not lie above one another
                if any(reaches(r, j) or reaches(j, r) for j in joinable):
                    continue
                joinable.append(r)
            if closes and len(producers) != 1:
                joinable = []              # a reduction closes exactly one group
        if joinable:
            root = groups.union(joinable)
            groups.join(n, root)
            if closes:
                groups.closed.add(root)
        else:
            root = n
            groups.new(n, d["shape"] if elementwise else None)
        group_of[n] = root
        for p in producers:
            p, r = find(p), find(root)
            if p != r:
                groups.edge(p, r)
    return groups, group_of


def _merge_siblings(g: Graph, order, groups: _Groups, group_of, kinds: _Kinds) -> None:
    """Horizontal fusion: elementwise groups of one shape that read a common
    value and do not lie above one another run as one kernel."""
    reads: dict[int, set[int]] = {}      # group -> values it reads from outside
    nodes = g.nx._node
    find = groups.find
    for n in order:
        d = nodes[n]
        if not kinds[d["op"]][0]:
            continue
        r = find(group_of[n])
        outside = reads.setdefault(r, set())
        for a in d["args"]:
            if nodes[a]["op"] == "const" or (a in group_of and find(group_of[a]) == r):
                continue
            outside.add(a)
    # Each group merges into the first group before it (in this order) of
    # its shape that shares a read and is not above or below it. Candidates
    # are found through the values they read, not by trying every group.
    seen: list[int] = []                 # groups so far, in order (they stay roots)
    readers: dict[tuple, list[int]] = {}  # (shape, value) -> positions in seen
    for r in list(reads):
        if r in groups.closed:
            continue
        shape = groups.shape[r]
        candidates = sorted({i for a in reads[r] for i in readers.get((shape, a), ())})
        for i in candidates:
            q = seen[i]
            if not groups.reaches(q, r) and not groups.reaches(r, q):
                groups.union([q, r])             # q stays the root
                for a in reads[r] - reads[q]:
                    readers.setdefault((shape, a), []).append(i)
                reads[q] |= reads.pop(r)
                break
        else:
            for a in reads[r]:
                readers.setdefault((shape, a), []).append(len(seen))
            seen.append(r)


def _in_dependency_order(g: Graph, kernels: list[Kernel]) -> list[Kernel]:
    """Kernels sorted so every kernel comes after those it reads from."""
    kernel_of = {n: k.id for k in kernels for n in k.nodes}
    by_id = {k.id: k for k in kernels}
    state: dict[int, int] = {}       # 1: on the stack, 2: placed
    out: list[Kernel] = []
    for k in kernels:
        stack = [(k, iter(k.inputs))]
        state.setdefault(k.id, 1)
        while stack:
            top, pending = stack[-1]
            for a in pending:
                j = kernel_of.get(a)
                if j is None or state.get(j) == 2:
                    continue
                if state.get(j) == 1:
                    raise AssertionError("fusion produced a cycle between kernels")
                state[j] = 1
                stack.append((by_id[j], iter(by_id[j].inputs)))
                break
            else:
                stack.pop()
                if state[top.id] != 2:
                    state[top.id] = 2
                    out.append(top)
    for i, k in enumerate(out):
        k.id = i
        for n in k.nodes:
            g.node(n)["kernel"] = i
    return out
