"""kusari.load and kusari.loads: a program as a Python module of functions.

    m = kusari.load("examples/quickstart.ksr")
    m.d2cube(np.array([[0, 2, 3], [4, 5, 6]], np.float32))     # 6x

Each definition is a callable that takes NumPy arrays (or Variables, which
then take part in backward()) and is compiled per argument shapes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..jit import Jitted
from ..variable import Variable
from . import types as T
from .checker import check
from .errors import Diagnostic, KsrError, Located
from .lower import Lowering
from .parser import parse


class KsrFunction:
    """One definition of a program, callable on arrays or Variables."""

    def __init__(self, module: "KsrModule", name: str):
        self.module = module
        self.name = name
        self.signature = module.signatures[name]
        self.__doc__ = f"{self.signature.describe()} -> {self.signature.result}"
        self._jit = Jitted(self._trace, name=name, differentiable_args=True)

    @property
    def params(self) -> list:
        return self.signature.params

    def _trace(self, *args):
        return self.module.lowering.call(self.name, list(args))

    def arguments(self, args, kwargs) -> list:
        """Positional and keyword arguments, in parameter order, as arrays of the
        declared dtypes (Python numbers and lists are converted; arrays must
        already have the declared dtype)."""
        names = [n for n, _ in self.params]
        if len(args) > len(names):
            raise TypeError(f"{self.name}() takes {len(names)} arguments "
                            f"({', '.join(names)}), got {len(args)}")
        bound = dict(zip(names, args))
        for k, v in kwargs.items():
            if k not in names:
                raise TypeError(f"{self.name}() has no parameter {k!r}")
            bound[k] = v
        out = []
        for name, spec in self.params:
            if name not in bound:
                raise TypeError(f"{self.name}() needs argument {name!r} ({spec})")
            v = bound[name]
            if not isinstance(v, (Variable, np.ndarray)):
                v = np.asarray(v, dtype=T.DTYPES[spec.dtype])
            out.append(v)
        return out

    def __call__(self, *args, **kwargs):
        arrays = self.arguments(args, kwargs)
        try:
            return self._jit(*arrays)
        except Located as e:
            raise KsrError([Diagnostic(e.pos, e.message)], self.module.filename,
                           self.module.source) from None

    def graph(self, *args):
        """The traced graph for arguments shaped like `args` (before optimizing)."""
        self(*args)
        return self._jit.entry(tuple(self.arguments(args, {}))).graph

    def __repr__(self):
        return f"<kusari function {self.signature.describe()} -> {self.signature.result}>"


class KsrModule:
    """A checked program: its definitions are attributes (KsrFunction)."""

    def __init__(self, source: str, filename: str = "<string>"):
        self.source = source
        self.filename = filename
        self.ast = parse(source, filename)
        self.signatures = check(self.ast)
        self.lowering = Lowering(self.ast, self.signatures)
        self.functions = {name: KsrFunction(self, name) for name in self.signatures}

    def __getattr__(self, name):
        functions = self.__dict__.get("functions", {})
        if name in functions:
            return functions[name]
        from .errors import did_you_mean
        raise AttributeError(f"{self.filename} defines no `{name}`"
                             f"{did_you_mean(name, functions)}")

    def __dir__(self):
        return list(self.functions) + ["functions", "signatures", "source", "filename"]

    def __repr__(self):
        return f"<kusari module {self.filename}: {', '.join(self.functions)}>"


def loads(text: str, filename: str = "<string>") -> KsrModule:
    """The program in `text`, parsed and checked (KsrError on mistakes)."""
    return KsrModule(text, filename)


def load(path) -> KsrModule:
    """The program in the file at `path`."""
    path = Path(path)
    return KsrModule(path.read_text(), str(path))
