"""Axis arguments as Chainer's reductions take them."""
from __future__ import annotations

import numpy as np

from ...compiler.errors import InvalidType, invalid_in


def _is_int(a) -> bool:
    return isinstance(a, (int, np.integer)) and not isinstance(a, bool)


def reduction_axes(label: str, axis, ndim: int) -> tuple:
    """`axis` (None, an int or a tuple of ints) as the sorted tuple of axes
    >= 0, with Chainer's errors: TypeError for another type, ValueError for
    an axis named twice, InvalidType for one out of range."""
    if axis is None:
        return tuple(range(ndim))
    if _is_int(axis):
        items = (int(axis),)
    elif isinstance(axis, tuple) and all(_is_int(a) for a in axis):
        items = tuple(int(a) for a in axis)
    else:
        raise TypeError(f"{label}: axis must be None, an int or a tuple of ints (None, int "
                        f"or tuple of int are required), not {axis!r}")
    for a in items:
        if not -ndim <= a < ndim:
            raise invalid_in(label, InvalidType(
                f"-x.ndim <= axis < x.ndim", f"axis {a} is out of bounds for x.ndim = {ndim}"))
    normal = [a % ndim for a in items]
    if len(set(normal)) != len(normal):
        raise ValueError(f"{label}: duplicate value in axis: "
                         f"({', '.join(map(str, items))})")
    return tuple(sorted(normal))


def single_axis(label: str, axis, ndim: int):
    """None or one int axis (argmax, cumsum), as an axis >= 0 or None."""
    if axis is None:
        return None
    if not _is_int(axis):
        raise TypeError(f"{label}: axis must be None or an int (None or int are required), "
                        f"not {axis!r}")
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise invalid_in(label, InvalidType(
            "-x.ndim <= axis < x.ndim", f"axis {axis} is out of bounds for x.ndim = {ndim}"))
    return axis % ndim


def check_float(label: str, x, name: str = "x") -> None:
    """Chainer's `x.dtype.kind == 'f'` check."""
    if x.dtype.kind != "f":
        raise invalid_in(label, InvalidType(f"{name}.dtype.kind == f",
                                            f"{name}.dtype.kind = {x.dtype.kind}"))
