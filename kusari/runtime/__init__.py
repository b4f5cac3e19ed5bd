"""Executes compiled graphs: the backends, code loading, blocked kernels.

`NUMPY` is the NumPy backend: its eager kernels are the registry's NumPy
forms, and it turns optimized graphs into Executables (generated Python over
NumPy, blocked and threaded where large). Code reaches it only through the
compile spine, `kusari.compiler.compile(graph, NUMPY, options)`.
"""
from __future__ import annotations

from ..compiler.ir import Graph
from .executable import Executable, load


class NumpyBackend:
    """The CPU backend (see the module docstring)."""

    name = "numpy"

    def generate(self, graph: Graph, options) -> Executable:
        return load(graph, copy_outputs=options.copy_outputs)

    @staticmethod
    def eager(opdef):
        """The kernel that runs `opdef` at once on NumPy arrays."""
        return opdef.impl

    def __reduce__(self):
        return "NUMPY"          # pickled by name: the one instance

    def __repr__(self):
        return "<kusari backend numpy>"


NUMPY = NumpyBackend()


__all__ = ["Executable", "NUMPY", "NumpyBackend"]
