"""Backpropagation node by node, as Chainer does it (Chainer's `_backprop`).

kusari.backprop runs a graph of kusari's own ops through compiled gradient
plans. A graph that holds a user-defined FunctionNode, or a backward while
function hooks watch, goes through here instead: in reverse topological
order, each user function's `backward` is called once with the gradients of
all its outputs (kusari._backprop_utils.backprop_step), and each op of
kusari's runs its gradient rule (compiled per op signature, on arrays; or, as
Variable ops, when the backward is recorded or hooks watch, so that hooks see
the ops of the gradient as Chainer's do). With `recorded` everything is
computed with Variables under enable_backprop, so the gradients differentiate
again (a user's backward written with functions included).
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .configuration import state, using_config
from .tape import Const

MAX_VJP_GRAPHS = 4096
_vjp_graphs: OrderedDict = OrderedDict()


def _user_op():
    from .compiler import ops
    return ops.get("function_node")


def has_user_nodes(entries) -> bool:
    """Whether a walked graph holds a user-defined function."""
    op = _user_op()
    return any(len(e) == 3 and e[0] is op for e in entries)


def _wrap(array):
    """A Variable around a gradient array (no history, no leaf node yet)."""
    from .variable import Variable
    v = Variable.__new__(Variable)
    if isinstance(array, np.generic):   # a 0-d op's NumPy scalar: users get arrays
        array = np.asarray(array)
    v._array = array
    v._grad = None
    v._grad_var = None
    v.name = None
    v._node = None
    v._requires_grad = True
    return v


def backprop_nodes(order, entries, root_pos, gys, wrt, recorded: bool, hooks) -> list:
    """Gradients for the positions `wrt` of a walked graph, given the roots'
    gradients `gys` (arrays, Variables or IMPLICIT_ONES): Variables when
    `recorded`, else arrays (None where nothing flows). `hooks`: the function
    hooks in force (a dict, maybe empty)."""
    from .variable import IMPLICIT_ONES, Variable
    n_order = len(order)
    acc: list = [None] * n_order
    for p, gy in zip(root_pos, gys):
        node = order[p]
        if gy is IMPLICIT_ONES:
            gy = np.ones(node.shape, node.dtype)
        if recorded:
            gy = gy if isinstance(gy, Variable) else _wrap(gy)
        elif isinstance(gy, Variable):
            gy = gy._array
        acc[p] = gy if acc[p] is None else acc[p] + gy
    user = _user_op()
    members: dict = {}               # FunctionRef -> {output index: position}
    for i, n in enumerate(order):
        if type(n) is not Const and n.op is user:
            members.setdefault(n.attrs[0], {})[n.attrs[1]] = i
    keep = set(wrt)
    # with nothing to differentiate, every function is still run (as Chainer
    # does: a backward that refuses, an old-style one twice, says so)
    stop = min(wrt) if wrt else -1
    debug = state.debug
    with using_config("enable_backprop", recorded):
        for i in range(n_order - 1, stop, -1):
            n = order[i]
            if type(n) is Const or n.op is None:
                continue
            if n.op is user:
                ref = n.attrs[0]
                outs = members[ref]
                if i != min(outs.values()):
                    continue         # an application runs at its first output
                _user_step(n, i, ref, outs, entries, acc, keep, recorded, hooks, debug)
                continue
            gy = acc[i]
            if gy is None:
                continue
            if i not in keep:
                acc[i] = None
            _op_step(n, i, gy, order, entries, acc, recorded, hooks, debug)
    return [acc[w] for w in wrt]


def _op_step(n, i, gy, order, entries, acc, recorded, hooks, debug) -> None:
    """Backpropagate through one application of kusari's op `n`."""
    from .backprop import _op_vjp
    ins = n.inputs
    mask = tuple([type(x) is not Const and x.requires_grad and x.dtype is not None
                  and x.dtype.kind == "f" for x in ins])
    if True not in mask:
        return
    if hooks:
        from .user_function import OpFunction
        function = OpFunction(n)
        in_data = tuple([x.value if type(x) is Const else x.data for x in ins])
        out_grad = (gy._array if recorded else gy,)
        for hook in hooks.values():
            hook.backward_preprocess(function, in_data, out_grad)
    if recorded or hooks:
        grads = _vjp_as_variables(n, mask, gy if recorded else _wrap(gy))
        if not recorded:
            grads = [None if g is None else g._array for g in grads]
    else:
        grads = _op_vjp(n, mask)(n, gy)
    if hooks:
        for hook in hooks.values():
            hook.backward_postprocess(function, in_data, out_grad)
    for j, gx, want in zip(entries[i][2], grads, mask):
        if gx is None or not want:
            continue
        if debug:
            a = gx._array if recorded else gx
            if a.dtype.kind == "f" and np.isnan(a).any():
                raise RuntimeError(f"NaN is detected on backward computation of {n.op.label}")
        if not recorded and isinstance(gx, np.generic):
            gx = np.asarray(gx)
        acc[j] = gx if acc[j] is None else acc[j] + gx


def _vjp_as_variables(n, mask, gy) -> list:
    """The gradient rule of op node `n` evaluated with Variable ops (recorded
    when enable_backprop is on), its operands and output connected to the
    graph so that the result differentiates again."""
    from .compiler.autodiff import op_vjp
    from .function_node import evaluate
    op, ins = n.op, n.inputs
    key = (op, n.attrs, mask,
           tuple([x.entry if type(x) is Const else (x.shape, x.dtype) for x in ins]))
    g = _vjp_graphs.get(key)
    if g is None:
        operands = [x.value if type(x) is Const and x.baked else
                    ((), x.dtype) if type(x) is Const else (x.shape, x.dtype) for x in ins]
        g = _vjp_graphs[key] = op_vjp(op, n.attrs_dict(), operands, (n.shape, n.dtype), mask)
        if len(_vjp_graphs) > MAX_VJP_GRAPHS:
            _vjp_graphs.popitem(last=False)
    args = []
    for inp in g.inputs:
        name = g.node(inp)["name"]
        if not g.use_count(inp):
            args.append(None)
        elif name == "gy":
            args.append(gy)
        elif name == "y":
            args.append(connected(n, n.out))
        else:
            k = int(name[1:])
            x = ins[k]
            args.append(x if type(x) is Const else connected(x, n.saved[k]))
    return evaluate(g, args)


def connected(node, array):
    """The Variable of `node` holding `array`, reattached to the graph if the
    one that held it is gone."""
    import weakref
    from .variable import Variable
    v = node.var()
    if v is not None and (array is None or v._array is array):
        return v
    if array is None:
        array = node.data
    v = Variable.__new__(Variable)
    v._array = array
    v._grad = None
    v._grad_var = None
    v.name = None
    v._requires_grad = node.requires_grad
    v._node = node
    node.var = weakref.ref(v)
    return v


def _user_step(n, i, ref, outs, entries, acc, keep, recorded, hooks, debug) -> None:
    """Backpropagate through one application of a user's FunctionNode."""
    from ._backprop_utils import _reduce, backprop_step
    from .variable import _check_grad_type
    func = ref.node
    ins = n.inputs
    n_out = max(func._output_count or 0, max(outs) + 1)
    grads = [acc[outs[k]] if k in outs else None for k in range(n_out)]
    for k, p in outs.items():
        if p not in keep:
            acc[p] = None
    if all(g is None for g in grads):
        return
    targets = tuple([k for k, x in enumerate(ins) if type(x) is not Const and x.requires_grad])
    if not targets:
        return
    positions = entries[i][2]
    grad_outputs = tuple([None if g is None else g if recorded else _wrap(g) for g in grads])
    local = func._local_function_hooks
    if local:
        hooks = OrderedDict(hooks)
        hooks.update(local)
    in_data = out_grad = None
    if hooks:
        in_data = tuple([x.data for x in ins])
        out_grad = tuple([None if g is None else g._array for g in grad_outputs])
        for hook in hooks.values():
            hook.backward_preprocess(func, in_data, out_grad)
    grad_inputs: dict = OrderedDict()
    for k in targets:
        x = ins[k]
        if x not in grad_inputs:
            g = acc[positions[k]]
            grad_inputs[x] = [] if g is None else [g if recorded else _wrap(g)]
    backprop_step(func, targets, grad_outputs, grad_inputs, debug)
    if hooks:
        for hook in hooks.values():
            hook.backward_postprocess(func, in_data, out_grad)
    for k in targets:
        x = ins[k]
        if x not in grad_inputs:
            continue
        gx = _reduce(grad_inputs.pop(x))
        if gx is not None and debug:
            _check_against_grad(func, k, x, gx)
        if gx is not None:
            _check_grad_type(func, x, gx._array)
        acc[positions[k]] = None if gx is None else gx if recorded else gx._array


def _check_against_grad(func, i, x, gx) -> None:
    """Debug mode: a gradient a function gives a leaf must match the
    gradient the leaf already has (Chainer compares it with what the
    gradients it adds to)."""
    v = x.var() if x.op is None else None
    old = None if v is None else v._grad
    if old is None or not hasattr(old, "dtype"):
        return
    for what, a, b in (("shape", gx.shape, old.shape), ("dtype", gx.dtype, old.dtype)):
        if a != b:
            raise ValueError(func._get_error_message(
                f"{what} of gradients returned from backward is incorrect: "
                f"input-index={i}, actual {a} != expected {b}"))
