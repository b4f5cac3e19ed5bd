"""transpose: permute the axes."""
from __future__ import annotations

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call, var
from ._util import is_int


def normalize_axes(label: str, axes, ndim: int) -> tuple:
    """`axes` as a permutation of range(ndim) (negative axes counted from the end)."""
    axes = tuple(axes)
    if not all(is_int(a) for a in axes):
        raise TypeError(f"{label}: axes must be ints, not {axes!r}")
    ok = len(axes) == ndim and sorted(int(a) % ndim if ndim else a for a in axes
                                      if -ndim <= a < ndim) == list(range(ndim))
    if not ok:
        raise invalid_in(label, InvalidType("axes is a permutation of range(x.ndim)",
                                            f"axes {axes} for x.ndim = {ndim}"))
    return tuple(int(a) % ndim for a in axes)


def transpose(x, axes=None) -> Variable:
    """Permute the axes of `x` (reverse them by default). Always a new node."""
    x = var(x)
    if axes is None:
        axes = tuple(reversed(range(x.ndim)))
    else:
        if is_int(axes):
            axes = (axes,)
        axes = normalize_axes("Transpose", axes, x.ndim)
    return call("transpose", x, axes=axes)


def permuted(x: Variable, axes: tuple) -> Variable:
    """transpose with checked axes, for the functions built on it."""
    return call("transpose", x, axes=tuple(axes))

