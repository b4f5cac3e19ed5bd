"""Tracing: calling Python code on placeholder arrays to record its graph.

Inside `compiler.trace` (and `kusari.jit`), Variables hold a `Traced` array:
a shape and a dtype, no values. Ops on them record Nodes and compute shapes;
anything that needs an actual value (Python control flow, `float(x)`,
converting to NumPy) raises TraceError naming the value and saying why.
"""
from __future__ import annotations

import numpy as np

from .compiler import dtypes
from .compiler.errors import TraceError


class Traced:
    """A placeholder array under tracing: shape and dtype only."""

    __slots__ = ("shape", "dtype", "origin")
    __array_priority__ = 1000

    def __init__(self, shape, dtype, origin: str | None = None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.origin = origin

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d traced array")
        return self.shape[0]

    def describe(self) -> str:
        what = f"traced array {dtypes.short(self.dtype)}{list(self.shape)}"
        return f"{what} ({self.origin})" if self.origin else what

    def _refuse(self, use: str):
        raise TraceError(
            f"cannot use the value of {self.describe()} {use}: while tracing "
            "(kusari.jit, compiler.trace) arrays have shapes but no values yet. "
            "Use F.where for elementwise choices, or pass the value in as a "
            "static (non-array) argument.")

    def __bool__(self):
        self._refuse("as a Python bool (an `if`, `while`, `and`/`or` or assert)")

    def __float__(self):
        self._refuse("as a Python float")

    def __int__(self):
        self._refuse("as a Python int")

    def __index__(self):
        self._refuse("as an index")

    def __iter__(self):
        self._refuse("in a Python loop")

    def __array__(self, dtype=None, copy=None):
        self._refuse("as a NumPy array")

    def item(self):
        self._refuse("with .item()")

    def tolist(self):
        self._refuse("with .tolist()")

    def _operator(symbol):
        def refuse(self, *other):
            self._refuse(f"with Python's `{symbol}` on the raw array (use Variable "
                         "operations and kusari.functions on the Variable instead)")
        return refuse

    __lt__ = _operator("<")
    __le__ = _operator("<=")
    __gt__ = _operator(">")
    __ge__ = _operator(">=")
    __add__ = __radd__ = _operator("+")
    __sub__ = __rsub__ = _operator("-")
    __mul__ = __rmul__ = _operator("*")
    __truediv__ = __rtruediv__ = _operator("/")
    __pow__ = __rpow__ = _operator("**")
    __matmul__ = __rmatmul__ = _operator("@")
    __neg__ = _operator("-")
    __getitem__ = _operator("[]")
    del _operator

    def __repr__(self):
        return f"Traced({dtypes.short(self.dtype)}{list(self.shape)})"


def trace_to_graph(fn, example_arrays, *, name=None, capture: str = "const"):
    """Trace `fn` and return (graph, captured).

    Leaves that are not arguments (parameters a function closes over) become
    constants (capture="const") or extra graph inputs, read at each call
    (capture="input"); `captured` lists those Variables in input order.
    """
    from .compiler.ir import Graph
    from .backprop import _consumers, walk
    from .function_node import Const
    from .variable import Variable

    args = [Variable(Traced(np.shape(a), np.asarray(a).dtype if not hasattr(a, "dtype")
                            else a.dtype, origin=f"argument {i}"))
            for i, a in enumerate(example_arrays)]
    result = fn(*args)
    single = not isinstance(result, (tuple, list))
    outs = [result] if single else list(result)
    g = Graph(name or getattr(fn, "__name__", "f").replace("<lambda>", "lambda"))
    gid: dict = {}
    for i, v in enumerate(args):
        gid[v.node] = g.add_input(v.shape, v.dtype, name=f"arg{i}")
    roots = []
    for k, o in enumerate(outs):
        if isinstance(o, Variable):
            roots.append(o.node)
        elif isinstance(o, np.ndarray) or np.isscalar(o):
            roots.append(np.asarray(o))
        else:
            raise TypeError(f"output {k} of {g.name} is a {type(o).__name__}; "
                            "a traced function must return Variables or arrays")
    order, entries, index = walk([r for r in roots if not isinstance(r, np.ndarray)])
    users = _consumers(order, entries)
    captured = []
    ids = []
    for i, (n, e) in enumerate(zip(order, entries)):
        if n in gid:
            ids.append(gid[n])
        elif type(n) is Const:
            ids.append(g.add_const(n.value.item(), n.dtype))
        elif n.op is None:
            v = n.var()
            array = v.array if v is not None else next(
                (order[j].saved[p] for j, p in users.get(i, ())
                 if order[j].saved is not None), None)
            if array is None or isinstance(array, Traced):
                raise TypeError(f"{g.name} uses a traced value from another trace")
            if capture == "const":
                ids.append(g.add_const(np.asarray(array), array.dtype))
            else:
                ids.append(g.add_input(n.shape, n.dtype, name=f"captured{len(captured)}"))
                captured.append(v)
        else:
            ids.append(g.add_raw(n.op.name, [ids[i] for i in e[2]], n.attrs_dict(),
                                 n.shape, n.dtype))
    g.outputs = [g.add_const(r, r.dtype) if isinstance(r, np.ndarray) else ids[index[r]]
                 for r in roots]
    return g, captured


def trace(fn, example_arrays, *, name=None):
    """The Graph of `fn` on arrays shaped like `example_arrays` (see compiler.trace)."""
    from .compiler.passes import dce
    g, _ = trace_to_graph(fn, example_arrays, name=name, capture="const")
    return dce(g)
