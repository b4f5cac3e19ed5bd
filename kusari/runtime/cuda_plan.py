"""Running a CUDA program's host plan (compiler.codegen.cuda_gen).

`run_plan` walks the plan's steps over arrays of one array module `xp`:
kernel launches go through `launch(step, arrays)` (CuPy's RawModule on the
GPU; the tests' host shim on the CPU). A library step runs the registry op's
NumPy form: on `xp`'s arrays where that form is known to run on CuPy arrays
through NumPy's dispatch protocols (`DEVICE_FORMS`: `np.matmul` on CuPy
arrays is `cupy.matmul`, cuBLAS), else on host copies of its operands, the
result copied back (`to_host`; correct, and slow: these ops need device
forms of their own). Inputs of a launch are made C-contiguous first: the
kernels index them with contiguous strides.
"""
from __future__ import annotations

import warnings

from ..compiler import ops
from ..compiler.ops.registry import ELEMENTWISE
from ..compiler.codegen.cuda_gen import CudaProgram, Launch
from ..compiler.ir import Graph

# library ops whose NumPy forms (ops.numpy_kernels) only call NumPy functions,
# ufuncs and array methods on their operands, all of which CuPy implements
# (__array_function__, __array_ufunc__): they run on the device as they are.
# The others make NumPy arrays of their own (np.zeros, np.arange ...) or
# loop in Python, and run on the host.
# Elementwise ops' forms are ufuncs and arithmetic, but for HOST_FORMS: the
# special functions, computed by NumPy code of their own (series, tables),
# which on the GPU run as their CUDA forms instead (eager: `CupyBackend.eager`).
# tests/cuda/test_device_eager.py runs every elementwise op's form on a strict
# stand-in for CuPy and checks both lists against it.
HOST_FORMS = frozenset({
    "digamma", "erf", "erfc", "erfcinv", "erfcx", "erfinv", "lgamma", "log_ndtr",
    "ndtr", "ndtri", "polygamma", "zeta"})
DEVICE_FORMS = frozenset({
    "matmul", "linear", "reshape", "transpose", "broadcast_to", "concat", "getitem",
    "sum", "mean", "max", "min", "prod", "argmax", "argmin", "sum_to",
    "softmax", "log_softmax", "cumprod"} | {
    n for n, o in ops.REGISTRY.items() if o.kind == ELEMENTWISE and n not in HOST_FORMS})


KEEP_CONST = 1 << 16     # elements: a larger constant a run fills is made again each run


class PerformanceWarning(UserWarning):
    """An op with no form that runs on the GPU ran on the host: its operands
    were copied there and its result back (correct, and slow)."""


_warned: set = set()        # op names warned about (a name at most once)


def ran_on_host(op_name: str) -> None:
    """Warn, once per op, that `op_name` ran on host copies of device arrays."""
    if op_name not in _warned:
        _warned.add(op_name)
        warnings.warn(f"{op_name} has no form that runs on the GPU: it runs on the host, "
                      "its operands copied there and its result back (correct, but slow)",
                      PerformanceWarning, stacklevel=4)


def run_plan(program: CudaProgram, graph: Graph, arrays, xp, launch,
             to_host=None, consts: dict | None = None) -> tuple:
    """The graph's outputs computed by `program` on `arrays` (one per input).

    `to_host(array) -> numpy array` is given where `xp` is not NumPy (for
    CuPy, `cupy.asnumpy`). `consts` keeps the constants made on `xp`'s
    device from one run to the next (on a GPU each is a copy from the host):
    one dict per device. Nothing writes into them, and an output that is a
    constant is a copy."""
    if consts is None:
        consts = {}
    if not consts:
        for n, c in program.consts.items():
            consts[n] = xp.asarray(c)
    env: dict = dict(consts)
    for n, a in zip(graph.inputs, arrays):
        env[n] = a

    def value(a):
        v = env.get(a)
        if v is None:                      # a constant
            c = graph.const_value(a)
            v = env[a] = xp.ascontiguousarray(
                xp.asarray(graph.attrs(a)["value"].array) if c is None else
                xp.full(graph.shape(a), c, graph.dtype(a)))
            if v.size <= KEEP_CONST:
                consts[a] = v
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
            args = [value(a) for a in step.args]
            if to_host is not None and step.op not in DEVICE_FORMS:
                ran_on_host(step.op)
                args = [to_host(a) for a in args]
            env[step.node] = xp.asarray(opdef.impl(*args, **step.attrs))
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


__all__ = ["DEVICE_FORMS", "HOST_FORMS", "PerformanceWarning", "run_plan"]
