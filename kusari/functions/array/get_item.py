"""get_item: x[slices] with NumPy's basic and advanced indexing."""
from __future__ import annotations

import numpy as np

from ...backends import cuda
from ...compiler.errors import InvalidType, invalid_in
from ...compiler.ops.index import expand_key, key_from_index
from ...configuration import state
from ...tracing import Traced
from .._core import Variable, call, var


def normalize_slices(slices) -> tuple:
    """Chainer's reading of an index: a list of ints is one integer-array
    index, any other list is a tuple; at most one Ellipsis (checked in debug
    mode, as Chainer checks it)."""
    if isinstance(slices, list):
        if all(isinstance(s, int) for s in slices):
            slices = (slices,)
        slices = tuple(slices)
    elif not isinstance(slices, tuple):
        slices = (slices,)
    if state.debug and sum(1 for s in slices if s is Ellipsis) > 1:
        raise ValueError("Only one Ellipsis is allowed")
    return tuple(_sequence_index(_concrete_mask(s)) for s in slices)


def _sequence_index(s):
    """A list in an index is an integer (or boolean) array; an empty one
    indexes nothing, as NumPy reads it."""
    if isinstance(s, list):
        arr = np.asarray(s)
        return arr.astype(np.intp) if arr.size == 0 else arr
    return s


def index_key(label: str, slices, ndim: int):
    """(key, index arrays) for a getitem or scatter_add of `slices` on ndim axes."""
    try:
        return key_from_index(slices, ndim)
    except (IndexError, TypeError) as e:
        raise invalid_in(label, InvalidType("a valid index", str(e))) from None


def get_item(x, slices) -> Variable:
    """x[slices]: slices, ints, None, Ellipsis, integer arrays (Variables or
    arrays) and boolean masks; its gradient adds gy back where it was read."""
    x = var(x)
    slices = normalize_slices(slices)
    if any(_is_bool_scalar(s) for s in slices):
        return _with_bool_scalars(x, slices)
    key, arrays = index_key("GetItem", slices, x.ndim)
    if not any(isinstance(_array(a), Traced) for a in arrays):
        check_index_values("GetItem", x.shape, key, arrays)
    return call("getitem", x, *arrays, key=key)


def _is_bool_scalar(s) -> bool:
    return isinstance(s, (bool, np.bool_)) or (
        isinstance(s, np.ndarray) and s.ndim == 0 and s.dtype == np.bool_)


def _with_bool_scalars(x: Variable, slices: tuple) -> Variable:
    """x[..., True, ...]: a new axis there, of length 1 (True) or 0 (False),
    as NumPy reads a 0-d boolean index (with basic indices around it)."""
    if any(not (s is None or s is Ellipsis or isinstance(s, (slice, int, np.integer))
                or _is_bool_scalar(s)) for s in slices):
        raise invalid_in("GetItem", InvalidType(
            "a 0-d boolean index with basic indices only", f"{slices!r}"))
    consumed = sum(1 for s in slices if isinstance(s, (slice, int, np.integer))
                   and not _is_bool_scalar(s))
    out_dim, empty = 0, []
    for s in slices:
        if _is_bool_scalar(s):
            if not bool(s):
                empty.append(out_dim)
            out_dim += 1
        elif s is None or isinstance(s, slice):
            out_dim += 1
        elif s is Ellipsis:
            out_dim += x.ndim - consumed
    y = get_item(x, tuple(None if _is_bool_scalar(s) else s for s in slices))
    for d in empty:
        y = get_item(y, (slice(None),) * d + (np.zeros(0, np.intp),))
    return y


def _array(a):
    return a.array if isinstance(a, Variable) else a


def _concrete_mask(s):
    """A boolean mask Variable with values becomes its array (its nonzero
    positions are the index); other index Variables stay in the graph."""
    if isinstance(s, Variable) and s.dtype == np.bool_ and not isinstance(s.array, Traced):
        return s.array
    return s


def check_index_values(label: str, shape, key, arrays) -> None:
    """Integer arrays out of bounds: an error here, not a wrong gradient later."""
    try:
        key = expand_key(key, len(shape))
    except InvalidType as e:
        raise invalid_in(label, e) from None
    d = 0
    for item in key:
        if item[0] == "n":
            continue
        if item[0] == "a":
            a = _array(arrays[item[1]])
            if not cuda.is_cupy_array(a):
                a = np.asarray(a)
            size = shape[d]
            if a.size:       # (on a GPU: two reductions, read back; CuPy would clip)
                top, bottom = int(a.max()), int(a.min())
                if top >= size or bottom < -size:
                    raise invalid_in(label, InvalidType(
                        f"-x.shape[{d}] <= index < x.shape[{d}]",
                        f"index {top if top >= size else bottom} for axis {d} "
                        f"with size {size}"))
        d += 1
