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

CuPy is imported only when the backend is made (`cupy_backend()`); without
it that raises a clear error naming what to install. This module has not
been run on a GPU yet (the sessions that wrote it had none): its kernels and
plan are tested on the CPU (tests/cuda), and the backend itself with a
stand-in for the cupy module made of NumPy and the host shim
(tests/cuda/test_cupy_backend.py); CuPy's own behaviour is not.
"""
from __future__ import annotations

from ..compiler.codegen import cuda_gen
from ..compiler.ir import Graph
from .cuda_plan import run_plan

COMPILE_OPTIONS = ("--std=c++14", "--fmad=false")


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

    def fn(self, *arrays):
        cupy = self.backend.cupy
        kernels = self.backend.kernels(self.program.source)

        def launch(step, args):
            kernels[step.kernel]((step.grid,), (step.block,), tuple(args))
        return run_plan(self.program, self.graph, [cupy.asarray(a) for a in arrays],
                        cupy, launch, to_host=cupy.asnumpy)

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

    def kernels(self, source: str) -> dict:
        """The kernels of module `source` on the current device, by name
        (compiled, or found in CuPy's disk cache, on first use)."""
        device = self.cupy.cuda.runtime.getDevice()
        key = (source, device)
        found = self._modules.get(key)
        if found is None:
            module = self.cupy.RawModule(code=source, options=COMPILE_OPTIONS)
            found = self._modules[key] = _Kernels(module)
        return found

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
