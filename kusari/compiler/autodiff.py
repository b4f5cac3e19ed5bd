"""Reverse mode as an IR -> IR pass.

`vjp` appends to a graph the nodes that compute the vector-Jacobian product of
its outputs; every node it adds comes from a registry gradient rule, so the
result is plain IR and can be differentiated again (any order).

- Only values on a path from a `wrt` node to an output, and of a floating
  dtype, get gradients; integer and disconnected values get None.
- A value with several users gets the sum of their contributions.
- Elementwise rules return gradients at the broadcast shape; they are summed
  back to each operand's shape here (`sum_to`).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from . import ops
from .errors import KusariError
from .ir import Graph
from .sym import Sym
from .ops.registry import ELEMENTWISE


def _reaches(g: Graph, outputs: Sequence[int]) -> set[int]:
    """Every node some output depends on (outputs included)."""
    seen, stack = set(), [o for o in outputs if o is not None]
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(g.args(n))
    return seen


def _reached_from(g: Graph, sources: Sequence[int], within: set[int]) -> set[int]:
    """Every node in `within` that depends on a source (sources included)."""
    seen, stack = set(), [s for s in sources if s in within]
    succ = g.nx._succ
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(u for u in succ[n] if u in within)
    return seen


def vjp(g: Graph, outputs: Sequence[int], cotangents: Sequence[int],
        wrt: Sequence[int]) -> list[int | None]:
    """Add to `g` the gradient of sum_i <outputs[i], cotangents[i]> w.r.t. `wrt`.

    Returns, for each node of `wrt`, the node holding its gradient, or None
    where no gradient flows. Nodes the rules create are tagged with `origin`,
    the label of the op whose gradient they compute (for debug messages).
    """
    order = g.topo()
    relevant = _reached_from(g, wrt, _reaches(g, outputs))
    relevant = {n for n in relevant if g.dtype(n).kind == "f"}

    contributions: dict[int, list[int]] = {}
    for out, cot in zip(outputs, cotangents):
        if out in relevant:
            contributions.setdefault(out, []).append(cot)

    group_of, first, members = _groups(g, order)
    pending: dict = {}              # group -> {output index: gradient node}
    totals: dict[int, int] = {}
    for n in reversed(order):
        parts = contributions.pop(n, None)
        group = group_of.get(n)
        if parts is None and group is None:
            continue
        gy = None
        if parts is not None:
            gy = parts[0]
            for p in parts[1:]:
                gy = g.add("add", [gy, p])
            totals[n] = gy
        op = g.op(n)
        if op in ("input", "const"):
            continue
        if group is not None:
            # one application with several outputs: its rule runs once, at
            # its first output in topological order (all outputs' gradients
            # are complete there: their users all come later)
            if gy is not None:
                pending.setdefault(group, {})[g.attrs(n)["output"]] = gy
            if n != first[group] or group not in pending:
                continue
            gy = pending.pop(group)
        args = g.args(n)
        if not any(a in relevant for a in args):
            continue
        opdef = ops.get(op)
        needed = [a in relevant for a in args]
        first_new = g.next_id
        if group is not None:
            grads = group_rule_grads(g, opdef, gy, members[group], args, g.attrs(n),
                                     needed)
        else:
            grads = rule_grads(g, opdef, gy, n, args, g.attrs(n), needed)
        for a, gx in zip(args, grads):
            if gx is not None:
                contributions.setdefault(a, []).append(gx)
        for k in range(first_new, g.next_id):
            if k in g.nx:
                g.node(k).setdefault("origin", opdef.label)
    return [totals.get(w) for w in wrt]


def _groups(g: Graph, order) -> tuple[dict, dict, dict]:
    """For nodes of ops with a group rule: node -> its group (one
    application: op, attributes but the output index, operands), group -> its
    first node in `order`, and group -> {output index: node}."""
    group_of: dict = {}
    first: dict = {}
    members: dict = {}
    for n in order:
        op = g.op(n)
        if op in ("input", "const") or ops.get(op).group_grad is None:
            continue
        attrs = g.attrs(n)
        key = (op, tuple((k, v) for k, v in attrs.items() if k != "output"), g.args(n))
        group_of[n] = key
        first.setdefault(key, n)
        members.setdefault(key, {})[attrs["output"]] = n
    return group_of, first, members


def group_rule_grads(g: Graph, opdef, gys: dict, outs: dict, args: Sequence[int],
                     attrs: dict, needed: Sequence[bool]) -> list[int | None]:
    """Apply `opdef`'s group rule in `g` to one application whose outputs
    `outs` (index -> node) have gradients `gys` (index -> node)."""
    rest = {k: v for k, v in attrs.items() if k != "output"}
    grads = opdef.group_grad({k: Sym(g, v) for k, v in gys.items()},
                             {k: Sym(g, v) for k, v in outs.items()},
                             *(Sym(g, a) for a in args), needed=list(needed), **rest)
    return _checked(g, opdef, grads, args, needed)


def rule_grads(g: Graph, opdef, gy: int, out: int, args: Sequence[int], attrs: dict,
               needed: Sequence[bool]) -> list[int | None]:
    """Apply `opdef`'s gradient rule in `g`: the gradient node for each operand
    in `args` where `needed`, summed back to the operand's shape (None where
    not needed or nothing flows back). `out` is the node standing for the
    op's output (the rule may read it)."""
    rule = opdef.grad
    if rule is None:
        return [None] * len(args)      # piecewise constant: nothing flows back
    grads = rule(Sym(g, gy), Sym(g, out), *(Sym(g, a) for a in args), **attrs)
    return _checked(g, opdef, grads, args, needed)


def _checked(g: Graph, opdef, grads, args, needed) -> list[int | None]:
    """A rule's gradients as nodes, summed back to their operands' shapes."""
    result: list[int | None] = []
    for a, gx, want in zip(args, grads, needed):
        if gx is None or not want:
            result.append(None)
            continue
        if opdef.kind == ELEMENTWISE and gx.shape != g.shape(a):
            gx = gx.sum_to(g.shape(a))
        if gx.shape != g.shape(a) or gx.dtype != g.dtype(a):
            raise KusariError(
                f"internal: gradient rule of {opdef.name!r} gave {gx.dtype}{list(gx.shape)} "
                f"for an operand of {g.dtype(a)}{list(g.shape(a))}")
        result.append(gx.n)
    return result


def op_vjp(opdef, attrs: dict, operands: Sequence, out_type: tuple,
           needed: Sequence[bool]) -> Graph:
    """The gradient of one application of `opdef`, as a Graph.

    `operands` gives each operand as a (shape, dtype) pair, or as a scalar
    (an np.generic) that is baked in as a constant; `out_type` is the output's
    (shape, dtype). The graph's inputs are the non-constant operands, then
    the output, then the output's gradient, each named `x{i}`, `y` or `gy`; its
    outputs are one gradient per operand (None where not `needed`). Unused
    inputs are kept, so callers bind by position. This is what the eager tier
    of backward() runs per op, compiled once per op signature.
    """
    from .passes import dce
    g = Graph(f"vjp_{opdef.name}")
    args = []
    for i, o in enumerate(operands):
        if isinstance(o, np.generic):
            args.append(g.add_const(o.item(), o.dtype))
        else:
            args.append(g.add_input(o[0], o[1], name=f"x{i}"))
    y = g.add_input(out_type[0], out_type[1], name="y")
    gy = g.add_input(out_type[0], out_type[1], name="gy")
    g.outputs = rule_grads(g, opdef, gy, y, args, attrs, needed)
    inputs = list(g.inputs)
    dce(g)
    g.inputs = inputs
    return g


def grad(graph: Graph, wrt: Sequence[int] | None = None) -> Graph:
    """The gradient of the sum of `graph`'s outputs w.r.t. its inputs.

    `wrt` lists input positions (default: all). The result is a Graph with the
    same inputs whose outputs are the gradients, one per `wrt` entry, None
    where no gradient exists (integer or disconnected inputs). It is plain IR,
    so ``grad(grad(g))`` is the second derivative.
    """
    from .passes import dce
    g = graph.copy()
    positions = range(len(g.inputs)) if wrt is None else wrt
    wrt_nodes = [g.inputs[i] for i in positions]
    outs = [o for o in g.outputs if o is not None and g.dtype(o).kind == "f"]
    cots = [g.add_const(1, g.dtype(o), g.shape(o)) for o in outs]
    g.outputs = vjp(g, outs, cots, wrt_nodes)
    g.name = f"grad({graph.name})"
    dce(g)
    return g
