"""Helpers shared by the array functions: argument checks in Chainer's terms."""
from __future__ import annotations

import sys
import types

import numpy as np

from ...compiler.errors import InvalidType, invalid_in
from ...configuration import state
from .._core import Variable, call, var


def expect(label: str, ok: bool, expected: str, actual: str) -> None:
    """Chainer's type check: InvalidType naming function `label` unless `ok`
    (skipped, as Chainer skips it, under ``config.type_check = False``)."""
    if not ok and state.type_check:
        raise invalid_in(label, InvalidType(expected, actual))


def is_int(v) -> bool:
    """A Python or NumPy integer, not a bool."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def shape_arg(shape) -> tuple:
    """A shape given as an int or a sequence, as a tuple of ints."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def expect_float(label: str, x: Variable, name: str = "x") -> None:
    expect(label, x.dtype.kind == "f", f"{name}.dtype.kind == f",
           f"{x.dtype.kind} != f")


def new_node(x) -> Variable:
    """`x` as a new Variable of the graph with the same value (what a Chainer
    function that changes nothing still returns)."""
    x = var(x)
    return call("reshape", x, shape=x.shape)


def along(axis: int, ndim: int, item) -> tuple:
    """An index with `item` on `axis` and full slices before it."""
    return (slice(None),) * axis + (item,) + (slice(None),) * (ndim - axis - 1)


def check_axis(label: str, axis: int, ndim: int, name: str = "axis") -> int:
    """`axis` in [-ndim, ndim) as a non-negative axis (checked even without
    type checks: a wrapped axis would be a wrong result, not an error)."""
    if not -ndim <= axis < ndim:
        raise invalid_in(label, InvalidType(f"-x.ndim <= {name} < x.ndim",
                                            f"{name} = {axis}, x.ndim = {ndim}"))
    return axis % ndim if ndim else 0


def check_stack(label: str, xs, skip_axis: int, small_ndim: int, small_equal: bool) -> None:
    """Chainer's checks for h/v/dstack: equal dtypes and ndims; then, for
    arrays of at most `small_ndim` dimensions, equal shapes if `small_equal`,
    else shapes equal but on `skip_axis`."""
    expect(label, len(xs) > 0, "in_types.size() > 0", "0 <= 0")
    if not xs:
        raise ValueError(f"{label} needs at least one array")
    first = xs[0]
    for i, x in enumerate(xs[1:], 1):
        expect(label, x.dtype == first.dtype, f"x0.dtype == x{i}.dtype",
               f"{first.dtype} != {x.dtype}")
        expect(label, x.ndim == first.ndim, f"x0.ndim == x{i}.ndim",
               f"{first.ndim} != {x.ndim}")
        if first.ndim <= small_ndim:
            if small_equal:
                expect(label, x.shape == first.shape, f"x0.shape == x{i}.shape",
                       f"{first.shape} != {x.shape}")
            continue
        for d in range(first.ndim):
            if d != skip_axis:
                expect(label, x.shape[d] == first.shape[d],
                       f"x0.shape[{d}] == x{i}.shape[{d}]",
                       f"{first.shape[d]} != {x.shape[d]}")


class FunctionModule(types.ModuleType):
    """A module named like the function it defines, callable as that function.

    In Chainer `chainer.functions.array.flip` is the module flip.py (its
    package's __init__ is empty), and code reads module attributes through
    it (`functions.array.flip._flip`, `functions.noise.dropout.Dropout`).
    kusari's packages bind their functions for `from .array import *`; once
    kusari.functions has taken them, `modules_as_attributes` puts the modules
    back as the package's attributes, callable so that code calling
    `kusari.functions.array.flip(x, 0)` keeps working."""

    def __call__(self, *args, **kwargs):
        return getattr(self, self.__name__.rpartition(".")[2])(*args, **kwargs)


def modules_as_attributes(package) -> None:
    """Rebind `package`'s public names to the same-named modules (see
    FunctionModule); kusari.functions calls it after its star imports."""
    for name in package.__all__:
        module = sys.modules.get(f"{package.__name__}.{name}")
        if module is not None and callable(getattr(module, name, None)):
            module.__class__ = FunctionModule
            setattr(package, name, module)
