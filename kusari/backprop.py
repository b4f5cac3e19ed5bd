"""backward() and kusari.grad through the IR.

One backward is:

1. walk the recorded graph from the outputs once, listing its values in a
   canonical order and building the structural key (ops, attributes, operand
   positions, leaf shapes and dtypes, baked constants) as it goes;
2. look the key up among the plans built so far; on a miss, build the plan:
   the recorded graph as IR, the gradient pass over it, the forward values
   the gradient reads cut out as inputs, optimization and code generation;
3. run the compiled gradient on the arrays the plan fetches from the tape,
   and hand the results to the variables (leaves accumulate).

With `enable_double_backprop=True`, or on traced values, step 3 instead
evaluates the same gradient IR with Variable ops, so the gradient computation
is itself recorded and can be differentiated again, to any order.
"""
from __future__ import annotations

import time
from collections import OrderedDict

import numpy as np

from .backends import cuda
from .compiler import cache_log, gcpause, spine
from .compiler.autodiff import vjp
from .compiler.errors import KusariError, TraceError
from .compiler.ir import Graph
from .configuration import state, using_config
from .function_node import evaluate
from .function_hook import active_hooks
from ._backprop import backprop_nodes, has_user_nodes
from .tape import Const, consumers, to_graph, walk
from . import tracing
from .tracing import Traced
from .compiler import ops as _ops
from .compiler.ops.numpy_kernels import index_tuple
from .runtime import NUMPY
from .variable import IMPLICIT_ONES, Variable, _check_grad

NO_OPTIMIZE = spine.Options(optimize=False)      # plans are optimized when built
# per-op gradients may pass gy (or a view of it) through: eager_gradients
# copies what it hands out that is not its own
OP_GRADIENT = spine.Options(copy_outputs=False)

MAX_PLANS = 4096              # plans kept, and the graph values their keys hold in all
MAX_PLAN_VALUES = 2_000_000
_plans: OrderedDict = OrderedDict()
_plan_values = [0]


class Plan:
    """A compiled gradient for one graph structure.

    graph   the gradient IR; its inputs are the fetched values, then the
            cotangents of the roots
    fetch   where each fetched value lives on the tape
    targets for each graph output, the position in `order` it is the grad of
    """

    __slots__ = ("graph", "fetch", "cot_roots", "targets", "leaf", "clear", "_run",
                 "_run_device", "executable", "_ref")

    def __init__(self, graph, fetch, cot_roots, targets, leaf, clear):
        self.graph = graph
        self.fetch = fetch
        self.cot_roots = cot_roots   # which roots' gradients are inputs
        self.targets = targets
        self.leaf = leaf
        self.clear = clear
        self._run = None
        self._run_device = None
        self.executable = None
        self._ref = None

    def ref(self):
        """(GraphRef of the gradient graph less its None outputs, their positions)."""
        if self._ref is None:
            from .compiler.ops.call import GraphRef
            g = self.graph.copy()
            present = [k for k, o in enumerate(g.outputs) if o is not None]
            g.outputs = [g.outputs[k] for k in present]
            self._ref = (GraphRef(g, NUMPY), present)
        return self._ref

    @property
    def run(self):
        """run(order, gys) -> gradient arrays (compiled on first use)."""
        if self._run is None:
            self.executable = spine.compile(self.graph, NUMPY, NO_OPTIMIZE, purpose=None)
            self._run = self._fetching(self.executable.fn)
        return self._run

    @property
    def run_device(self):
        """As `run`, on CuPy arrays: compiled by the CuPy backend."""
        if self._run_device is None:
            exe = spine.compile(self.graph, _device_backend(), NO_OPTIMIZE, purpose=None)
            self._run_device = self._fetching(exe.fn)
        return self._run_device

    def _fetching(self, kernel):
        """run(order, gys): `kernel` called on the values the plan fetches."""
        args = []
        for spec in self.fetch:
            if spec[0] == "out":
                args.append(f"order[{spec[1]}].out")
            elif spec[0] == "saved":
                args.append(f"order[{spec[1]}].saved[{spec[2]}]")
            else:  # param
                args.append(f"order[{spec[1]}].value")
        args += [f"gys[{k}]" for k in self.cot_roots]
        src = f"def run(order, gys):\n    return kernel({', '.join(args)})\n"
        ns = {"kernel": kernel}
        exec(compile(src, "<kusari backward fetch>", "exec"), ns)
        return ns["run"]


def _postorder(g: Graph, roots, first_backward: int) -> list[int]:
    """Nodes the roots need, operands first, not looking behind forward nodes."""
    out, seen = [], set()
    nodes = g.nx._node
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(nodes[root]["args"] if root >= first_backward else ()))]
        while stack:
            n, it = stack[-1]
            for a in it:
                if a not in seen:
                    seen.add(a)
                    stack.append((a, iter(nodes[a]["args"] if a >= first_backward else ())))
                    break
            else:
                stack.pop()
                out.append(n)
    return out


def _fetch_spec(order, entries, users, i):
    n = order[i]
    if type(n) is Const:
        return ("param", i)
    if n.op is not None and n.op.saves_out:
        return ("out", i)
    for j, p in users.get(i, ()):
        c = order[j]
        if p in c.op.saved_positions(len(c.inputs)):
            return ("saved", j, p)
    raise KusariError(f"internal: the gradient needs {n!r}, which no op kept")


def build_plan(order, entries, roots, cot_ones, wrt, retain: bool, name: str,
               optimize_graph: bool = True) -> Plan:
    """Build (but do not compile) the gradient plan for one walked graph.

    `optimize_graph=False` when the plan is evaluated on traced values: the
    enclosing trace is optimized as a whole anyway.
    """
    from .compiler import optimize
    from .compiler.passes import dce
    g = Graph(name)
    gid = to_graph(g, order, entries,
                   leaf=lambda i, n: g.add_input(n.shape, n.dtype),
                   constant=lambda c: g.add_const(c.value.item(), c.dtype) if c.baked
                   else g.add_input((), c.dtype))
    first_backward = g.next_id
    cots, cot_inputs, cot_roots = [], [], []
    for k, (r, ones) in enumerate(zip(roots, cot_ones)):
        n = order[r]
        if ones:
            cots.append(g.add_const(1, n.dtype, n.shape))
        else:
            cots.append(g.add_input(n.shape, n.dtype))
            cot_inputs.append(cots[-1])
            cot_roots.append(k)
    g.outputs = vjp(g, [gid[r] for r in roots], cots, [gid[i] for i in wrt])

    # Cut: copy out the gradient nodes the outputs need; the forward values
    # they read become inputs, fetched from the tape at run time.
    position = {k: i for i, k in enumerate(gid)}
    users = consumers(order, entries)
    h = Graph(name)
    fetch, cut_inputs, cot_map = [], [], {}
    for c in cot_inputs:
        cot_map[c] = h.add_input(g.shape(c), g.dtype(c))
    copied: dict[int, int] = dict(cot_map)
    nodes = g.nx._node
    for n in _postorder(g, [o for o in g.outputs if o is not None], first_backward):
        if n in copied:                   # a cotangent input
            continue
        d = nodes[n]
        if d["op"] == "const":
            copied[n] = h.add_raw("const", (), dict(d["attrs"]), d["shape"], d["dtype"])
        elif n < first_backward:         # a forward value: fetched
            fetch.append(_fetch_spec(order, entries, users, position[n]))
            copied[n] = h.add_input(d["shape"], d["dtype"])
            cut_inputs.append(copied[n])
        else:
            copied[n] = h.add_raw(d["op"], [copied[a] for a in d["args"]], d["attrs"],
                                  d["shape"], d["dtype"])
            if "origin" in d:
                h.node(copied[n])["origin"] = d["origin"]
    cot_inputs = [cot_map[c] for c in cot_inputs]
    h.inputs = cut_inputs + cot_inputs
    h.outputs = [None if o is None else copied[o] for o in g.outputs]
    g = h
    if optimize_graph:
        optimize(g, mark_kernels=False)
    else:
        dce(g)
    # drop what the optimized gradient no longer reads
    used = {i for i in g.inputs if g.use_count(i)}
    fetch = [f for f, p in zip(fetch, cut_inputs) if p in used]
    cot_roots = [k for k, p in zip(cot_roots, cot_inputs) if p in used]
    g.inputs = [i for i in g.inputs if i in used]
    g.nx.remove_nodes_from([i for i in cut_inputs + cot_inputs if i not in used])
    return Plan(g, tuple(fetch), tuple(cot_roots), tuple(wrt), _leaf_flags(order, wrt),
                _clear_list(order, roots, retain))


def _plan(key, make):
    plan = _plans.get(key)
    if plan is None:
        root = key[0][key[1][0]]
        label = root[0].label if len(root) == 3 and hasattr(root[0], "label") else "leaf"
        cache_log.record(key[4], f"from {label} ({len(key[0])} values)", _why_new(key))
        with gcpause.paused():
            plan = make()
        _plans[key] = plan
        _plan_values[0] += len(key[0])
        while len(_plans) > 1 and (len(_plans) > MAX_PLANS or
                                   _plan_values[0] > MAX_PLAN_VALUES):
            old, _ = _plans.popitem(last=False)
            _plan_values[0] -= len(old[0])
    return plan


def _why_new(key) -> str:
    """Why no plan fit `key`: what differs from the most similar earlier one."""
    entries = key[0]
    for old in reversed(_plans):
        if len(old[0]) != len(entries) or old[1:] != key[1:]:
            continue
        diffs = [(i, a, b) for i, (a, b) in enumerate(zip(entries, old[0])) if a != b]
        if not diffs or len(diffs) > 3:
            continue
        return "; ".join(_describe_change(i, a, b) for i, a, b in diffs)
    return "a graph structure not seen before"


def _describe_change(i, new, old) -> str:
    def text(e):
        if len(e) == 3 and isinstance(e[0], tuple):          # a leaf
            return f"{np.dtype(e[1]).name}{list(e[0])}" + ("" if e[2] else " (no grad)")
        if e[0] in ("c", "p"):                                 # a constant
            return f"constant {e[2]!r}" if e[0] == "c" else "a scalar parameter"
        return f"op {e[0].name}"
    return f"value #{i} is {text(new)} (was {text(old)})"


def _wrt_all(order, retain: bool, roots=()):
    """Positions whose gradient backward() stores: leaves that require a
    gradient, and with retain_grad every intermediate value (not the roots:
    they keep the gradient they started from)."""
    return [i for i, n in enumerate(order) if type(n) is not Const and (
        (n.op is None and n.requires_grad) or (retain and n.op is not None
                                               and i not in roots))]


# -- Variable.backward ----------------------------------------------------------

def backward_from_variable(y: Variable, retain_grad: bool, enable_double_backprop: bool,
                           loss_scale) -> None:
    node = y._node
    if node is None or node.op is None:
        return
    gy = y._grad
    if gy is None:
        if y._array.size != 1:
            return  # a larger output with no grad set propagates nothing
        if cuda.is_cupy_array(y._array):     # made now, on the loss's device
            with y._array.device:
                gy = y._grad = cuda.cupy.ones_like(y._array)
        else:
            gy = y._grad = IMPLICIT_ONES
    if loss_scale is not None:
        gy = y.grad * y.dtype.type(loss_scale)
    traced = type(y._array) is Traced
    recorded = enable_double_backprop or traced
    backward([node], [gy if not recorded else _cot_var(y, gy)], retain_grad, recorded,
             loss_scale, traced)


def _cot_var(y: Variable, gy):
    if gy is IMPLICIT_ONES or gy is y._grad:
        return y.grad_var
    if isinstance(gy, np.generic):      # a 0-d loss's gradient times loss_scale
        gy = np.asarray(gy)
    return Variable(gy, requires_grad=False)


def backward(roots, gys, retain_grad=False, recorded=False, loss_scale=None,
             traced=False) -> None:
    """Backpropagate from `roots` (Nodes) with initial gradients `gys`.

    `traced`: the roots are traced values (inside kusari.jit); the gradient
    plan is then left unoptimized, as the whole trace is optimized later.

    A backward allocates many short-lived objects and makes no cycles: the
    cyclic collector, were it to run, would only rescan the whole graph, so
    it is paused (here and in `grad`)."""
    gcpause.call(_backward, roots, gys, retain_grad, recorded, loss_scale, traced)


def _backward(roots, gys, retain_grad, recorded, loss_scale, traced) -> None:
    order, entries, index = walk(roots)
    if traced:
        _refuse_updated(order)
    if len(roots) == 1:
        root_pos = (len(order) - 1,)
        ones = (gys[0] is IMPLICIT_ONES,)
    else:
        root_pos = tuple([index[r] for r in roots])
        ones = tuple([g is IMPLICIT_ONES for g in gys])

    key = (tuple(entries), root_pos, ones, retain_grad, "backward", traced)
    hooks = active_hooks()
    plan = _plans.get(key) if hooks is None else None
    if plan is None:
        wrt = _wrt_all(order, retain_grad, root_pos)
        if not traced and (hooks is not None or has_user_nodes(entries)):
            # user-defined functions, or hooks watching: node by node, as Chainer
            grads = backprop_nodes(order, entries, root_pos, gys, wrt, recorded,
                                   hooks or {})
            _assign(order, wrt, _leaf_flags(order, wrt),
                    _clear_list(order, root_pos, retain_grad), grads, recorded, loss_scale)
            return
        sighting = None if recorded else _sighting(key, len(order))
        if sighting is not None:
            start = time.perf_counter()
            grads = eager_gradients(order, entries, root_pos, gys, wrt)
            _assign(order, wrt, _leaf_flags(order, wrt), _clear_list(order, root_pos, retain_grad),
                    grads, False, loss_scale)
            sighting[1] += time.perf_counter() - start
            return
        start = time.perf_counter()
        plan = _plan(key, lambda: build_plan(order, entries, root_pos, ones, wrt,
                                             retain_grad, "backward",
                                             optimize_graph=not traced))
        if not recorded:
            plan.run                          # compile now, to time it
            _compiled(len(order), time.perf_counter() - start)
    if recorded and not traced:
        grads = _apply_recorded(plan, order, [gys[k] for k in plan.cot_roots])
    elif recorded:
        with using_config("enable_backprop", True):
            grads = evaluate(plan.graph, [_fetch_var(order, s) for s in plan.fetch]
                             + [gys[k] for k in plan.cot_roots])
    elif any(cuda.is_cupy_array(g) for g in gys):
        grads = plan.run_device(order, gys)
    elif state.debug:
        grads = run_checked(plan.graph, [_fetch_array(order, s) for s in plan.fetch]
                            + [gys[k] for k in plan.cot_roots])
    else:
        grads = plan.run(order, gys)
    _assign(order, plan.targets, plan.leaf, plan.clear, grads, recorded, loss_scale)


# -- the eager tier: a structure seen for the first time ----------------------

_GETITEM = _ops.get("getitem")

MAX_SIGHTINGS = 8192
_sightings: OrderedDict = OrderedDict()   # hash of a plan key -> [times seen, eager seconds]
# what compiling a structure of n values is expected to take: FIXED + rate * n
# seconds, the rate a running average of the compiles measured so far
COMPILE_FIXED_S = 0.002
_compile_rate = [4e-5]


def _sighting(key, n_values: int):
    """Count a sighting of structure `key`; return its record [times seen,
    seconds spent running it eagerly] if it is to run eagerly this time, or
    None if it is to be compiled now.

    A structure is compiled once it has been seen `config.compile_threshold`
    times and its eager runs have taken, in all, as long as compiling it is
    expected to take: the rent-or-buy rule, so that a structure that seldom
    recurs never costs more than twice what the better choice would have.
    Only hashes are kept: a collision merely compiles a structure early."""
    threshold = state.compile_threshold
    if threshold <= 1:
        return None
    h = hash(key)
    record = _sightings.pop(h, None) or [0, 0.0]
    record[0] += 1
    if record[0] >= threshold and \
            record[1] >= COMPILE_FIXED_S + _compile_rate[0] * n_values:
        return None
    _sightings[h] = record
    if len(_sightings) > MAX_SIGHTINGS:
        _sightings.popitem(last=False)
    return record


def _compiled(n_values: int, seconds: float) -> None:
    """Learn the compile rate from one compile of `n_values` values."""
    rate = max(seconds - COMPILE_FIXED_S, 0.0) / max(n_values, 1)
    _compile_rate[0] = 0.7 * _compile_rate[0] + 0.3 * rate


MAX_OP_VJPS = 4096
_op_vjps: OrderedDict = OrderedDict()     # op signature -> compiled per-op gradient (FIFO)


def _op_vjp(node, mask, device=False):
    """The compiled gradient of one op application: run(node, gy) -> one
    gradient array (or None) per operand. Compiled once per op signature (op,
    attributes, operand types, which operands need a gradient). On CuPy
    arrays (`device`) the gradient graph runs op by op on the device's eager
    kernels instead."""
    ins = node.inputs
    key = (node.op, node.attrs, mask,
           tuple([x.entry if type(x) is Const else (x.shape, x.dtype) for x in ins]), device)
    run = _op_vjps.get(key)
    if run is not None:
        return run
    run = _op_vjps[key] = _build_op_vjp(node, mask, device)
    if len(_op_vjps) > MAX_OP_VJPS:
        _op_vjps.popitem(last=False)
    return run


def _build_op_vjp(node, mask, device):
    from .compiler.autodiff import op_vjp
    op = node.op
    operands = [x.value if type(x) is Const and x.baked else
                ((), x.dtype) if type(x) is Const else (x.shape, x.dtype)
                for x in node.inputs]
    g = op_vjp(op, node.attrs_dict(), operands, (node.shape, node.dtype), mask)
    if device:
        backend = _device_backend()

        def kernel(*arrays):
            return backend.interpret(g, arrays)
    else:
        kernel = spine.compile(g, NUMPY, OP_GRADIENT, purpose="op gradient",
                               why=lambda: f"the first backward through {op.label} "
                                           f"with {_operand_types(node)}").fn
    saved = op.saved_positions(len(node.inputs))
    args = []
    for i in g.inputs:
        name = g.node(i)["name"]
        if not g.use_count(i):
            args.append("None")
        elif name == "gy":
            args.append("gy")
        elif name == "y":
            if not op.saves_out:
                raise KusariError(f"internal: the gradient of {op.name} reads its output, "
                                  "which the op does not keep")
            args.append("n.out")
        else:
            k = int(name[1:])
            if type(node.inputs[k]) is Const:
                args.append(f"n.inputs[{k}].value")
            elif k in saved:
                args.append(f"n.saved[{k}]")
            else:
                raise KusariError(f"internal: the gradient of {op.name} reads operand {k}, "
                                  "which the op does not keep")
    src = f"def run(n, gy):\n    return kernel({', '.join(args)})\n"
    ns = {"kernel": kernel}
    exec(compile(src, f"<kusari vjp {op.name}>", "exec"), ns)
    return ns["run"]


def _device_backend():
    from .runtime.cupy_backend import cupy_backend
    return cupy_backend()


def _operand_types(node) -> str:
    from .compiler.ir import type_text
    return ", ".join(type_text(x.shape, x.dtype) for x in node.inputs)


def eager_gradients(order, entries, root_pos, gys, wrt) -> list:
    """Backpropagate through the walked graph op by op, on arrays: each op's
    gradient rule runs as its own small compiled function. Returns the
    gradient array (or None) for each position in `wrt`."""
    n_order = len(order)
    acc: list = [None] * n_order
    device = any(cuda.is_cupy_array(gy) for gy in gys)   # CuPy: no implicit ones there
    for p, gy in zip(root_pos, gys):
        node = order[p]
        if gy is IMPLICIT_ONES:
            gy = np.ones(node.shape, node.dtype)
        acc[p] = gy if acc[p] is None else acc[p] + gy
    keep = set(wrt)
    stop = min(wrt) if wrt else n_order
    debug = state.debug
    sums: set = set()                # positions whose acc is an array of our own
    for i in range(n_order - 1, stop, -1):
        gy = acc[i]
        if gy is None:
            continue
        if i not in keep:
            acc[i] = None            # free it as soon as it is used
        n = order[i]
        if type(n) is Const or n.op is None:
            continue
        ins = n.inputs
        mask = tuple([type(x) is not Const and x.requires_grad and x.dtype.kind == "f"
                      for x in ins])
        if True not in mask:
            continue
        if n.op is _GETITEM and len(ins) == 1 and gy.dtype == n.dtype:
            # a basic slice (x[:, t], split_axis): add gy into the slice of an
            # accumulator of x's shape, instead of scattering into zeros and adding
            j = entries[i][2][0]
            old = acc[j]
            if j not in sums:
                x = ins[0]
                with cuda.get_device_from_array(gy):
                    buf = cuda.get_array_module(gy).zeros(x.shape, x.dtype)
                if old is not None:
                    buf += old
                acc[j] = old = buf
                sums.add(j)
            old[index_tuple(n.attrs[0], ())] += gy
            continue
        if debug:
            try:
                grads = _op_vjp(n, mask, device)(n, gy)
            except Exception as e:
                from .function_node import with_stack
                with_stack(n, e)
                raise
        else:
            grads = _op_vjp(n, mask, device)(n, gy)
        for j, gx, want in zip(entries[i][2], grads, mask):
            if gx is None or not want:
                continue
            if debug and gx.dtype.kind == "f" and np.isnan(gx).any():
                raise RuntimeError(f"NaN is detected on backward computation of {n.op.label}")
            old = acc[j]
            if old is None:
                acc[j] = gx
            elif j in sums:
                old += gx            # ours: add in place
            else:
                acc[j] = _array(old + gx)
                sums.add(j)
    return [_owned(acc[w], gys) for w in wrt]


def _owned(g, gys):
    """`g` as an array of its own: a root's gradient passed through, or a view
    (a reshape, a read-only broadcast) of another array, is copied."""
    if g is None:
        return None
    if isinstance(g, np.generic):
        return np.asarray(g)
    if g.base is not None or any(g is r for r in gys):
        return g.copy()
    return g


def _array(a):
    """NumPy gives 0-d results as scalars: gradients are arrays."""
    return np.asarray(a) if isinstance(a, np.generic) else a


def _leaf_flags(order, wrt) -> tuple:
    return tuple([type(order[i]) is not Const and order[i].op is None for i in wrt])


def _clear_list(order, roots, retain: bool) -> tuple:
    """Positions of the intermediate values whose grads a backward without
    retain_grad clears: those an earlier backward with retain_grad gave them
    (a grad the user set on one stays, as in Chainer). The roots keep their
    grads (the seeds' semantics: a second backward() accumulates again; Chainer
    7 uses them up)."""
    if retain:
        return ()
    rootset = set(roots)
    return tuple([i for i, n in enumerate(order) if type(n) is not Const
                  and n.op is not None and i not in rootset])


def _apply_recorded(plan: Plan, order, gys) -> list:
    """The plan's gradients as Variables with a history: one compiled,
    differentiable `call` node per gradient (double backprop)."""
    from .function_node import apply_call
    ref, present = plan.ref()
    grads: list = [None] * len(plan.graph.outputs)
    if present:
        with using_config("enable_backprop", True):
            outs = apply_call(ref, tuple([_fetch_var(order, s) for s in plan.fetch]
                                         + list(gys)))
        for k, v in zip(present, outs):
            grads[k] = v
    return grads


def _fetch_array(order, spec):
    kind, i = spec[0], spec[1]
    if kind == "param":
        return order[i].value
    if kind == "out":
        return order[i].out
    return order[i].saved[spec[2]]


def run_checked(g: Graph, inputs: list) -> list:
    """Run a gradient graph one op at a time, refusing the first NaN and naming
    the forward op whose gradient produced it (config.debug)."""
    from .compiler import ops
    from .compiler.ir import ArrayConst

    def on_const(d):
        v = d["attrs"]["value"]
        return v.array if isinstance(v, ArrayConst) else np.full(d["shape"], v, d["dtype"])

    def on_op(d, args):
        out = np.asarray(ops.get(d["op"]).impl(*args, **d["attrs"]))
        if out.dtype.kind == "f" and np.isnan(out).any():
            raise RuntimeError("NaN is detected on backward computation of "
                               f"{d.get('origin', d['op'])}")
        return out

    return [None if v is None else np.array(v) for v in g.interpret(inputs, on_const, on_op)]


def _assign(order, targets, leaf, clear, grads, recorded: bool, loss_scale) -> None:
    for i in clear:
        v = order[i].var()
        if v is not None and v._grad is not None and \
                v._grad is v.__dict__.get("_retained_grad"):
            tracing.note(v)
            v._grad = v._grad_var = None
    for i, is_leaf, g in zip(targets, leaf, grads):
        v = order[i].var()
        if v is None:
            continue
        tracing.note(v)
        if not is_leaf:
            if g is None:
                v._grad = v._grad_var = None
            elif recorded:
                v._grad_var, v._grad = g, g._array
            else:
                v._grad, v._grad_var = g, None
            v.__dict__["_retained_grad"] = v._grad
            continue
        if g is None:
            continue
        if loss_scale is not None:
            v._loss_scale = loss_scale
        old = v._grad
        if recorded and tracing.TRACING and type(old) is not Traced:
            ctx = tracing.active()
            if ctx is not None:
                old = _traced_grad(ctx, v, old)
                total = g if old is None else old + g
                v._grad_var, v._grad = total, total._array
                continue
        if recorded:
            total = g if old is None else v.grad_var + g
            v._grad_var, v._grad = total, total._array
        else:
            v._grad = g if old is None else _array(v.grad + g)
            v._grad_var = None


def _refuse_updated(order) -> None:
    """Inside kusari.jit, a backward through a parameter the same call has
    already updated would give its gradient to the update, not to the
    parameter: refused clearly rather than computed wrong."""
    ctx = tracing.active()
    if ctx is None or not ctx.assigned:
        return
    for n in order:
        if type(n) is not Const and id(n) in ctx.assigned:
            var = ctx.assigned[id(n)][0]
            raise TraceError(
                f"a backward inside kusari.jit reaches {var._describe()} after an optimizer "
                "update in the same call: one jitted call can hold one update of a "
                "parameter and backwards before it; call the jitted step once per update")


def _traced_grad(ctx, v, old):
    """Inside kusari.jit, the gradient a backward adds to: whether `v` has
    one when the call starts is guarded, and its value is read at each call
    (gradients accumulate over calls as they do eagerly)."""
    from .guards import Guard
    first = ctx.remembered.get(id(v))
    initial = first[3] if first is not None else old
    ctx.guards.append(Guard(f"whether {v.name or 'a variable'} has a gradient",
                            lambda v=v: v._grad is None, initial is None))
    if old is None or old is IMPLICIT_ONES:
        return None if old is None else Variable(np.ones(v.shape, v.dtype))
    if old is not initial:       # set inside the function (zerograds): a constant
        return v.grad_var
    return ctx.leaf(lambda v=v: v._grad, old.shape, old.dtype, ("grad", id(v)))


def _fetch_var(order, spec):
    """The Variable for a fetched value, reattached to the tape if it was dropped."""
    kind, i = spec[0], spec[1]
    if kind == "param":
        return order[i]
    if kind == "out":
        node, array = order[i], order[i].out
    else:
        node, array = order[i].inputs[spec[2]], order[i].saved[spec[2]]
    v = node.var()
    if v is not None and v._array is array:
        return v
    import weakref
    v = Variable(array, requires_grad=node.requires_grad)
    v._node = node
    node.var = weakref.ref(v)
    return v


# -- kusari.grad and kusari.backward ------------------------------------------

def grad(outputs, inputs, grad_outputs=None, grad_inputs=None, set_grad=False,
         retain_grad=False, enable_double_backprop=False, loss_scale=None):
    """Gradients of `outputs` w.r.t. `inputs`, as a list of Variables (Chainer's
    `chainer.grad`). `x.grad` is left alone unless `set_grad`; inputs the
    outputs do not reach get None."""
    return gcpause.call(_grad, outputs, inputs, grad_outputs, grad_inputs, set_grad,
                        retain_grad, enable_double_backprop, loss_scale)


def _grad(outputs, inputs, grad_outputs, grad_inputs, set_grad, retain_grad,
          enable_double_backprop, loss_scale):
    _check_seq("outputs", outputs)
    _check_seq("inputs", inputs)
    if grad_outputs is not None:
        _check_seq("grad_outputs", grad_outputs)
        if len(grad_outputs) != len(outputs):
            raise ValueError("grad_outputs must be of the same length as outputs.\n"
                             f"len(outputs) = {len(outputs)}, "
                             f"len(grad_outputs) = {len(grad_outputs)}")
    if grad_inputs is not None:
        _check_seq("grad_inputs", grad_inputs)
        if len(grad_inputs) != len(inputs):
            raise ValueError("grad_inputs must be of the same length as inputs.\n"
                             f"len(inputs) = {len(inputs)}, "
                             f"len(grad_inputs) = {len(grad_inputs)}")
    for v in list(outputs) + list(inputs):
        if not isinstance(v, Variable):
            raise TypeError(f"each output and input must be a Variable, not {type(v)}")
    roots = [y.node for y in outputs]
    gys = []
    for k, y in enumerate(outputs):
        gy = None if grad_outputs is None else grad_outputs[k]
        if gy is None:
            gy = np.ones_like(y._array) if type(y._array) is not Traced else \
                _traced_ones(y)
        gy = gy if isinstance(gy, Variable) else Variable(gy, requires_grad=False)
        _check_grad(y, gy._array)             # Chainer's type, dtype and shape checks
        if loss_scale is not None:
            gy = gy * loss_scale
        gys.append(gy)
    # grad_inputs start the inputs' gradients: an input on the way to
    # another one passes its start on, as in Chainer
    seeded = set()
    for k, (x, gi) in enumerate(zip(inputs, grad_inputs or ())):
        if gi is None or not x.requires_grad or x._array is None:
            continue
        gi = gi if isinstance(gi, Variable) else Variable(gi, requires_grad=False)
        _check_grad(x, gi._array)
        roots.append(x.node)
        gys.append(gi)
        seeded.add(k)

    recorded = enable_double_backprop or any(
        type(v._array) is Traced for v in list(outputs) + list(inputs))
    order, entries, index = walk(roots)
    if tracing.TRACING:
        _refuse_updated(order)
    root_pos = tuple(index[r] for r in roots)
    wrt = []
    for x in inputs:
        n = x._node
        wrt.append(index.get(n) if n is not None and x.requires_grad else None)
    distinct = sorted({i for i in wrt if i is not None})
    if retain_grad:
        distinct = sorted(set(distinct) | {i for i, n in enumerate(order)
                                           if type(n) is not Const and n.op is not None})
    traced = any(type(v._array) is Traced for v in list(outputs) + list(inputs) + gys)
    # an output with no grad_output given has gradient one: a constant of the
    # plan, so that the compiled gradient simplifies
    ones = tuple([(grad_outputs is None or grad_outputs[k] is None) and loss_scale is None
                  for k in range(len(outputs))]) + (False,) * len(seeded)
    key = (tuple(entries), root_pos, tuple(distinct), retain_grad, "grad", traced, ones)
    hooks = active_hooks()
    plan = _plans.get(key) if hooks is None else None
    by_node = plan is None and not traced and (hooks is not None or has_user_nodes(entries))
    sighting = None if plan is not None or recorded or by_node else _sighting(key, len(order))
    if by_node:
        # user-defined functions, or hooks watching: node by node, as Chainer
        results = backprop_nodes(order, entries, root_pos,
                                 gys if recorded else [g._array for g in gys], distinct,
                                 recorded, hooks or {})
        if not recorded:
            arrays = results
        targets = distinct
    elif sighting is not None:
        start = time.perf_counter()
        arrays = eager_gradients(order, entries, root_pos, [g._array for g in gys], distinct)
        sighting[1] += time.perf_counter() - start
        targets = distinct
    else:
        if plan is None:
            plan = _plan(key, lambda: build_plan(order, entries, root_pos, ones, distinct,
                                                 True, "grad", optimize_graph=not traced))
        targets = plan.targets
        cots = [gys[k] for k in plan.cot_roots]
        if recorded and not traced:
            results = _apply_recorded(plan, order, cots)
        elif recorded:
            with using_config("enable_backprop", True):
                results = evaluate(plan.graph,
                                   [_fetch_var(order, s) for s in plan.fetch] + cots)
        elif any(cuda.is_cupy_array(v._array) for v in outputs):
            arrays = plan.run_device(order, [g._array for g in gys])
        else:
            arrays = plan.run(order, [g._array for g in gys])
    if not recorded:
        results = [None if a is None else Variable(a, requires_grad=False) for a in arrays]
    by_pos = dict(zip(targets, results))
    if retain_grad:
        for i, r in by_pos.items():
            v = order[i].var()
            if v is not None and order[i].op is not None:
                tracing.note(v)
                v._grad_var = r
                v._grad = None if r is None else r._array
    out = []
    for k, (x, i) in enumerate(zip(inputs, wrt)):
        gx = by_pos.get(i) if i is not None else None
        gi = None if grad_inputs is None or k in seeded else grad_inputs[k]
        if gi is not None:
            gx = gi if gx is None else gx + gi
        if set_grad:
            x.grad_var = gx
        out.append(gx)
    return out


def _traced_ones(y):
    from . import functions as F
    return F.broadcast_to(Variable(np.ones((), y.dtype), requires_grad=False), y.shape)


def backward_many(outputs, grad_outputs=None, enable_double_backprop=False) -> None:
    """Backpropagate from several outputs at once (Chainer's `chainer.backward`).

    Without `grad_outputs` each output's grad is used (and used up, as by
    Variable.backward); an output without one contributes nothing, with a
    RuntimeWarning (a repeated output has none the second time)."""
    import warnings
    _check_seq("outputs", outputs)
    for v in outputs:
        if not isinstance(v, Variable):
            raise TypeError(f"each output must be a Variable, not {type(v)}")
    if grad_outputs is not None:
        if not isinstance(grad_outputs, (tuple, list)):
            raise TypeError("grad_outputs must be None, a tuple, or a list, not "
                            f"{type(grad_outputs)}.")
        if len(grad_outputs) != len(outputs):
            raise ValueError("grad_outputs must be of the same length as outputs.\n"
                             f"len(outputs) = {len(outputs)}, "
                             f"len(grad_outputs) = {len(grad_outputs)}")
    else:
        grad_outputs = []
        for y in outputs:
            gv = y.grad_var
            if gv is None:
                warnings.warn("outputs contains a Variable without grad, or duplicate "
                              "outputs. Note that chainer.backward does not set default "
                              "grad.", RuntimeWarning)
            if y._node is not None and y._node.op is not None:
                tracing.note(y)          # used up (a leaf output keeps it, as in Chainer)
                y._grad = y._grad_var = None
            grad_outputs.append(gv)
    for y, g in zip(outputs, grad_outputs):
        if g is not None:
            _check_grad(y, g.array if isinstance(g, Variable) else g)
    pairs = [(y, g) for y, g in zip(outputs, grad_outputs)
             if g is not None and y._node is not None and y._node.op is not None]
    if not pairs:
        return
    roots = [y._node for y, _ in pairs]
    traced = any(type(y._array) is Traced for y, _ in pairs)
    if enable_double_backprop or traced:
        gys = [g if isinstance(g, Variable) else Variable(g, requires_grad=False)
               for _, g in pairs]
        backward(roots, gys, False, True, traced=traced)
    else:
        backward(roots, [g.array if isinstance(g, Variable) else g for _, g in pairs])


def _check_seq(name, seq):
    if not isinstance(seq, (tuple, list)):
        raise TypeError(f"{name} must be a tuple or a list, not {type(seq)}.")


def clear_plans() -> None:
    """Forget every compiled gradient and every structure seen (the next
    backward starts afresh)."""
    _plans.clear()
    _plan_values[0] = 0
    _op_vjps.clear()
    _sightings.clear()
