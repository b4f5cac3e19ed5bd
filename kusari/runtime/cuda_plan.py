"""Running a CUDA program's host plan (compiler.codegen.cuda_gen).

`run_plan` walks the plan's steps over arrays of one array module `xp`:
kernel launches go through `launch(step, arrays)` (CuPy's RawModule on the
GPU; the tests' host shim on the CPU), library steps run the registry op's
array form on `xp`'s arrays (on CuPy through NumPy's dispatch protocol:
`np.matmul` on CuPy arrays is `cupy.matmul`, cuBLAS). Inputs of a launch are
made C-contiguous first: the kernels index them with contiguous strides.
"""
from __future__ import annotations

from ..compiler import ops
from ..compiler.codegen.cuda_gen import CudaProgram, Launch
from ..compiler.ir import Graph

def run_plan(program: CudaProgram, graph: Graph, arrays, xp, launch) -> tuple:
    """The graph's outputs computed by `program` on `arrays` (one per input)."""
    env: dict = {}
    for n, a in zip(graph.inputs, arrays):
        env[n] = a
    for n, c in program.consts.items():
        env[n] = xp.asarray(c)

    def value(a):
        v = env.get(a)
        if v is None:                      # a constant
            c = graph.const_value(a)
            v = env[a] = xp.asarray(graph.attrs(a)["value"].array) if c is None else \
                xp.full(graph.shape(a), c, graph.dtype(a))
        return v

    for step in program.steps:
        if isinstance(step, Launch):
            outs = set(step.outputs)
            for o in step.outputs:
                if o in step.scratch:            # partial results, read by a later step
                    shape, dtype = step.scratch[o]
                    env[o] = xp.empty(shape, dtype)
                else:
                    env[o] = xp.empty(graph.shape(o), graph.dtype(o))
            args = [env[a] if a in outs else xp.ascontiguousarray(value(a))
                    for a in step.args]
            if step.grid:
                launch(step, args)
        else:
            opdef = ops.get(step.op)
            out = opdef.impl(*[value(a) for a in step.args], **step.attrs)
            env[step.node] = xp.asarray(out)
    results = []
    for o in graph.outputs:
        if o is None:
            results.append(None)
            continue
        v = value(o)
        if _aliases(graph, o):
            v = xp.array(v)               # never hand out an input or a view of one
        results.append(v)
    return tuple(results)

def _aliases(g: Graph, n: int) -> bool:
    while True:
        op = g.op(n)
        if op in ("input", "const"):
            return True
        if not ops.get(op).view and op != "broadcast_to":
            return False
        n = g.args(n)[0]

__all__ = ["run_plan"]
