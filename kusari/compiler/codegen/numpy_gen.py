"""NumPy code generation: one readable Python module per compiled graph.

The graph is fused into kernels (`compiler.fusion`). A kernel that is small
(or not elementwise) becomes straight-line NumPy calls. A large fused
elementwise kernel becomes a *block function*: every op writes with `out=`
into a scratch buffer (reused as soon as its value is dead, in place where
the op allows) or into a view of the kernel's output array; the runtime's
BlockPlan runs it over cache-sized blocks on a thread pool. Each line carries
the IR equation it computes, so the source reads alongside `str(graph)`.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..fusion import Kernel, fuse
from ..ops.registry import ELEMENTWISE
from ..ir import ArrayConst, Graph
from ..ops import numpy_kernels as nk
from .native_gen import c_kernel, qualifies

# elements: below this a kernel runs straight-line (its arrays stay in the
# caches anyway, and each block costs a round of Python calls)
BLOCKED_MIN = 1 << 18
# a kernel of one or two ops gains nothing from blocks while its arrays stay in
# the last-level cache (it has few temporaries), so it runs straight-line
# below 16 times that
SHORT_FACTOR = 16


class Source:
    """Generated source text and the globals it runs with."""

    def __init__(self, text: str, namespace: dict, entry: str):
        self.text = text
        self.namespace = namespace
        self.entry = entry

    def __str__(self):
        return self.text


def _dtype_expr(dtype: np.dtype) -> str:
    return "np.bool_" if dtype == np.bool_ else f"np.{dtype.name}"


def _const_expr(value, dtype: np.dtype) -> str:
    if isinstance(value, float) and not np.isfinite(value):
        text = "np.nan" if value != value else ("-np.inf" if value < 0 else "np.inf")
        return f"{_dtype_expr(dtype)}({text})"
    return f"{_dtype_expr(dtype)}({value!r})"


def _py(v) -> str:
    if isinstance(v, float) and not np.isfinite(v):    # an attribute such as a pad value
        return f"float({str(v)!r})"
    return f"np.dtype({v.str!r})" if isinstance(v, np.dtype) else repr(v)


def _literal(v) -> bool:
    if isinstance(v, (tuple, list)):
        return all(_literal(x) for x in v)
    return v is None or isinstance(v, (bool, int, float, str, np.dtype, np.generic))


def aliases(g: Graph, n: int) -> bool:
    """Whether node n's array may share memory with an input or a constant."""
    while True:
        op = g.op(n)
        if op in ("input", "const"):
            return True
        if not ops.get(op).view or (op == "sum_to" and g.shape(n) != g.shape(g.args(n)[0])):
            return False
        n = g.args(n)[0]


def reduction_axes(g: Graph, r: int) -> tuple:
    """The axes of its operand's shape that reduction node r reduces."""
    if g.op(r) == "sum_to":
        src, dst = g.shape(g.args(r)[0]), g.shape(r)
        lead = len(src) - len(dst)
        return tuple(range(lead)) + tuple(lead + i for i, d in enumerate(dst)
                                          if d == 1 and src[lead + i] != 1)
    return g.attrs(r)["axis"]


class _Emitter:
    def __init__(self, g: Graph, name: str):
        self.g = g
        self.name = name
        self.ir = g.names()
        self.ns: dict = {"np": np, "nk": nk}
        self.header: list[str] = []
        self.blocks: list[str] = []
        self.body: list[str] = []
        self.names: dict[int, str] = {}
        self.n_consts = 0

    # -- values -----------------------------------------------------------------
    def const(self, n: int) -> str:
        d = self.g.node(n)
        value = d["attrs"]["value"]
        cname = f"c{self.n_consts}"
        self.n_consts += 1
        if isinstance(value, ArrayConst):
            self.ns[cname] = value.array
            self.header.append(f"# {cname}: array constant {d['dtype'].name}{list(d['shape'])}")
        elif d["shape"] == ():
            self.header.append(f"{cname} = {_const_expr(value, d['dtype'])}")
        else:
            arr = np.full(d["shape"], value, d["dtype"])
            arr.flags.writeable = False
            self.ns[cname] = arr
            self.header.append(f"# {cname} = full({d['shape']}, {value!r}, {d['dtype']})")
        return cname

    def value(self, n: int) -> str:
        if n not in self.names:
            self.names[n] = self.const(n)
        return self.names[n]

    def call(self, n: int, args: list[str], out: str | None = None) -> str:
        d = self.g.node(n)
        opdef = ops.get(d["op"])
        parts = list(args) + [f"{k}={self.attr(v)}" for k, v in d["attrs"].items()]
        if out is not None:
            parts.append(f"out={out}")
        name = opdef.numpy_name
        if name is None:             # an op whose NumPy form lives in its own module
            name = f"impl_{opdef.name}"
            self.ns[name] = opdef.impl
        return f"{name}({', '.join(parts)})"

    def attr(self, v) -> str:
        """An attribute as source: a literal, or (an object such as a user
        function's handle) a name bound in the generated module."""
        if _literal(v):
            return _py(v)
        name = f"attr{len(self.ns)}"
        self.ns[name] = v
        return name

    def comment(self, n: int) -> str:
        return f"# {self.g.equation(n, self.ir)}"

    # -- kernels ----------------------------------------------------------------
    def straight(self, k: Kernel) -> None:
        for n in k.nodes:
            var = f"v_{self.ir[n]}"
            args = [self.value(a) for a in self.g.args(n)]
            out = None
            if n in self.donated:
                out = self.names[self.donated[n]]  # written in place
            elif self.g.op(n) == "matmul" and n in self.last_read and \
                    n not in self.g.outputs and self.g.shape(n) and self.big(n):
                out = self.allocate(n)             # into an arena slot
            self.body.append(f"    {var} = {self.call(n, args, out)}  {self.comment(n)}")
            self.names[n] = var

    def big(self, n: int) -> bool:
        return int(np.prod(self.g.shape(n), dtype=np.int64)) >= BLOCKED_MIN

    def blocked(self, k: Kernel) -> None:
        g = self.g
        inputs = list(k.inputs)
        consts = sorted({a for n in k.nodes for a in g.args(n)
                         if g.is_const(a) and g.shape(a) != ()})
        ins = inputs + consts
        elementwise = [n for n in k.nodes if n != k.reduction]
        outs = [n for n in k.outputs if n != k.reduction]
        local = {a: f"i{j}" for j, a in enumerate(ins)}
        local.update({n: f"o{j}" for j, n in enumerate(outs)})
        last_use: dict[int, int] = {}
        for pos, n in enumerate(k.nodes):
            for a in g.args(n):
                last_use[a] = pos
        free: dict = {}
        scratch: list[np.dtype] = []
        lines = []
        for pos, n in enumerate(elementwise):
            args = [local.get(a) or self.value(a) for a in g.args(n)]
            if n not in local:
                dtype = g.dtype(n)
                reuse = None
                if ops.get(g.op(n)).name != "where":   # where reads operands late
                    for a in g.args(n):
                        name = local.get(a, "")
                        if name.startswith("t") and last_use.get(a) == pos and \
                                g.dtype(a) == dtype and a not in outs:
                            reuse = name
                            break
                for a in g.args(n):   # operands dying here free their buffers
                    name = local.get(a, "")
                    if name.startswith("t") and last_use.get(a) == pos and name != reuse:
                        free.setdefault(g.dtype(a), []).append(name)
                if reuse is None:
                    pool = free.get(dtype)
                    if pool:
                        reuse = pool.pop()
                    else:
                        reuse = f"t{len(scratch)}"
                        scratch.append(dtype)
                local[n] = reuse
            else:
                for a in g.args(n):
                    name = local.get(a, "")
                    if name.startswith("t") and last_use.get(a) == pos:
                        free.setdefault(g.dtype(a), []).append(name)
            lines.append(f"    {self.call(n, args, local[n])}  {self.comment(n)}")
        fname = f"_k{k.id}"
        plan = f"_plan{k.id}"
        head = [f"def {fname}(ins, outs, t, axes):",
                f"    # kernel {k.id}: {len(k.nodes)} ops fused over "
                f"{g.dtype(elementwise[-1]).name}{list(k.shape)}, run block by block"]
        if ins:
            head.append(f"    {', '.join(local[a] for a in ins)}, = ins")
        if outs:
            head.append(f"    {', '.join(local[n] for n in outs)}, = outs")
        if scratch:
            head.append(f"    {', '.join(f't{j}' for j in range(len(scratch)))}, = t")
        tail = []
        red = None
        if k.reduction is not None:
            r = k.reduction
            combine = ops.get(g.op(r)).combine
            tail.append(f"    return {combine.numpy_reduce}({local[g.args(r)[0]]}, axis=axes, "
                        f"keepdims=True)  {self.comment(r)}")
            red = (f"rt.Reduction({_const_expr(float(combine.identity), g.dtype(r))}, "
                   f"{combine.numpy_combine}, {reduction_axes(g, r)}, {g.shape(r)}, "
                   f"{g.dtype(r).name!r})")
        self.blocks.append("\n".join(head + lines + tail) + "\n")
        # the same group as one C loop, where its ops allow (native_gen)
        native = ""
        c_source = c_kernel(g, k, ins, outs, {n for n in outs if n in self.donated})
        if c_source is not None:
            self.ns[f"_c{k.id}"] = c_source
            native = f", native=_c{k.id}, dtypes={[g.dtype(a).name for a in ins]}"
            self.header.append(f"# _c{k.id}: kernel {k.id} as C, run natively once compiled")
        # the runtime provides `rt` (kusari.runtime.blocked) when it loads the module
        self.header.append(f"{plan} = rt.BlockPlan({k.shape}, {[g.shape(a) for a in ins]}, "
                           f"{[d.name for d in scratch]}, {red}{native})")
        # the call site: outputs in fresh arrays, or (intermediates) in arena slots
        for n in outs:
            var = f"v_{self.ir[n]}"
            if n in self.donated:
                self.body.append(f"    {var} = {self.names[self.donated[n]]}  "
                                 "# donated: written in place")
            else:
                self.body.append(f"    {var} = {self.allocate(n)}")
            self.names[n] = var
        call = f"{plan}.run({fname}, ({''.join(self.value(a) + ', ' for a in ins)}), " \
               f"({''.join(self.names[n] + ', ' for n in outs)}))"
        if k.reduction is not None:
            var = f"v_{self.ir[k.reduction]}"
            self.names[k.reduction] = var
            self.body.append(f"    {var} = {call}")
        else:
            self.body.append(f"    {call}")

    # -- the arena: buffers reused across kernels -------------------------------
    def plan_arena(self, kernels: list[Kernel]) -> None:
        """Where each value is last read (by kernel position), for reuse."""
        self.kernel_pos = {n: i for i, k in enumerate(kernels) for n in k.nodes}
        self.last_read: dict[int, int] = {}
        for i, k in enumerate(kernels):
            for a in k.inputs:
                self.last_read[a] = i
        self.free_slots: list[tuple[int, str]] = []     # (bytes, slot name)
        self.slot_of: dict[int, tuple[int, str]] = {}
        self.n_slots = 0

    def allocate(self, n: int) -> str:
        """An expression for n's output array: a view into a free arena slot
        when n is an intermediate, else a fresh array (it is handed out)."""
        g = self.g
        shape, dtype = g.shape(n), g.dtype(n)
        if n in g.outputs or n not in self.last_read:
            return f"np.empty({shape}, {_dtype_expr(dtype)})"
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        fits = [s for s in self.free_slots if s[0] >= nbytes]
        if fits:
            slot = min(fits)
            self.free_slots.remove(slot)
        else:
            slot = (nbytes, f"arena{self.n_slots}")
            self.n_slots += 1
            self.body.append(f"    {slot[1]} = np.empty({nbytes}, np.uint8)")
        self.slot_of[n] = slot
        count = int(np.prod(shape, dtype=np.int64))
        return f"{slot[1]}[:{nbytes}].view({_dtype_expr(dtype)})[:{count}].reshape({shape})"

    def release_after(self, position: int) -> None:
        """Slots whose values were last read by the kernel at `position`."""
        for n, slot in list(self.slot_of.items()):
            if self.last_read.get(n) == position:
                self.free_slots.append(slot)
                del self.slot_of[n]

    def is_blocked(self, k: Kernel) -> bool:
        """Whether kernel k runs block by block (else straight-line)."""
        size = int(np.prod(k.shape, dtype=np.int64)) if k.kind == "elementwise" else 0
        ops_ = len(k.nodes) - (k.reduction is not None)
        # (a group that can run as one C loop gains from blocks at any length)
        short = ops_ <= 2 and not qualifies(self.g, k)
        return k.kind == "elementwise" and \
            size >= BLOCKED_MIN * (SHORT_FACTOR if short else 1) and all(
                ops.get(self.g.op(n)).out_arg for n in k.nodes if n != k.reduction)

    def plan_donations(self, kernels: list[Kernel], donate) -> None:
        """Which outputs are written into the buffer of an input the caller
        gives up (`donate`: (output position, input position) pairs).

        A donation is taken only where it is safe: the output is computed by
        an elementwise op that can write with out= (into an array of the
        same shape and dtype), and no read of the input, or of a view of
        it, comes after that op; the input is not handed out itself."""
        self.donated: dict[int, int] = {}
        if not donate:
            return
        g = self.g
        pos = {}
        for i, k in enumerate(kernels):
            order = [n for n in k.nodes if n != k.reduction]
            if k.reduction is not None:
                order.append(k.reduction)
            for j, n in enumerate(order):
                pos[n] = (i, j)
        outputs = set(g.outputs)
        taken = set()
        for oi, ii in donate:
            o, x = g.outputs[oi], g.inputs[ii]
            if o is None or o in self.donated or x in taken or o not in pos or \
                    g.shape(o) != g.shape(x) or g.dtype(o) != g.dtype(x):
                continue
            opdef = ops.get(g.op(o))
            k = kernels[pos[o][0]]
            if not opdef.out_arg or opdef.kind != ELEMENTWISE or \
                    (self.is_blocked(k) and (o == k.reduction or g.shape(o) != k.shape)):
                continue
            if self._read_after(x, pos[o], pos, outputs):
                continue
            self.donated[o] = x
            taken.add(x)

    def _read_after(self, x: int, at: tuple, pos: dict, outputs: set) -> bool:
        """Whether x, or a view of it, is read after position `at` or handed out."""
        g = self.g
        stack, seen = [x], {x}
        while stack:
            a = stack.pop()
            if a in outputs:
                return True
            for u in g.users(a):
                if pos.get(u, at) > at:
                    return True
                if ops.get(g.op(u)).view and u not in seen:
                    seen.add(u)
                    stack.append(u)
        return False

    def kernel(self, k: Kernel) -> None:
        if self.is_blocked(k):
            self.body.append(f"    # kernel {k.id}: fused, blocked "
                             f"({' '.join(self.ir[n] for n in k.nodes)})")
            self.blocked(k)
        else:
            if k.kind == "elementwise" and len(k.nodes) > 1:
                self.body.append(f"    # kernel {k.id}: fused "
                                 f"({' '.join(self.ir[n] for n in k.nodes)})")
            self.straight(k)

    def output(self, o, copy: bool = True) -> str:
        if o is None:
            return "None"
        name = self.value(o)
        g = self.g
        if copy and (aliases(g, o) or g.op(o) == "broadcast_to"):
            return f"np.array({name})"       # never hand out an alias or a read-only view
        if g.shape(o) == ():
            return f"np.asarray({name})"     # ufuncs give 0-d results as scalars
        return name


def generate(g: Graph, name: str = "kernel", copy_outputs: bool = True,
             donate: tuple = ()) -> Source:
    """The NumPy source of `g` (fused; call `optimize` first for good code).

    copy_outputs=False lets an output be an input, a view of one, or a
    read-only broadcast: for callers that copy what they hand on. `donate`
    lists (output, input) positions where the output may be written into
    the input's array (the caller no longer needs its value); the ones that
    are safe are taken, and those outputs come back as that very array."""
    e = _Emitter(g, name)
    params = []
    for i, n in enumerate(g.inputs):
        e.names[n] = f"in{i}_{e.ir[n]}"
        params.append(e.names[n])
    kernels = fuse(g)
    e.plan_arena(kernels)
    e.plan_donations(kernels, donate)
    for i, k in enumerate(kernels):
        e.kernel(k)
        e.release_after(i)
    seen: set[str] = set()
    outs = []
    for o in g.outputs:
        text = e.output(o, copy_outputs)
        if text in seen and o is not None and copy_outputs:
            text = f"np.array({e.value(o)})"       # the same array twice: copy one
        seen.add(text)
        outs.append(text)
    text = "\n".join(
        [f"# kusari: {g.name} ({len(g)} nodes, {len(kernels)} kernels)"] + e.header +
        [""] + e.blocks +
        [f"def {name}({', '.join(params)}):"] + (e.body or ["    pass"]) +
        [f"    return ({', '.join(outs)}{',' if len(outs) == 1 else ''})", ""])
    return Source(text, e.ns, name)
