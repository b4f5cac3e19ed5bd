"""C code generation for fused CPU kernels: one loop, every op in registers.

A blocked NumPy kernel makes one pass over memory per op (into cache-sized
scratch buffers); the same group as C makes one pass in all. Only groups of
ops whose C forms give NumPy's results bit for bit qualify: the registry's
`native` ops (IEEE's correctly rounded +, -, *, /, sqrt and negation) on
float32 or float64, with every operand of its op's dtype, over the kernel's
full shape or a scalar, and no closing reduction. Their C forms are the
registry's CUDA forms, compiled without contraction (no fused multiply-add)
and without fast-math, so each op rounds once as NumPy's ufunc does.

NumPy reports floating-point errors per ufunc call (np.errstate); a fused
loop cannot say which op raised a flag. So the loop runs in tiles: a tile's
outputs that overwrite an input (donated buffers) are kept aside until the
tile is checked, and a tile that raised a flag the caller does not ignore
stops the loop before anything of it is written, returning where it
starts. The runtime runs the NumPy block function from there, which raises
or warns exactly as NumPy does; the tiles before it raised nothing.

The generated function:

    ptrdiff_t ks_kernel(ptrdiff_t lo, ptrdiff_t hi, char **ins, char **outs,
                        int stop)

computes elements [lo, hi) of the flattened kernel; `stop` holds the
flags to stop on in NumPy's bits (1 divide, 2 over, 4 under, 8 invalid). It returns -1 when done, else the first element
not computed. A scalar input is read once through its pointer.
"""
from __future__ import annotations

import math

import numpy as np

from .. import ops
from ..fusion import Kernel
from ..ir import ArrayConst, Graph

TILE = 1024
SYMBOL = "ks_kernel"
_CTYPE = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}


def _literal(value, dtype: np.dtype) -> str:
    """An exact C literal of `value` in `dtype`."""
    v = float(np.asarray(value, dtype))
    ctype = _CTYPE[dtype]
    if math.isnan(v):
        return f"(({ctype})NAN)"
    if math.isinf(v):
        return f"(({ctype})INFINITY)" if v > 0 else f"(-({ctype})INFINITY)"
    return f"(({ctype}){v.hex()})"


def qualifies(g: Graph, k: Kernel) -> bool:
    """Whether kernel `k` can run as one C loop (see the module docstring)."""
    if k.kind != "elementwise" or k.reduction is not None or not k.shape:
        return False
    dtype = g.dtype(k.nodes[-1])
    if dtype not in _CTYPE:
        return False
    nodes = set(k.nodes)
    for n in k.nodes:
        if not ops.get(g.op(n)).native or g.dtype(n) != dtype:
            return False
        for a in g.args(n):
            if a in nodes:
                continue
            if g.dtype(a) != dtype or g.shape(a) not in ((), tuple(k.shape)):
                return False
    return True


def c_kernel(g: Graph, k: Kernel, ins: list, outs: list, in_place: set) -> str | None:
    """The C source of kernel `k` (see the module docstring), its inputs
    `ins` and outputs `outs` in the block function's order, `in_place` the
    outputs written over an input's buffer; None where the group does not
    qualify."""
    if not qualifies(g, k):
        return None
    dtype = g.dtype(k.nodes[-1])
    ctype = _CTYPE[dtype]
    # (qualifies() has checked every dtype and shape: the inputs are scalars
    # or of the full shape, and the other operands scalar constants)
    expr: dict[int, str] = {}
    lines_pre, lines_in = [], []
    for j, a in enumerate(ins):
        if g.shape(a) == ():
            lines_pre.append(f"    const {ctype} x{j} = *(const {ctype} *)ins[{j}];")
        else:
            lines_pre.append(f"    const {ctype} *p{j} = (const {ctype} *)ins[{j}];")
            lines_in.append(f"            const {ctype} x{j} = p{j}[i];")
        expr[a] = f"x{j}"
    body = []
    for n in k.nodes:
        args = []
        for a in g.args(n):
            if a not in expr:
                value = g.node(a)["attrs"]["value"]
                expr[a] = _literal(value.array if isinstance(value, ArrayConst) else value,
                                   dtype)
            args.append(expr[a])
        body.append(f"            const {ctype} v{n} = "
                    f"{ops.get(g.op(n)).cuda.format(*args)};")
        expr[n] = f"v{n}"
    stores, flush, keep = [], [], []
    for j, n in enumerate(outs):
        if n in in_place:
            keep.append(f"        {ctype} b{j}[KS_TILE];")
            stores.append(f"            b{j}[i - s] = {expr[n]};")
            flush.append(f"        memcpy(q{j} + s, b{j}, (size_t)(e - s) * sizeof({ctype}));")
        else:
            stores.append(f"            q{j}[i] = {expr[n]};")
        # an output in its own buffer aliases nothing the loop reads
        qualifier = "" if n in in_place else "restrict "
        lines_pre.append(f"    {ctype} *{qualifier}q{j} = ({ctype} *)outs[{j}];")
    return "\n".join([
        "#include <fenv.h>",
        "#include <tgmath.h>",          # sqrt of a float is sqrtf
        "#include <stddef.h>",
        "#include <string.h>",
        f"#define KS_TILE {TILE}",
        f"// kernel {k.id}: {len(k.nodes)} ops fused over {dtype.name}{list(k.shape)}",
        f"ptrdiff_t {SYMBOL}(ptrdiff_t lo, ptrdiff_t hi, char **ins, char **outs, int stop)",
        "{",
        *lines_pre,
        "    const int flags = (stop & 1 ? FE_DIVBYZERO : 0) | (stop & 2 ? FE_OVERFLOW : 0) |",
        "                      (stop & 4 ? FE_UNDERFLOW : 0) | (stop & 8 ? FE_INVALID : 0);",
        "    feclearexcept(FE_ALL_EXCEPT);",
        "    for (ptrdiff_t s = lo; s < hi; s += KS_TILE) {",
        "        const ptrdiff_t e = hi - s < KS_TILE ? hi : s + KS_TILE;",
        *keep,
        "        for (ptrdiff_t i = s; i < e; ++i) {",
        *lines_in,
        *body,
        *stores,
        "        }",
        "        if (flags && fetestexcept(flags))",
        "            return s;",
        *flush,
        "    }",
        "    return -1;",
        "}",
        "",
    ])
