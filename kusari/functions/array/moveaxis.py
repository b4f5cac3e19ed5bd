"""moveaxis: move axes to new positions, keeping the order of the others."""
from __future__ import annotations

from .._core import Variable, var
from ._util import expect, expect_float, is_int
from .transpose import permuted


def _axes(label, axes, ndim, name):
    if is_int(axes):
        axes = (axes,)
    if not isinstance(axes, (tuple, list)) or not all(is_int(a) for a in axes):
        raise TypeError(f"{label}: {name} must be an int or a tuple of ints, not {axes!r}")
    for a in axes:
        expect(label, -ndim <= a < ndim, f"-x.ndim <= {name} < x.ndim",
               f"{name} = {a}, x.ndim = {ndim}")
        if not -ndim <= a < ndim:
            raise ValueError(f"{label}: {name} {a} is out of bounds for x.ndim = {ndim}")
    out = [int(a) % ndim for a in axes]
    if len(set(out)) != len(out):
        raise ValueError(f"{label}: duplicate value in {name}: {tuple(axes)}")
    return out


def moveaxis(x, source, destination) -> Variable:
    """Move axes `source` of `x` to positions `destination` (NumPy's moveaxis)."""
    x = var(x)
    expect_float("Moveaxis", x)
    src = _axes("Moveaxis", source, x.ndim, "source")
    dst = _axes("Moveaxis", destination, x.ndim, "destination")
    if len(src) != len(dst):
        raise ValueError("Moveaxis: source and destination must have the same length")
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permuted(x, order)
