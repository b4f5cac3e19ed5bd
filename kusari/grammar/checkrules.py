"""What the checker offers built-in type rules: coercions and shape algebra.

Every method fails with a message in the program's terms (types written as
`f32[B, 8]`), at the position of the call being checked.
"""
from __future__ import annotations

import numpy as np

from . import types as T
from .ast import Pos
from .errors import Located
from .values import fit_error


class Unknown:
    """The type of something whose checking already failed: anything goes,
    so one mistake is reported once, not again by everything that uses it."""

    def __str__(self):
        return "?"


UNKNOWN = Unknown()


class Abandon(Exception):
    """Raised through a rule when an operand is Unknown: the result is Unknown."""


class CheckRules:
    pos: Pos = None

    def fail(self, message: str, pos: Pos | None = None):
        raise Located(pos or self.pos, message)

    # -- coercions -------------------------------------------------------------------
    def array(self, v, what: str) -> T.Array:
        if v is UNKNOWN:
            raise Abandon()
        if isinstance(v, T.ListT):
            v = self.list_array(v, what)
        a = T.as_array(v)
        if a is None:
            self.fail(f"`{what}` must be an array, got {v}")
        return a

    def list_array(self, v: T.ListT, what: str):
        """An array literal: nested lists of numbers (a weak array)."""
        def walk(x):
            if isinstance(x, T.ListT):
                parts = [walk(i) for i in x.items]
                if parts and any(p[1] != parts[0][1] for p in parts):
                    self.fail(f"`{what}` is a ragged array literal")
                kinds = {p[0] for p in parts}
                kind = "float" if "float" in kinds else "int" if "int" in kinds else "bool"
                return kind, (len(parts),) + (parts[0][1] if parts else ())
            if x is UNKNOWN:
                raise Abandon()
            if isinstance(x, T.Weak):
                return x.kind, ()
            self.fail(f"an array literal holds numbers, not {x} (use stack([...]) to "
                      "join arrays)")
        kind, dims = walk(v)
        return T.WeakArray(kind, dims)

    def float_array(self, v, what: str) -> T.Array:
        a = self.array(v, what)
        if isinstance(v, (T.Weak, T.WeakArray)) and a.kind != "f":
            return T.Array("f64", a.dims)
        if a.kind != "f":
            self.fail(f"`{what}` must be a floating array, got {a}")
        return a

    def int_array(self, v, what: str) -> T.Array:
        a = self.array(v, what)
        if a.kind not in "iu":
            self.fail(f"`{what}` must be an integer array, got {a}")
        return a

    def bool_operand(self, v, what: str) -> None:
        if v is UNKNOWN:
            raise Abandon()
        a = self.array(v, what)
        if a.kind != "b":
            self.fail(f"`{what}` must be a boolean array (a comparison), got {a}")

    def arrays(self, v, what: str) -> list:
        if v is UNKNOWN:
            raise Abandon()
        if not isinstance(v, (T.ListT, T.TupleT)) or not v.items:
            self.fail(f"`{what}` must be a non-empty list of arrays, like [a, b]")
        return [self.array(x, what) for x in v.items]

    def dtype(self, v) -> str:
        if v is UNKNOWN:
            raise Abandon()
        if isinstance(v, str) and v in T.DTYPES:
            return v
        if not isinstance(v, T.DType):
            self.fail(f"expected a dtype (f16, f32, f64, i32, i64 or bool), got {v}")
        return v.name

    def fits(self, v, dtype: str, what: str = "") -> None:
        """A literal (or a list of them) becomes a `dtype` value exactly: no
        wrapping, no overflow to infinity. `what` names it in the message."""
        todo = [v]
        while todo:
            v = todo.pop()
            if isinstance(v, T.ListT):
                todo.extend(v.items)
            elif isinstance(v, T.Weak) and isinstance(v.value, (int, float)):
                problem = fit_error(v.value, dtype)
                if problem:
                    self.fail(f"{what}: {problem}" if what else problem, v.pos)

    # -- static values ------------------------------------------------------------------
    def static(self, v, what: str):
        """A value known when the function is compiled: an int, a name or None."""
        if v is UNKNOWN:
            raise Abandon()
        if isinstance(v, T.Weak) and v.kind in ("int", "bool"):
            return v.value
        self.fail(f"`{what}` must be a static integer (a literal, a dimension or "
                  f"x.shape[i]), got {v}")

    def static_number(self, v, what: str) -> str:
        if v is UNKNOWN:
            raise Abandon()
        if not isinstance(v, T.Weak) or v.kind == "bool":
            self.fail(f"`{what}` must be a number known when compiling, got {v}")
        return v.kind

    def static_bool(self, v, what: str) -> bool:
        if isinstance(v, T.Weak) and v.kind == "bool":
            return bool(v.value)
        if v is UNKNOWN:
            raise Abandon()
        self.fail(f"`{what}` must be true or false, got {v}")

    def axes(self, v, ndim: int, single: bool = False):
        """Normalized axes (a tuple), or None for 'all axes'."""
        if v is None:
            return None
        items = v.items if isinstance(v, (T.ListT, T.TupleT)) else [v]
        if single and len(items) != 1:
            self.fail("`axis` must be one axis here")
        out = []
        for item in items:
            a = self.static(item, "axis")
            if not isinstance(a, int):
                self.fail(f"`axis` must be a literal integer, got {item}")
            if not -ndim <= a < ndim:
                self.fail(f"axis {a} is out of range for an array with {ndim} dimensions")
            a %= ndim
            if a in out:
                self.fail(f"axis {a} is given twice")
            out.append(a)
        return tuple(sorted(out)) if not single else tuple(out)

    def permutation(self, v, ndim: int) -> tuple:
        items = v.items if isinstance(v, (T.ListT, T.TupleT)) else [v]
        axes = [self.static(i, "axes") for i in items]
        if sorted(a % ndim if isinstance(a, int) else -1 for a in axes) != list(range(ndim)):
            self.fail(f"`axes` must be a permutation of 0..{ndim - 1}, got "
                      f"[{', '.join(map(str, axes))}]")
        return tuple(a % ndim for a in axes)

    def shape(self, v, what: str, allow_minus_one: bool = False) -> tuple:
        if v is UNKNOWN:
            raise Abandon()
        if isinstance(v, T.Shape):
            return v.dims
        if not isinstance(v, (T.ListT, T.TupleT)):
            self.fail(f"`{what}` must be a list of dimensions like [2, 3], got {v}")
        dims = tuple(self.static(i, what) for i in v.items)
        for d in dims:
            if isinstance(d, int) and d < 0 and not (allow_minus_one and d == -1):
                self.fail(f"`{what}` has a negative dimension {d}")
        if sum(1 for d in dims if d == -1) > 1:
            self.fail(f"`{what}` may hold at most one -1")
        return dims

    # -- shape algebra --------------------------------------------------------------------
    def broadcast(self, op: str, arrays) -> tuple:
        try:
            return T.broadcast_dims([a.dims for a in arrays])
        except T.Mismatch:
            self.fail(f"shape mismatch in `{op}`: " + " and ".join(map(str, arrays)))

    def elementwise(self, op: str, operands) -> T.Array:
        """Broadcast `operands` ((value, name) pairs); weak ones take the dtype of
        the arrays they meet; arrays must agree in dtype."""
        strong = [(self.array(v, n), v) for v, n in operands
                  if not isinstance(v, (T.Weak, T.WeakArray, T.ListT))]
        arrays = [self.array(v, n) for v, n in operands]
        if strong:
            dtype = strong[0][0].dtype
            for a, _ in strong[1:]:
                if a.dtype != dtype:
                    self.fail(f"dtype mismatch in `{op}`: {strong[0][0]} and {a}")
            for v, n in operands:
                if isinstance(v, (T.Weak, T.WeakArray, T.ListT)):
                    kind = v.kind if not isinstance(v, T.ListT) else \
                        self.list_array(v, n).kind
                    dtype = T.weak_dtype(dtype, kind)
            for v, _ in operands:
                self.fits(v, dtype)
        else:
            kinds = [a.kind for a in arrays]
            dtype = T.default_dtype("float" if "f" in kinds else "int" if "i" in kinds
                                    else "bool")
        return T.Array(dtype, self.broadcast(op, arrays))

    def reduced(self, dims: tuple, axes, keep: bool) -> tuple:
        if axes is None:
            axes = tuple(range(len(dims)))
        if keep:
            return tuple(1 if i in axes else d for i, d in enumerate(dims))
        return tuple(d for i, d in enumerate(dims) if i not in axes)

    def product(self, dims):
        if all(isinstance(d, int) for d in dims):
            return int(np.prod(dims, dtype=np.int64))
        return None

    def reshaped(self, dims: tuple, want: tuple) -> tuple:
        total = self.product(dims)
        known = [d for d in want if d != -1]
        if -1 in want:
            rest = self.product(known)
            if total is None or rest is None:
                return tuple(None if d == -1 else d for d in want)
            if rest == 0 or total % rest:
                self.fail(f"cannot reshape [{', '.join(map(str, dims))}] (size {total}) "
                          f"to [{', '.join(map(str, want))}]")
            return tuple(total // rest if d == -1 else d for d in want)
        size = self.product(want)
        if total is not None and size is not None and total != size:
            self.fail(f"cannot reshape [{', '.join(map(str, dims))}] (size {total}) to "
                      f"[{', '.join(map(str, want))}] (size {size})")
        return want

    def broadcast_into(self, x: T.Array, want: tuple) -> None:
        try:
            got = T.broadcast_dims([x.dims, want])
        except T.Mismatch:
            got = None
        if got is None or len(got) != len(want) or any(
                g != w and g is not None and w is not None for g, w in zip(got, want)):
            self.fail(f"cannot broadcast {x} to [{', '.join(map(T.dim_text, want))}]")

    def equal_dim(self, d, e, what: str, a, b):
        if d is None:
            return e
        if e is None or d == e:
            return d
        self.fail(f"shape mismatch in {what}: {a} and {b}")

    def same_dtype(self, op: str, arrays) -> str:
        for a in arrays[1:]:
            if a.dtype != arrays[0].dtype:
                self.fail(f"dtype mismatch in `{op}`: {arrays[0]} and {a}")
        return arrays[0].dtype

    def matmul(self, a: T.Array, b: T.Array) -> T.Array:
        if a.ndim == 0 or b.ndim == 0:
            self.fail(f"`@` needs arrays of at least one dimension, got {a} and {b}")
        dtype = self.same_dtype("@", [a, b])
        k_a = a.dims[-1]
        k_b = b.dims[0] if b.ndim == 1 else b.dims[-2]
        self.equal_dim(k_a, k_b, "`@`", a, b)
        try:
            batch = T.broadcast_dims([a.dims[:-2], b.dims[:-2]])
        except T.Mismatch:
            self.fail(f"shape mismatch in `@` (batch dimensions): {a} and {b}")
        dims = batch + (a.dims[-2:-1] if a.ndim >= 2 else ()) + \
            (b.dims[-1:] if b.ndim >= 2 else ())
        return T.Array(dtype, dims)
