"""`Sym`: a handle on one value of a Graph under construction.

Gradient rules are written with these handles, so they read like the math
(``gy * (1 - y * y)``) while they append IR nodes. A Python scalar meeting a
Sym becomes a constant of the Sym's dtype (Chainer's rule).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from . import dtypes
from .ir import Graph


class Sym:
    __slots__ = ("g", "n")

    def __init__(self, g: Graph, n: int):
        self.g = g
        self.n = n

    # -- types ----------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.g.shape(self.n)

    @property
    def dtype(self) -> np.dtype:
        return self.g.dtype(self.n)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def __repr__(self):
        return f"Sym({self.n}: {dtypes.short(self.dtype)}{list(self.shape)})"

    # -- building -------------------------------------------------------------
    def _lift(self, other) -> "Sym":
        if isinstance(other, Sym):
            return other
        if isinstance(other, np.ndarray):
            return Sym(self.g, self.g.add_const(other, other.dtype))
        return Sym(self.g, self.g.add_const(other, dtypes.scalar_dtype(self.dtype, other)))

    def _bin(self, op: str, other, reflected: bool = False) -> "Sym":
        other = self._lift(other)
        a, b = (other, self) if reflected else (self, other)
        return apply(op, a, b)

    def __add__(self, o): return self._bin("add", o)
    def __radd__(self, o): return self._bin("add", o, True)
    def __sub__(self, o): return self._bin("sub", o)
    def __rsub__(self, o): return self._bin("sub", o, True)
    def __mul__(self, o): return self._bin("mul", o)
    def __rmul__(self, o): return self._bin("mul", o, True)
    def __truediv__(self, o): return self._bin("div", o)
    def __rtruediv__(self, o): return self._bin("div", o, True)
    def __pow__(self, o): return self._bin("pow", o)
    def __rpow__(self, o): return self._bin("pow", o, True)
    def __matmul__(self, o): return self._bin("matmul", o)
    def __rmatmul__(self, o): return self._bin("matmul", o, True)
    def __neg__(self): return apply("neg", self)
    def __lt__(self, o): return self._bin("less", o)
    def __le__(self, o): return self._bin("less_equal", o)
    def __gt__(self, o): return self._bin("greater", o)
    def __ge__(self, o): return self._bin("greater_equal", o)

    def sum(self, axis=None, keepdims: bool = False) -> "Sym":
        return reduce("sum", self, axis, keepdims)

    def mean(self, axis=None, keepdims: bool = False) -> "Sym":
        return reduce("mean", self, axis, keepdims)

    def max(self, axis=None, keepdims: bool = False) -> "Sym":
        return reduce("max", self, axis, keepdims)

    def min(self, axis=None, keepdims: bool = False) -> "Sym":
        return reduce("min", self, axis, keepdims)

    def sum_to(self, shape: Sequence[int]) -> "Sym":
        shape = tuple(shape)
        return self if shape == self.shape else apply("sum_to", self, shape=shape)

    def broadcast_to(self, shape: Sequence[int]) -> "Sym":
        shape = tuple(shape)
        return self if shape == self.shape else apply("broadcast_to", self, shape=shape)

    def reshape(self, shape: Sequence[int]) -> "Sym":
        shape = tuple(shape)
        return self if shape == self.shape else apply("reshape", self, shape=shape)

    def transpose(self, axes: Sequence[int] | None = None) -> "Sym":
        if axes is None:
            axes = tuple(reversed(range(self.ndim)))
        axes = tuple(axes)
        if axes == tuple(range(self.ndim)):
            return self
        return apply("transpose", self, axes=axes)

    @property
    def T(self) -> "Sym":
        return self.transpose()

    def swap_last(self) -> "Sym":
        """Transpose the last two axes (matrix transpose of a batch)."""
        axes = list(range(self.ndim))
        axes[-1], axes[-2] = axes[-2], axes[-1]
        return self.transpose(axes)

    def astype(self, dtype) -> "Sym":
        dtype = np.dtype(dtype)
        return self if dtype == self.dtype else apply("cast", self, dtype=dtype)

    def keepdims_shape_of(self, x_shape: tuple, axis: tuple) -> "Sym":
        """Reshape a reduction's result to the keepdims form over `x_shape`."""
        shape = tuple(1 if i in axis else d for i, d in enumerate(x_shape))
        return self.reshape(shape)


def apply(op: str, *args: Sym, **attrs) -> Sym:
    """Append op `op` applied to `args`; all must live in one graph."""
    g = args[0].g
    return Sym(g, g.add(op, [a.n for a in args], **attrs))


def reduce(op: str, x: Sym, axis, keepdims: bool) -> Sym:
    from .ops.registry import normalize_axis
    return apply(op, x, axis=normalize_axis(axis, x.ndim), keepdims=bool(keepdims))


def const_like(x: Sym, value, shape: Sequence[int] | None = None) -> Sym:
    """A constant of `x`'s dtype, a scalar or filled to `shape`."""
    return Sym(x.g, x.g.add_const(value, x.dtype, () if shape is None else tuple(shape)))


def zeros_like(x: Sym) -> Sym:
    return const_like(x, 0, x.shape)


def ones_like(x: Sym) -> Sym:
    return const_like(x, 1, x.shape)


def where(cond: Sym, a, b) -> Sym:
    """Elementwise select; scalars take the dtype of the Sym beside them."""
    if not isinstance(a, Sym):
        a = b._lift(a)
    if not isinstance(b, Sym):
        b = a._lift(b)
    return apply("where", cond, a, b)


def _unary(op: str):
    def f(x: Sym) -> Sym:
        return apply(op, x)
    f.__name__ = op
    return f


exp = _unary("exp")
log = _unary("log")
sqrt = _unary("sqrt")
sin = _unary("sin")
cos = _unary("cos")
tanh = _unary("tanh")
sigmoid = _unary("sigmoid")
sign = _unary("sign")
cosh = _unary("cosh")
sinh = _unary("sinh")


def maximum(a: Sym, b) -> Sym:
    return a._bin("maximum", b)


def minimum(a: Sym, b) -> Sym:
    return a._bin("minimum", b)


def equal(a: Sym, b) -> Sym:
    return a._bin("equal", b)


def not_equal(a: Sym, b) -> Sym:
    return a._bin("not_equal", b)


def matmul(a: Sym, b: Sym) -> Sym:
    return apply("matmul", a, b)
