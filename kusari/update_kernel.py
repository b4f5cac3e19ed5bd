"""Compiled in-place updates: how optimizers and their hooks run eagerly.

An update rule (or hook) writes its math once, with kusari.functions on
Variables. Inside `kusari.jit` that math is traced into the jitted step.
Outside, it is traced once per signature by `run` here, compiled through
the spine into one fused NumPy kernel, and called on the arrays: the
parameter and state arrays are donated, so the kernel writes them in place,
as a hand-written NumPy update would, with fewer temporaries.

Numbers (hyperparameters, step counts) are inputs of the kernel: 0-d
float64 arrays, weakly typed (they take the dtype of the array they meet,
as a Python number does), so changing a learning rate never compiles again.
What the math branches on (a flag such as `amsgrad`, whether a rate is
zero) is part of the signature.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy

from .backends import cuda
from .compiler import spine
from .compiler.passes import dce
from .configuration import state

MAX_KERNELS = 1024
_F64 = numpy.float64
_kernels: OrderedDict = OrderedDict()
_sightings: OrderedDict = OrderedDict()     # signatures run op by op so far


class _TraceTruth:
    """Stands in for a trace context where the math tests a number for
    truth (`if hp.weight_decay_rate:`): the truth is in the signature, so
    nothing needs guarding."""

    @property
    def guards(self) -> list:
        return []


_TRUTH = _TraceTruth()


def number_truth(read):
    """The `_truth` a weak traced number carries while a kernel is traced."""
    return (_TRUTH, "a hyperparameter", read)


def run(key, fn, arrays: list, numbers: list, donate: tuple, name: str = "update"):
    """fn(*array_vars, *numbers) -> list of output Variables, compiled for
    arrays like `arrays` (cached under `key` and their shapes and dtypes)
    and run on `arrays` and `numbers` (floats, weak 0-d float64 inputs of
    the kernel). `donate`: (output, array input) pairs the kernel may write
    in place. Returns the outputs (a donated one is the input array when it
    was written in place).

    Tiered as backward() is: a signature seen fewer than
    config.compile_threshold times runs `fn` op by op on the arrays (the
    numbers as Python floats, which NumPy types as the weak inputs are), so
    an update made once compiles nothing."""
    full_key = _full_key(key, arrays, numbers, donate)
    exe = _kernels.get(full_key)
    if exe is None:
        seen = _sightings.get(full_key, 0) + 1
        if seen < state.compile_threshold:
            _sightings[full_key] = seen
            if len(_sightings) > MAX_KERNELS:
                _sightings.popitem(last=False)
            return _run_eagerly(fn, arrays, numbers)
        _sightings.pop(full_key, None)
        exe = _compile(fn, arrays, numbers, donate, name, full_key[-1])
        _kernels[full_key] = exe
        if len(_kernels) > MAX_KERNELS:
            _kernels.popitem(last=False)
    return exe.fn(*arrays, *[_F64(x) for x in numbers])


def compiled(key, arrays: list, numbers: list, donate: tuple):
    """The kernel `run` uses for these arguments, if it has compiled one."""
    return _kernels.get(_full_key(key, arrays, numbers, donate))


def _full_key(key, arrays, numbers, donate) -> tuple:
    """The kernel's cache key: the rule's, the arrays' types, and whether they
    are CuPy arrays (then the kernel is the CuPy backend's)."""
    device = bool(arrays) and cuda.is_cupy_array(arrays[0])
    return (key, tuple((a.shape, a.dtype) for a in arrays), len(numbers), donate, device)


def _run_eagerly(fn, arrays, numbers) -> list:
    from .configuration import using_config
    from .variable import Variable
    with using_config("enable_backprop", False):
        outs = fn(*[Variable(a, requires_grad=False) for a in arrays], *numbers)
    return [o.array if isinstance(o, Variable) else o for o in outs]


def _compile(fn, arrays, numbers, donate, name, device=False):
    from .runtime import NUMPY
    from .tracing import trace_to_graph
    if device:            # the trace reads only the arrays' shapes and dtypes
        from .runtime.cupy_backend import cupy_backend
        arrays = [numpy.zeros(a.shape, a.dtype) for a in arrays]
        backend = cupy_backend()
    else:
        backend = NUMPY
    n = len(arrays)
    examples = list(arrays) + [numpy.array(x, numpy.float64) for x in numbers]
    g, _, _, _, _ = trace_to_graph(
        lambda *vs: fn(*vs), examples, name=name, capture="const",
        requires_grad=[False] * len(examples), weak=range(n, n + len(numbers)))
    dce(g)
    return spine.compile(g, backend, spine.Options(donate=donate), purpose=None)


def write_back(out, target) -> None:
    """Make `target` hold `out` (a kernel output meant to replace it in place)."""
    if out is not target:
        numpy.copyto(target, out, casting="unsafe")


def clear() -> None:
    _kernels.clear()
    _sightings.clear()
