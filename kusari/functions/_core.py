"""Helpers shared by kusari.functions: operand conversion and op application."""
from __future__ import annotations

import numpy as np

from ..backends import cuda
from ..compiler import dtypes, ops
from ..compiler.errors import InvalidType, invalid_in
from ..function_node import Const, apply, const
from ..variable import Variable, _is_array, _type_error


def var(x) -> Variable:
    """`x` as a Variable: arrays are wrapped (no gradient), Variables pass."""
    if isinstance(x, Variable):
        return x
    if _is_array(x):
        return Variable(x, requires_grad=False)
    raise _type_error(x)


def zeros(shape: tuple, dtype, like: Variable) -> Variable:
    """A constant of zeros on `like`'s device (a CuPy array for a CuPy
    operand: made under its device, as CuPy makes arrays on the current one)."""
    a = like.array
    with cuda.get_device_from_array(a):
        return var(cuda.get_array_module(a).zeros(shape, dtype))


def sent(a, like):
    """Array `a` that kusari's code made on the host (an index, a mask, a
    table of weights) where `like` (a Variable or an array) is: on its GPU
    for a CuPy array, as it is otherwise."""
    x = like.array if isinstance(like, Variable) else like
    if type(a) is not np.ndarray or not cuda.is_cupy_array(x):
        return a
    with x.device:
        return cuda.cupy.asarray(a)


def host(a):
    """Array `a` (a NumPy or CuPy array, a Variable's) on the host: for what
    kusari's code reads itself (labels, lengths, boxes)."""
    a = a.array if isinstance(a, Variable) else a
    return cuda.to_cpu(a) if cuda.is_cupy_array(a) else np.asarray(a)


def operand(x, like: Variable):
    """A Variable, or a scalar as a Const of `like`'s dtype (Chainer's rule)."""
    if type(x) is Const:
        return x
    if isinstance(x, (int, float, bool, np.generic)) and not isinstance(x, np.ndarray):
        value = x.item() if isinstance(x, np.generic) else x
        return const(value, dtypes.scalar_dtype(like.dtype, value))
    return var(x)


def call(name: str, *args, **attrs) -> Variable:
    """Apply registry op `name` to Variables/Consts `args` with `attrs`."""
    op = ops.REGISTRY[name]
    return apply(op, tuple([a if type(a) is Const or isinstance(a, Variable) else var(a)
                            for a in args]),
                 tuple([attrs[k] for k in op.attr_names]) if attrs else ())


def checked(label: str, fn, *args):
    """Run a front-end normalization, restating InvalidType as op `label`'s."""
    try:
        return fn(*args)
    except InvalidType as e:
        raise invalid_in(label, e) from None


_axes: dict = {}


def axis_tuple(label: str, axis, ndim: int) -> tuple:
    """`axis` as the sorted tuple of axes >= 0 the IR keeps (memoized: every
    reduction asks)."""
    key = (axis, ndim) if axis is None or type(axis) is int else None
    if key is not None:
        axes = _axes.get(key)
        if axes is not None:
            return axes
    from ..compiler.ops.registry import normalize_axis
    items = axis if isinstance(axis, (tuple, list)) else (axis,)
    if axis is not None and not all(isinstance(a, (int, np.integer)) and
                                    not isinstance(a, bool) for a in items):
        raise TypeError(f"{label}: axis must be None, an int or a tuple of ints, "
                        f"not {axis!r}")
    axes = checked(label, normalize_axis, axis, ndim)
    if key is not None and len(_axes) < 4096:
        _axes[key] = axes
    return axes


def scalar_like(x: Variable, value):
    """A 0-d constant Variable of x's dtype."""
    return const(value, x.dtype)


__all__ = ["var", "sent", "host", "operand", "call", "checked", "axis_tuple", "scalar_like",
           "Variable", "InvalidType"]
