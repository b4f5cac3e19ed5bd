"""permutate: reorder the slices along an axis by a permutation."""
from __future__ import annotations

import numpy as np

from ...configuration import state
from ...tracing import Traced
from .._core import Variable, call, host, var
from ._util import expect


def _check_indices(indices: np.ndarray) -> None:
    for i in indices:
        if not 0 <= i < len(indices):
            raise ValueError(f"Out of bounds index: {i}")
    s = np.sort(indices)
    dup = s[1:][s[1:] == s[:-1]]
    if dup.size:
        raise ValueError(f"indices contains duplicate value: {dup[0]}")


def permutate(x, indices, axis: int = 0, inv: bool = False) -> Variable:
    """y[..., i, ...] = x[..., indices[i], ...] along `axis` (with `inv`, the
    inverse permutation: y[..., indices[i], ...] = x[..., i, ...])."""
    if indices.dtype.kind != "i" or indices.ndim != 1:
        raise ValueError("indices should be a one-dimensional int array")
    x = var(x)
    ok = x.ndim >= -axis if axis < 0 else x.ndim > axis
    expect("Permutate", ok, "x.ndim >= -axis" if axis < 0 else "x.ndim > axis",
           f"x.ndim = {x.ndim}, axis = {axis}")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"Permutate: axis {axis} out of bounds for x.ndim = {x.ndim}")
    axis %= x.ndim
    ind = indices.array if isinstance(indices, Variable) else indices
    key = (("s", None, None, None),) * axis + (("a", 0),)
    if isinstance(ind, Traced):           # inside a trace: values known at run time
        if inv:                           # y[indices] = x
            return call("scatter_add", x, indices, key=key, shape=x.shape)
        return call("getitem", x, indices, key=key)
    ind = host(ind)             # (its values are checked here; getitem sends it back)
    if state.debug:
        _check_indices(ind)
    if inv:
        r = np.empty_like(ind)
        r[ind] = np.arange(len(ind))
        ind = r
    return call("getitem", x, var(ind), key=key)
