"""kusari.load and kusari.loads: a program as a Python module of functions.

    m = kusari.load("examples/quickstart.ksr")
    m.d2cube(np.array([[0, 2, 3], [4, 5, 6]], np.float32))     # 6x

Each definition is a callable that takes NumPy arrays (or Variables, which
then take part in backward()) and is compiled per argument shapes.
"""
from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import numpy as np

from ..jit import Jitted
from ..variable import Variable
from .ast import Pos
from .checker import check
from .errors import Diagnostic, KsrError, Located
from .lower import Lowering
from .parser import parse
from .values import BadValue, convert


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
        declared dtypes (Python numbers and lists are converted when they fit
        exactly, else refused; arrays must already have the declared dtype)."""
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
            if not _is_array(v):
                try:
                    v = convert(v, spec.dtype)
                except BadValue as e:
                    raise BadValue(f"argument `{name}` of `{self.name}` is {spec}: {e}") \
                        from None
            out.append(v)
        return out

    def __call__(self, *args, **kwargs):
        arrays = self.arguments(args, kwargs)
        if np.geterr() != _NUMPY_DEFAULT:         # the caller chose: NumPy does as told
            return self._run(arrays)
        problems = []                            # NumPy would warn from kusari's kernels;
        with np.errstate(call=lambda kind, flag: problems.append(kind),
                         divide="call", over="call", invalid="call"):
            result = self._run(arrays)
        if problems:                             # warn from the caller's line instead
            pos = self.signature.node.pos
            for kind in dict.fromkeys(problems):
                warnings.warn(f"{self.module.filename}:{pos.line}:{pos.column}: in "
                              f"`{self.name}`: {kind} encountered", RuntimeWarning,
                              stacklevel=_caller_level())
        return result

    def _run(self, arrays: list):
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


_NUMPY_DEFAULT = {"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"}
_PACKAGE = str(Path(__file__).resolve().parents[1]) + os.sep


def _caller_level() -> int:
    """warnings.warn's stacklevel for the first caller outside kusari, so that a
    warning points at the user's code, never into kusari's own files."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


def _is_array(v) -> bool:
    """A Variable or an array (NumPy's, or CuPy's): passed on as it is."""
    return isinstance(v, (Variable, np.ndarray)) or hasattr(v, "__cuda_array_interface__")


class KsrModule:
    """A checked program: its definitions are attributes (KsrFunction)."""

    def __init__(self, source: str, filename: str = "<string>"):
        self.filename = filename
        self.ast = parse(source, filename)
        self.source = self.ast.source           # as positions count it (parser.normalize)
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
    """The program in the file at `path` (UTF-8 text; a byte-order mark is
    skipped). OSError when it cannot be read, KsrError when it is not text."""
    return KsrModule(read_source(path), str(path))


def read_source(path) -> str:
    """The text of a program file, or KsrError at the first byte that is not UTF-8."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        data = e.object                   # after the byte-order mark, if any
        before = data[:e.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8")) + 1
        text = data.decode("utf-8", errors="replace")
        raise KsrError([Diagnostic(Pos(line, column, line, column),
                                   f"the file is not UTF-8 text (byte 0x{data[e.start]:02x} "
                                   "here cannot be read); save it as UTF-8")],
                       str(path), text) from None
