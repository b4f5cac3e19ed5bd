"""The checker's values: types with symbolic dimensions.

A dimension is an int, a name (`N`, bound when a function is called) or
None (not known until then). Broadcasting follows NumPy: equal dims, or one
of them 1. Two different names never broadcast: nothing says they are equal.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..compiler import dtypes
from ..compiler.ops.registry import Mismatch, broadcast_dims  # noqa: F401 (used as T.*)

DTYPES = {"f16": np.float16, "f32": np.float32, "f64": np.float64,
          "i32": np.int32, "i64": np.int64, "bool": np.bool_}


def dim_text(d) -> str:
    return "?" if d is None else str(d)


@dataclass(frozen=True)
class Array:
    """A typed array: dtype short name and dims."""
    dtype: str
    dims: tuple

    @property
    def ndim(self) -> int:
        return len(self.dims)

    @property
    def kind(self) -> str:
        return np.dtype(DTYPES[self.dtype]).kind

    def __str__(self):
        return f"{self.dtype}[{', '.join(dim_text(d) for d in self.dims)}]"


@dataclass(frozen=True)
class Weak:
    """A Python scalar (a literal, or a static value such as x.shape[0]): it
    takes the dtype of the array it meets. `value` is known or None."""
    kind: str                 # "bool", "int" or "float"
    value: object = None
    pos: object = field(default=None, compare=False, repr=False)   # where written

    def __str__(self):
        return {"bool": "a boolean", "int": "an integer", "float": "a number"}[self.kind]


@dataclass(frozen=True)
class WeakArray:
    """An array literal: its shape is fixed, its dtype is the array's it meets."""
    kind: str
    dims: tuple

    def __str__(self):
        return f"an array literal of shape [{', '.join(map(str, self.dims))}]"


@dataclass(frozen=True)
class TupleT:
    items: tuple

    def __str__(self):
        return "(" + ", ".join(map(str, self.items)) + ")"


@dataclass(frozen=True)
class Shape:
    """x.shape: index it for a dim."""
    dims: tuple

    def __str__(self):
        return f"a shape [{', '.join(dim_text(d) for d in self.dims)}]"


@dataclass(frozen=True)
class DType:
    name: str

    def __str__(self):
        return f"the dtype {self.name}"


@dataclass(frozen=True)
class Func:
    name: str

    def __str__(self):
        return f"the function `{self.name}`"


@dataclass(frozen=True)
class ListT:
    """A bracket list that is not an array: names (wrt=[...]) or values."""
    items: tuple
    depth: int = field(default=1, compare=False)      # lists nested in lists, plus one

    def __str__(self):
        return "a list"


def weak_dtype(array_dtype: str, kind: str) -> str:
    """The dtype of `array <op> weak scalar` (NEP 50, as the runtime does)."""
    sample = {"bool": True, "int": 1, "float": 1.0}[kind]
    return dtypes.short(dtypes.scalar_dtype(np.dtype(DTYPES[array_dtype]), sample))


def default_dtype(kind: str) -> str:
    return {"bool": "bool", "int": "i64", "float": "f64"}[kind]


def as_array(v) -> Array | None:
    """The array a value stands for on its own (a lone literal gets NumPy's
    default dtype), or None for values that are not arrays."""
    if isinstance(v, Array):
        return v
    if isinstance(v, Weak):
        return Array(default_dtype(v.kind), ())
    if isinstance(v, WeakArray):
        return Array(default_dtype(v.kind), v.dims)
    return None


def of_spec(dtype: str, dims) -> Array:
    return Array(dtype, tuple(dims))


def substitute(t, env: dict):
    """`t` with named dims replaced by their bindings (unbound names stay)."""
    if isinstance(t, Array):
        return Array(t.dtype, tuple(env.get(d, d) if isinstance(d, str) else d
                                    for d in t.dims))
    if isinstance(t, TupleT):
        return TupleT(tuple(substitute(x, env) for x in t.items))
    return t
