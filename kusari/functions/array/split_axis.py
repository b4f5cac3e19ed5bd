"""split_axis: split an array into pieces along an axis."""
from __future__ import annotations

import collections.abc

import numpy as np

from ...configuration import state
from .._core import call, var
from ._util import check_axis, expect


def _indices_or_sections(ios):
    """(indices, None) or (None, sections), as Chainer reads the argument."""
    if isinstance(ios, np.ndarray):
        if ios.dtype.kind != "i" and ios.size > 0:
            raise TypeError("indices_or_sections must be integers")
        if ios.ndim >= 2:
            raise TypeError("indices_or_sections must be 1-D sequence")
        if ios.ndim == 0:
            return None, int(ios)
        return [int(i) for i in ios], None
    if isinstance(ios, collections.abc.Sequence):
        return [int(i) for i in ios], None
    if isinstance(ios, (int, np.integer)):
        return None, int(ios)
    raise TypeError(f"indices_or_sections must be integer or 1-D array.\n"
                    f"Actual: {type(ios)}")


def split_axis(x, indices_or_sections, axis: int, force_tuple: bool = True):
    """Split `x` along `axis`: into `sections` equal pieces, or at the sorted
    split points `indices` (NumPy's split). A tuple of Variables; one
    Variable when there is one piece and not `force_tuple`."""
    indices, sections = _indices_or_sections(indices_or_sections)
    if indices is not None and state.debug:
        if any(p > n for p, n in zip(indices, indices[1:])):
            raise ValueError("indices_or_sections must be sorted")
    x = var(x)
    expect("SplitAxis", x.ndim > axis, "in_types[0].ndim > axis",
           f"{x.ndim} <= {axis}")
    axis = check_axis("SplitAxis", axis, x.ndim)
    size = x.shape[axis]
    if indices is not None:
        if indices:
            expect("SplitAxis", size >= indices[-1], f"in_types[0].shape[{axis}] >= max_index",
                   f"{size} < {indices[-1]}")
        bounds = [0] + indices + [size]
    else:
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.")
        expect("SplitAxis", size % sections == 0,
               f"in_types[0].shape[{axis}] % sections == 0", f"{size} % {sections} != 0")
        if size % sections:
            raise ValueError("array split does not result in an equal division")
        step = size // sections
        bounds = [step * i for i in range(sections + 1)]
    prefix = (("s", None, None, None),) * axis
    out = tuple(call("getitem", x, key=prefix + (("s", a, b, None),))
                for a, b in zip(bounds, bounds[1:]))
    return out if force_tuple or len(out) != 1 else out[0]
