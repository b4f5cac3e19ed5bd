"""The CuPy backend: compiled graphs as CUDA kernels on the GPU.

`CupyBackend.generate(graph, options)` (called by the compile spine, which
caches by structural key, backend and options) generates the graph's CUDA
module and host plan (`compiler.codegen.cuda_gen`), loads the module with
`cupy.RawModule` (CuPy keeps compiled modules in its own on-disk cache,
keyed by the source and options: kusari does not keep another) and returns
an Executable whose function runs the plan (`cuda_plan.run_plan`) on CuPy
arrays of the current device. Loaded modules are kept per (source, device):
one Executable runs on whichever device is current when it is called.

Kernels are compiled with `--fmad=false`: a multiply and an add stay two
roundings, as in NumPy, so the GPU computes what the CPU computes.

Eager ops on CuPy arrays (`function_node.apply`) run `eager`: the op's NumPy
form where it dispatches to CuPy (`cuda_plan.DEVICE_FORMS`), else its CUDA
form as a kernel of one op, else the NumPy form on host copies. The first
backward() through a structure interprets each op's gradient graph with the
same kernels (`interpret`); a structure seen again, and optimizer updates,
are compiled here. Operands on two devices, or a NumPy array among CuPy
arrays, are an error naming the op and both devices.

CuPy is imported only when the backend is made (`cupy_backend()`); without
it that raises a clear error naming what to install. This module has not
been run on a GPU yet (the sessions that wrote it had none): its kernels and
plan are tested on the CPU (tests/cuda), the backend and the eager device
path with a strict stand-in for CuPy made of NumPy and the host shim
(tests/cuda/fake_cupy.py: no implicit trips to the host, no NumPy operands,
arrays of two devices); CuPy's own behaviour on a GPU is not.
"""
from __future__ import annotations

import numpy as np

from ..compiler.codegen import cuda_gen
from ..compiler.errors import InvalidType, invalid_in
from ..compiler.ir import Graph
from .cuda_plan import DEVICE_FORMS, ran_on_host, run_plan

COMPILE_OPTIONS = ("--std=c++14", "--fmad=false")
MAX_MODULES = 2048          # loaded modules kept (as many as the spine keeps Executables)


def _on_device(a) -> bool:
    """Whether `a` is a CuPy array (backends.cuda.is_cupy_array: the runtime
    imports nothing above the compiler)."""
    return type(a).__module__.split(".")[0] == "cupy"


class CupyUnavailable(ImportError):
    """CuPy (or a GPU) is missing: the message says what to install."""


def _cupy():
    try:
        import cupy
    except ImportError as e:
        raise CupyUnavailable(
            "the CuPy backend needs CuPy and an NVIDIA GPU: pip install kusari[cuda] "
            f"(or the cupy-cudaXXx wheel for your CUDA version); importing cupy failed: {e}"
        ) from None
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:    # noqa: BLE001 (CUDA driver errors have several types)
        raise CupyUnavailable(f"CuPy is installed but no GPU can be used: {e}") from None
    if n == 0:
        raise CupyUnavailable("CuPy is installed but this machine has no GPU")
    return cupy


class CupyExecutable:
    """A compiled graph on the GPU: call it with one CuPy array per input."""

    def __init__(self, backend, graph: Graph, program: cuda_gen.CudaProgram):
        self.backend = backend
        self.graph = graph
        self.program = program
        self.source = program.source
        self.nbytes = 4 * len(program.source) + 200 * len(graph) + \
            sum(c.nbytes for c in program.consts.values())
        self.in_types = [(graph.shape(i), graph.dtype(i)) for i in graph.inputs]
        self._consts: dict = {}         # device id -> its constants (run_plan)

    def fn(self, *arrays):
        """The outputs, computed on the device of the first CuPy array among
        `arrays` (else the current one); host arrays are sent there."""
        on = next((a.device for a in arrays if _on_device(a)), None)
        if on is not None and on.id != self.backend.cupy.cuda.runtime.getDevice():
            with on:
                return self.fn(*arrays)
        cupy = self.backend.cupy
        device, kernels = self.backend.kernels(self.program.source)

        def launch(step, args):
            kernels[step.kernel]((step.grid,), (step.block,), tuple(args))
        consts = self._consts.get(device)
        if consts is None:
            consts = self._consts[device] = {}
        return run_plan(self.program, self.graph, [cupy.asarray(a) for a in arrays],
                        cupy, launch, to_host=cupy.asnumpy, consts=consts)

    def __call__(self, *arrays):
        if len(arrays) != len(self.in_types):
            raise TypeError(f"{self.graph.name} takes {len(self.in_types)} arrays, "
                            f"got {len(arrays)}")
        out = self.fn(*arrays)
        return out[0] if len(out) == 1 else out

    def __repr__(self):
        return f"<kusari CupyExecutable {self.graph.name!r}>"


class _Kernels(dict):
    """A module's kernel functions by name, looked up once each."""

    def __init__(self, module):
        super().__init__()
        self.module = module

    def __missing__(self, name):
        fn = self[name] = self.module.get_function(name)
        return fn


class CupyBackend:
    """The GPU backend (see the module docstring)."""

    name = "cupy"

    def __init__(self, cupy=None):
        self.cupy = cupy if cupy is not None else _cupy()   # (tests pass a stand-in)
        self._modules: dict = {}        # (source, device id) -> its kernels
        self._single: dict = {}         # eager kernels of one op, by signature

    def kernels(self, source: str) -> tuple:
        """(the current device's id, the kernels of module `source` on it by
        name: compiled, or found in CuPy's disk cache, on first use)."""
        device = self.cupy.cuda.runtime.getDevice()
        key = (source, device)
        found = self._modules.get(key)
        if found is None:
            module = self.cupy.RawModule(code=source, options=COMPILE_OPTIONS)
            found = self._modules[key] = _Kernels(module)
            if len(self._modules) > MAX_MODULES:     # (CuPy's disk cache has it still)
                self._modules.pop(next(iter(self._modules)))
        return device, found

    # -- eager kernels: one op on CuPy arrays ---------------------------------

    def device_of(self, op, arrays):
        """The cupy.cuda.Device of `op`'s operands; an operand on another
        device, or a NumPy array among them, is an error naming the op and
        both devices."""
        device = None
        for a in arrays:
            if _on_device(a):
                if device is None:
                    device = a.device
                elif a.device != device:
                    raise invalid_in(op.label, InvalidType(
                        f"operands on one device (@cupy:{device.id})",
                        f"an operand on @cupy:{a.device.id}"))
            elif getattr(a, "ndim", 0) and hasattr(a, "shape"):     # a host array
                raise invalid_in(op.label, InvalidType(
                    "operands on one device (@cupy:"
                    f"{device.id if device is not None else self._first(arrays)})",
                    f"a {type(a).__module__.split('.')[0]}.ndarray on @numpy; send it "
                    "with to_device or cuda.to_gpu first"))
        return device

    @staticmethod
    def _first(arrays):
        return next((a.device.id for a in arrays if _on_device(a)), "?")

    def eager(self, op, arrays, kw: dict):
        """`op` applied to `arrays` (CuPy arrays of one device, and scalars),
        on that device: its NumPy form where that dispatches to CuPy
        (`DEVICE_FORMS`), else its CUDA form as a kernel of its own (compiled
        once per signature, through the spine), else the NumPy form on host
        copies, the result sent back."""
        device = self.device_of(op, arrays)
        with device if device is not None else self.cupy.cuda.Device():
            # (a 0-d host array, as eager ops take a number, goes with the call)
            arrays = [self.cupy.asarray(a) if type(a) is np.ndarray else a for a in arrays]
            if op.name in DEVICE_FORMS:
                out = op.impl(*arrays, **kw)
            elif op.name == "call":       # a whole graph: compiled for the device
                out = kw["graph"].on(self).run(arrays)[kw["output"]]
            elif op.cuda is not None and op.kind == "elementwise":
                out = self._single_op(op, arrays, kw)(*[
                    a if _on_device(a) else self.cupy.asarray(a) for a in arrays])[0]
            else:
                ran_on_host(op.name)
                host = [self.cupy.asnumpy(a) if _on_device(a) else a for a in arrays]
                out = op.impl(*host, **kw)
                out = tuple(self.cupy.asarray(o) for o in out) if isinstance(out, tuple) \
                    else self.cupy.asarray(out)
        return out

    def interpret(self, graph: Graph, inputs) -> list:
        """`graph`'s outputs computed op by op with the eager kernels (an
        op's gradient, the first time a structure is seen: nothing to
        compile but what `eager` compiles once per op signature)."""
        from ..compiler import ops
        from ..compiler.ir import ArrayConst
        cupy = self.cupy

        def on_const(d):
            v = d["attrs"]["value"]
            return cupy.asarray(v.array) if isinstance(v, ArrayConst) else \
                cupy.full(d["shape"], v, d["dtype"])

        def on_op(d, args):
            return self.eager(ops.get(d["op"]), args, d["attrs"])
        device = next((a.device for a in inputs if _on_device(a)), None)
        with device if device is not None else self.cupy.cuda.Device():
            return list(graph.interpret(inputs, on_const, on_op))

    def _single_op(self, op, arrays, kw):
        from ..compiler import spine
        key = (op.name, tuple(sorted(kw.items())),
               tuple((a.shape, a.dtype.str) for a in arrays))
        exe = self._single.get(key)
        if exe is None:
            from ..compiler.ir import op_graph
            exe = self._single[key] = spine.compile(op_graph(op.name, arrays, kw), self,
                                                    spine.Options(), purpose=None).fn
            if len(self._single) > 1024:
                self._single.pop(next(iter(self._single)))
        return exe

    def generate(self, graph: Graph, options) -> CupyExecutable:
        program = cuda_gen.generate(graph)
        exe = CupyExecutable(self, graph, program)
        self.kernels(program.source)           # compile now, on the current device
        return exe

    def __repr__(self):
        return "<kusari backend cupy>"


_backend: list = []


def cupy_backend() -> CupyBackend:
    """The CuPy backend (made once), or CupyUnavailable saying what to install."""
    if not _backend:
        _backend.append(CupyBackend())
    return _backend[0]


def cuda_source(graph: Graph) -> str:
    """The CUDA source the backend compiles for an optimized `graph`."""
    return cuda_gen.generate(graph).source
