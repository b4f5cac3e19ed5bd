"""Executes compiled graphs: the backends, code loading, blocked kernels.

`NUMPY` is the NumPy backend: it turns optimized graphs into Executables
(generated Python over NumPy, blocked and threaded where large). Code reaches it only through the
compile spine, `kusari.compiler.compile(graph, NUMPY, options)`. Eager ops
run the registry's NumPy forms directly (`function_node.apply`); a backend of
other arrays (CuPy) adds its own eager kernels.
"""
from __future__ import annotations

from ..compiler.ir import Graph
from .executable import Executable, load


class NumpyBackend:
    """The CPU backend (see the module docstring)."""

    name = "numpy"

    def generate(self, graph: Graph, options) -> Executable:
        return load(graph, copy_outputs=options.copy_outputs, donate=options.donate)

    def __reduce__(self):
        return "NUMPY"          # pickled by name: the one instance

    def __repr__(self):
        return "<kusari backend numpy>"


NUMPY = NumpyBackend()


__all__ = ["Executable", "NUMPY", "NumpyBackend"]
