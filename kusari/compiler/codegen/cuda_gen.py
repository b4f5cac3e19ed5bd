"""CUDA code generation: one CUDA C kernel per fused group, and a host plan.

The graph is fused exactly as for NumPy (`compiler.fusion`), and every
elementwise op's code is its registry entry's `cuda` expression: the two
generators read the same table, so adding an op is adding one entry. An
expression names its operands `{0}`, `{1}` ..., and `T`, the type it
computes in (a `typedef` in scope; `{T}` where the type is a format field,
as in `cast`).

- An elementwise group becomes one `extern "C" __global__` kernel with a
  grid-stride loop over the group's elements. Each input is read at an
  index computed from the element's coordinates and the input's own
  (contiguous) strides, 0 along broadcast axes; shapes are concrete, so the
  arithmetic is specialized at generation time.
- A group that ends in a reduction with a `combine` in its registry entry
  (sum, max, min, prod, sum_to) becomes a reduction kernel: a block per
  output element (grid-stride over outputs), each thread computing the
  group's chain at its share of the reduced elements and combining them
  from the entry's identity, then a tree reduction in shared memory
  (`ks_block_reduce_store`) with the entry's CUDA combine.
- float16 is loaded and stored as `__half` and computed in float32
  registers; each float16 op's result is rounded to float16 as NumPy rounds
  it, so results agree with NumPy's op by op (overflow included).
- Everything else (matmul, convolution, shape movement, indexing, other
  reductions) is a library step of the host plan: a Python call, on the
  GPU through CuPy (cuBLAS for matmul).

`generate(graph)` returns a `CudaProgram`: the complete CUDA source (one
module, the plan written at its top as comments) and the plan's steps. The
compiler runs nothing: the CuPy backend (`kusari.runtime.cupy_backend`)
compiles the source with `cupy.RawModule` and runs the plan; the tests run
the same source on the CPU through a host shim (tests/cuda/shim.h).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import ops
from ..fusion import Kernel, fuse
from ..ir import Graph
from ..ops.registry import REDUCE
from .cuda_c import CudaUnsupported, compute_type, literal, prelude, storage_type
from .numpy_gen import reduction_axes

BLOCK = 256           # threads per block of an elementwise kernel
MAX_GRID = 1 << 16    # blocks at most: the loops are grid-stride
REDUCE_BLOCK = 256    # threads per block of a reduction (a power of two)
THREAD_REDUCE = 16    # at most this many elements per output: a thread per output
SPLIT_OUTPUTS = 1024  # fewer outputs than this: several blocks per output


@dataclass
class Launch:
    """A kernel launch of the plan."""
    kernel: str                      # its name in the module
    grid: int
    block: int
    args: list                       # node ids, in parameter order (inputs, then outputs)
    params: list                     # the C parameter types, in that order
    outputs: list                    # node ids it writes
    nodes: list                      # the IR nodes it computes
    # scratch arrays (partial results) by name: (shape, dtype); they appear
    # in args and outputs by that name
    scratch: dict = field(default_factory=dict)

    def describe(self, names) -> str:
        ins = [names.get(a, a) for a in self.args if a not in self.outputs]
        return (f"{self.kernel}<<<{self.grid}, {self.block}>>>({', '.join(ins)}) -> "
                f"{', '.join(names.get(o, o) for o in self.outputs)}")


@dataclass
class LibraryCall:
    """A library step of the plan: the registry op run by the array library
    (CuPy on the GPU: cuBLAS for matmul)."""
    node: int
    op: str
    args: list
    attrs: dict

    def describe(self, names) -> str:
        via = " (cuBLAS)" if self.op in ("matmul", "linear") else ""
        return f"{names[self.node]} = {self.op}({', '.join(names[a] for a in self.args)})" + via


@dataclass
class CudaProgram:
    """The CUDA module of a graph and the host plan that runs it."""
    name: str
    source: str
    steps: list                      # Launch and LibraryCall, in order
    consts: dict = field(default_factory=dict)   # const node -> array to upload
    kernels: list = field(default_factory=list)  # each kernel's text (in `source`)

    def __str__(self):
        return self.source


def _strides(shape) -> list:
    out, s = [], 1
    for d in reversed(shape):
        out.append(s)
        s *= d
    return out[::-1]


def _size(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


class _Emitter:
    def __init__(self, g: Graph, name: str):
        self.g = g
        self.name = name
        self.ir = g.names()
        self.kernels: list[str] = []
        self.steps: list = []
        self.consts: dict = {}

    # -- one node's code ----------------------------------------------------
    def operand(self, a: int, local: dict, want: str | None) -> str:
        g = self.g
        if a in local:
            text, ct = local[a], compute_type(g.dtype(a))
        else:                                   # a scalar-filled constant
            text, ct = literal(g.const_value(a), g.dtype(a)), compute_type(g.dtype(a))
        if want is not None and ct != want and g.dtype(a).kind != "b":
            return f"(({want}){text})"
        return text

    def op_code(self, n: int, local: dict) -> str:
        g = self.g
        opdef = ops.get(g.op(n))
        if opdef.cuda is None:
            raise CudaUnsupported(f"op {opdef.name!r} has no CUDA form in its registry entry")
        dtype = g.dtype(n)
        ct = compute_type(dtype)
        want = None if dtype.kind == "b" or opdef.name == "cast" else ct
        args = [self.operand(a, local, want) for a in g.args(n)]
        expr = opdef.cuda.format(*args, T=ct)
        if dtype == np.float16:
            expr = f"ks_half({expr})"
        elif dtype.kind in "iu" and dtype.itemsize < 4:
            expr = f"({ct})({storage_type(dtype)})({expr})"   # wraps as NumPy's does
        var = f"v{n}"
        local[n] = var
        return (f"        {ct} {var}; {{ typedef {ct} T; {var} = {expr}; }}"
                f"  // {g.equation(n, self.ir)}")

    # -- kernels ------------------------------------------------------------
    def kernel(self, k: Kernel) -> None:
        g = self.g
        if k.kind == "elementwise":
            if k.reduction is None:
                self.elementwise(k)
            else:
                self.reduction(k, k.nodes[:-1], k.reduction)
            return
        (n,) = k.nodes
        opdef = ops.get(g.op(n))
        if opdef.kind == REDUCE and opdef.combine is not None and \
                g.dtype(n).kind == "f" and g.dtype(g.args(n)[0]) == g.dtype(n):
            self.reduction(k, [], n)
        else:
            self.steps.append(LibraryCall(n, g.op(n), list(g.args(n)), dict(g.attrs(n))))

    def params(self, ins: list, outs: list):
        g = self.g
        decl, types = [], []
        for j, a in enumerate(ins):
            t = f"const {storage_type(g.dtype(a))}*"
            decl.append(f"{t} __restrict__ in{j}")
            types.append(t)
        for j, n in enumerate(outs):
            t = f"{storage_type(g.dtype(n))}*"
            decl.append(f"{t} __restrict__ out{j}")
            types.append(t)
        return decl, types

    def inputs_of(self, k: Kernel, nodes) -> list:
        """Values the kernel reads from memory: inputs and array constants."""
        g = self.g
        ins = list(k.inputs)
        for n in nodes:
            for a in g.args(n):
                if g.is_const(a) and g.const_value(a) is None and a not in ins:
                    ins.append(a)
                    self.consts[a] = g.attrs(a)["value"].array
        return ins

    def loads(self, ins: list, shape: tuple, coord: list, flat: str, idx: str) -> tuple:
        """Lines reading each input at the element (its coordinates `coord`,
        its linear index `flat` in `shape`), and the local names."""
        g = self.g
        lines, local = [], {}
        nd = len(shape)
        for j, a in enumerate(ins):
            sa = tuple(g.shape(a))
            sa = (1,) * (nd - len(sa)) + sa
            if _size(sa) == 1:
                index = "0"
            elif sa == tuple(shape):
                index = flat
            else:
                st = _strides(sa)
                terms = [f"({idx}){coord[d]} * {st[d]}" if st[d] != 1 else f"({idx}){coord[d]}"
                         for d in range(nd) if sa[d] != 1]
                index = " + ".join(terms)
            ct = compute_type(g.dtype(a))
            load = f"in{j}[{index}]"
            if g.dtype(a) == np.float16:
                load = f"__half2float({load})"
            lines.append(f"        const {ct} a{j} = {load};  // {self.ir[a]}")
            local[a] = f"a{j}"
        return lines, local

    def store(self, n: int, j: int, index: str, local: dict) -> str:
        g = self.g
        v = local[n]
        if g.dtype(n) == np.float16:
            v = f"__float2half_rn({v})"
        else:
            v = f"({storage_type(g.dtype(n))}){v}"
        return f"        out{j}[{index}] = {v};"

    @staticmethod
    def index_type(*sizes) -> str:
        return "int" if max(sizes, default=0) < (1 << 31) - (1 << 24) else "long long"

    def unravel(self, shape, var: str, names: list, idx: str) -> list:
        """Lines splitting linear index `var` over `shape` into `names`."""
        lines = []
        if not shape:
            return lines
        rest = f"r_{var}"
        lines.append(f"        {idx} {rest} = {var};")
        for d in range(len(shape) - 1, 0, -1):
            lines.append(f"        const {idx} {names[d]} = {rest} % {shape[d]}; "
                         f"{rest} /= {shape[d]};")
        lines.append(f"        const {idx} {names[0]} = {rest};")
        return lines

    def elementwise(self, k: Kernel) -> None:
        g = self.g
        shape = tuple(k.shape)
        size = _size(shape)
        nodes = list(k.nodes)
        ins = self.inputs_of(k, nodes)
        outs = list(k.outputs)
        name = f"{self.name}_k{len(self.kernels)}"
        decl, types = self.params(ins, outs)
        idx = self.index_type(size)
        nd = len(shape)
        coord = [f"c{d}" for d in range(nd)]
        needs_coord = any(_size(g.shape(a)) != 1 and
                          tuple((1,) * (nd - len(g.shape(a))) + tuple(g.shape(a))) != shape
                          for a in ins)
        body = [f"    for ({idx} i = ({idx})blockIdx.x * blockDim.x + threadIdx.x; i < {size}; "
                f"i += ({idx})blockDim.x * gridDim.x) {{"]
        if needs_coord:
            body += self.unravel(shape, "i", coord, idx)
        lines, local = self.loads(ins, shape, coord, "i", idx)
        body += lines
        body += [self.op_code(n, local) for n in nodes]
        body += [self.store(n, j, "i", local) for j, n in enumerate(outs)]
        body.append("    }")
        dt = g.dtype(nodes[-1])
        self.kernels.append(
            f"// {len(nodes)} ops fused over {dt.name}{list(shape)}\n"
            f"extern \"C\" __global__ void {name}({', '.join(decl)}) {{\n" +
            "\n".join(body) + "\n}\n")
        grid = max(1, min(-(-size // BLOCK), MAX_GRID))
        if size:
            self.steps.append(Launch(name, grid, BLOCK, ins + outs, types, outs, nodes))
        else:
            self.steps.append(Launch(name, 0, BLOCK, ins + outs, types, outs, nodes))

    def reduction(self, k: Kernel, nodes: list, r: int) -> None:
        """A kernel computing the group at each element it reduces.

        Three shapes of work: few elements per output (at most
        THREAD_REDUCE): a thread per output, combining in order; else a
        block per output, then a tree in shared memory; and where the
        outputs are too few to fill the GPU, SPLIT blocks per output write
        partial results that a second kernel combines."""
        g = self.g
        src = g.args(r)[0]
        shape = tuple(g.shape(src))
        axes = tuple(reduction_axes(g, r))
        kept = [d for d in range(len(shape)) if d not in axes]
        m = _size([shape[d] for d in kept])
        kk = _size([shape[d] for d in axes])
        ins = self.inputs_of(k, nodes) if nodes else [src]
        outs = [n for n in k.outputs if n != r]
        name = f"{self.name}_k{len(self.kernels)}"
        idx = self.index_type(_size(shape))
        combine = ops.get(g.op(r)).combine
        acc_t = compute_type(g.dtype(r))
        identity = literal(combine.identity, g.dtype(r))
        nd = len(shape)
        coord = [f"c{d}" for d in range(nd)]
        st = _strides(shape)
        if kk <= THREAD_REDUCE:
            mode, block, parts = "thread", BLOCK, 1
        else:
            block = REDUCE_BLOCK
            while block > 32 and block // 2 >= kk:
                block //= 2
            parts = 1
            if m < SPLIT_OUTPUTS:
                parts = max(1, min(-(-kk // (block * 8)), SPLIT_OUTPUTS // max(m, 1)))
            mode = "split" if parts > 1 else "block"
        chunk = -(-kk // parts)
        scratch = {}
        if mode == "split":
            part_id = f"{name}_partial"
            scratch[part_id] = ((m, parts), np.dtype(g.dtype(r)) if g.dtype(r) != np.float16
                                else np.dtype(np.float32))
            decl, types = self.params(ins, outs)
            decl.append(f"{acc_t}* __restrict__ partial")
            types.append(f"{acc_t}*")
        else:
            decl, types = self.params(ins, outs + [r])
        # the group at element (o, j): o indexes the outputs, j the reduced elements
        inner = self.unravel([shape[d] for d in axes], "j", [coord[d] for d in axes], idx)
        flat = " + ".join(f"({idx}){coord[d]} * {st[d]}" if st[d] != 1 else f"({idx}){coord[d]}"
                          for d in range(nd) if shape[d] != 1) or "0"
        inner.append(f"        const {idx} e = {flat};")
        lines, local = self.loads(ins, shape, coord, "e", idx)
        inner += lines
        inner += [self.op_code(n, local) for n in nodes]
        inner += [self.store(n, j, "e", local) for j, n in enumerate(outs)]
        operand = local[src]
        if compute_type(g.dtype(src)) != acc_t:
            operand = f"(({acc_t}){operand})"
        inner.append(f"        acc = {combine.cuda.format('acc', operand)};")
        inner = ["    " + s for s in inner]
        unravel_o = self.unravel([shape[d] for d in kept], "o", [coord[d] for d in kept], idx)
        eq = g.equation(r, self.ir)
        result = f"out{len(outs)}"
        if mode == "thread":
            body = [f"    for ({idx} o = ({idx})blockIdx.x * blockDim.x + threadIdx.x; o < {m}; "
                    f"o += ({idx})blockDim.x * gridDim.x) {{"]
            body += unravel_o
            body.append(f"        {acc_t} acc = {identity};")
            body.append(f"        for ({idx} j = 0; j < {kk}; ++j) {{")
            body += inner
            body.append("        }")
            store = f"({storage_type(g.dtype(r))})acc"
            if g.dtype(r) == np.float16:
                store = "__float2half_rn(acc)"
            body.append(f"        {result}[o] = {store};  // {eq}")
            body.append("    }")
            grid = max(1, min(-(-m // block), MAX_GRID)) if m else 0
        else:
            body = [f"    __shared__ {acc_t} sdata[{block}];"]
            if mode == "block":
                body.append(f"    for ({idx} o = blockIdx.x; o < {m}; o += gridDim.x) {{")
                lo, hi = "0", str(kk)
                target = f"{result} + o"
                grid = max(1, min(m, MAX_GRID)) if m else 0
            else:
                body.append(f"    for ({idx} b = blockIdx.x; b < {m * parts}; b += gridDim.x) {{")
                if unravel_o:                   # (o: the output, when there are several)
                    body.append(f"        const {idx} o = b / {parts};")
                body.append(f"        const {idx} part = b % {parts};")
                lo = f"part * {chunk}"
                hi = f"(part * {chunk} + {chunk} < {kk} ? part * {chunk} + {chunk} : {kk})"
                target = "partial + b"
                grid = max(1, min(m * parts, MAX_GRID)) if m else 0
            body += unravel_o
            body.append(f"        {acc_t} acc = {identity};")
            body.append(f"        const {idx} hi = {hi};")
            body.append(f"        for ({idx} j = {lo} + threadIdx.x; j < hi; j += blockDim.x) {{")
            body += inner
            body.append("        }")
            body.append(f"        ks_block_reduce_store<{name}_combine>(acc, sdata, {target});"
                        f"  // {eq}" + (" (partial)" if mode == "split" else ""))
            body.append("    }")
        comb = (f"struct {name}_combine {{\n    __device__ static __forceinline__ {acc_t} "
                f"f({acc_t} a, {acc_t} b) {{ return {combine.cuda.format('a', 'b')}; }}\n}};\n")
        dt = g.dtype(r)
        text = (f"// {len(nodes)} ops fused over {g.dtype(src).name}{list(shape)}, reduced over "
                f"axes {list(axes)} to {dt.name}{list(g.shape(r))} ({mode}"
                f"{f', {parts} parts per output' if mode == 'split' else ''})\n" + comb +
                f"extern \"C\" __global__ void {name}({', '.join(decl)}) {{\n" +
                "\n".join(body) + "\n}\n")
        if mode != "split":
            self.kernels.append(text)
            self.steps.append(Launch(name, grid, block, ins + outs + [r], types, outs + [r],
                                     nodes + [r]))
            return
        # the second pass: each output's partial results, combined in a block
        fin = f"{name}_finish"
        fblock = 32
        while fblock < REDUCE_BLOCK and fblock < parts:
            fblock *= 2
        rt = storage_type(dt)
        text += (f"extern \"C\" __global__ void {fin}(const {acc_t}* __restrict__ partial, "
                 f"{rt}* __restrict__ out0) {{\n"
                 f"    __shared__ {acc_t} sdata[{fblock}];\n"
                 f"    for ({idx} o = blockIdx.x; o < {m}; o += gridDim.x) {{\n"
                 f"        {acc_t} acc = {identity};\n"
                 f"        for ({idx} j = threadIdx.x; j < {parts}; j += blockDim.x)\n"
                 f"            acc = {combine.cuda.format('acc', f'partial[o * {parts} + j]')};\n"
                 f"        ks_block_reduce_store<{name}_combine>(acc, sdata, out0 + o);  // {eq}\n"
                 f"    }}\n}}\n")
        self.kernels.append(text)
        self.steps.append(Launch(name, grid, block, ins + outs + [part_id], types,
                                 outs + [part_id], nodes, scratch))
        self.steps.append(Launch(fin, max(1, min(m, MAX_GRID)), fblock, [part_id, r],
                                 [f"const {acc_t}*", f"{rt}*"], [r], [r], scratch))


def generate(g: Graph, name: str = "kusari") -> CudaProgram:
    """The CUDA module and host plan of `g` (call `optimize` first for good code).

    Raises CudaUnsupported naming an op without a CUDA form or a dtype
    without a CUDA type."""
    e = _Emitter(g, name)
    kernels = fuse(g)
    for k in kernels:
        e.kernel(k)
    plan = [f"//   {s.describe(e.ir)}" for s in e.steps] or ["//   (no steps)"]
    ins = ", ".join(f"{e.ir[n]}: {g.dtype(n).name}{list(g.shape(n))}" for n in g.inputs)
    outs = ", ".join("None" if o is None else e.ir[o] for o in g.outputs)
    head = [f"// kusari: {g.name} ({len(g)} nodes, {len(e.kernels)} CUDA kernels)",
            f"// inputs: {ins}", f"// outputs: {outs}", "// host plan:"] + plan
    kernels = "\n".join(e.kernels)
    source = "\n".join(head) + "\n\n" + prelude(kernels) + "\n" + kernels
    return CudaProgram(name, source, e.steps, e.consts, e.kernels)
