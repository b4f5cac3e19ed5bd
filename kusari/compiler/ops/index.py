"""Indexing: getitem and its gradient, scatter_add (each the other's gradient).

An index is a `key` attribute, a tuple of items:

    ("s", start, stop, step)   a slice
    ("i", k)                   an integer
    ("a", j)                   integer array operand j (operand 1 + j of the node)
    ("n",)                     a new axis (None)
    ("e",)                     an ellipsis

Integer arrays are operands, so their values are data while the key is
structure. Boolean masks are turned into integer arrays by the front end
(their shape depends on the data).
"""
from __future__ import annotations

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from . import numpy_kernels as nk
from .registry import INDEX, OpDef, broadcast_shapes, register


def expand_key(key: tuple, ndim: int) -> tuple:
    """`key` with the ellipsis (or the implicit trailing one) made explicit."""
    consumed = sum(1 for item in key if item[0] in "sia")
    if consumed > ndim:
        raise InvalidType("number of indices <= x.ndim",
                          f"{consumed} indices for x.ndim = {ndim}")
    if sum(1 for item in key if item[0] == "e") > 1:
        raise InvalidType("at most one ellipsis", "several ellipses")
    fill = (("s", None, None, None),) * (ndim - consumed)
    out = []
    for item in key:
        if item[0] == "e":
            out.extend(fill)
            fill = ()
        else:
            out.append(item)
    out.extend(fill)
    return tuple(out)


def result_shape(shape: tuple, key: tuple, array_shapes: list) -> tuple:
    """The shape of x[key] for x of `shape` (NumPy's rules, placement included)."""
    key = expand_key(key, len(shape))
    has_arrays = any(item[0] == "a" for item in key)
    dims: list = []          # result dims, with a marker where advanced ones go
    advanced_at: list[int] = []
    d = 0
    for pos, item in enumerate(key):
        tag = item[0]
        if tag == "n":
            dims.append(1)
            continue
        size = shape[d]
        if tag == "s":
            dims.append(len(range(*slice(item[1], item[2], item[3]).indices(size))))
        elif tag == "i":
            k = item[1]
            if not -size <= k < size:
                raise InvalidType(f"-x.shape[{d}] <= index < x.shape[{d}]",
                                  f"index {k} for axis {d} with size {size}")
            if has_arrays:
                advanced_at.append(pos)
        else:  # "a"
            advanced_at.append(pos)
        d += 1
    if not has_arrays:
        return tuple(dims)
    adv_shape = broadcast_shapes([tuple(s) for s in array_shapes] + [()],
                                 [f"index{j}" for j in range(len(array_shapes))] + ["int"])
    # basic dims in order, advanced block either in place (if adjacent) or first
    adjacent = advanced_at == list(range(advanced_at[0], advanced_at[-1] + 1))
    basic_before = []
    basic_after = []
    d_out = 0
    for pos, item in enumerate(key):
        tag = item[0]
        if tag in "ia":
            continue
        target = basic_before if pos < advanced_at[0] else basic_after
        target.append(dims[d_out])
        d_out += 1
    if adjacent:
        return tuple(basic_before) + adv_shape + tuple(basic_after)
    return adv_shape + tuple(basic_before) + tuple(basic_after)


_basic_shapes: dict = {}      # (shape, key) -> result shape, for keys with no arrays


def _getitem_infer(attrs, x, *arrays):
    if not arrays:            # basic indexing: the same few keys recur (x[:, t], splits)
        k = (x.shape, attrs["key"])
        shape = _basic_shapes.get(k)
        if shape is None:
            shape = result_shape(x.shape, attrs["key"], [])
            if len(_basic_shapes) < 4096:
                _basic_shapes[k] = shape
        return shape, x.dtype
    for j, a in enumerate(arrays):
        if a.dtype.kind not in "iu":
            raise InvalidType(f"index{j}.dtype.kind == i", f"{a.dtype.kind} != i")
    return result_shape(x.shape, attrs["key"], [a.shape for a in arrays]), x.dtype


def _getitem_grad(gy, y, x, *arrays, key):
    return (S.apply("scatter_add", gy, *arrays, key=key, shape=x.shape),) + \
        (None,) * len(arrays)


register(OpDef("getitem", INDEX, _getitem_infer, impl=nk.getitem, numpy_name="nk.getitem",
               grad=_getitem_grad, view=True, label="GetItem", attr_names=("key",),
               saves=slice(1, None)))


def _scatter_infer(attrs, g, *arrays):
    want = result_shape(attrs["shape"], attrs["key"], [a.shape for a in arrays])
    if g.shape != want:
        raise InvalidType("gy.shape == x[key].shape", f"{g.shape} != {want}")
    return attrs["shape"], g.dtype


def _scatter_grad(gy, y, g, *arrays, key, shape):
    return (S.apply("getitem", gy, *arrays, key=key),) + (None,) * len(arrays)


register(OpDef("scatter_add", INDEX, _scatter_infer, impl=nk.scatter_add,
               numpy_name="nk.scatter_add", grad=_scatter_grad, label="ScatterAdd",
               attr_names=("key", "shape"), saves=slice(1, None)))


def key_from_index(index, ndim: int):
    """Split a Python index into (key spec, list of integer-array operands).

    Raises IndexError for what NumPy would reject, TypeError for what kusari
    cannot express (a boolean mask must be given as concrete data).
    """
    if not isinstance(index, tuple):
        index = (index,)
    key, arrays = [], []
    for item in index:
        if item is None:
            key.append(("n",))
        elif item is Ellipsis:
            key.append(("e",))
        elif isinstance(item, slice):
            key.append(("s", _int_or_none(item.start), _int_or_none(item.stop),
                        _int_or_none(item.step)))
            if item.step == 0:
                raise IndexError("slice step cannot be zero")
        elif isinstance(item, (bool, np.bool_)):
            raise IndexError("a boolean scalar index is not supported")
        elif isinstance(item, (int, np.integer)):
            key.append(("i", int(item)))
        else:
            arr = item
            if isinstance(arr, (list, tuple)):
                arr = np.asarray(arr)
            if getattr(arr, "dtype", None) is not None and arr.dtype == np.bool_:
                if not isinstance(arr, np.ndarray):
                    raise TypeError("a boolean mask index needs a concrete array")
                for nz in np.nonzero(arr):
                    key.append(("a", len(arrays)))
                    arrays.append(nz)
                continue
            if getattr(arr, "dtype", None) is None or arr.dtype.kind not in "iu":
                raise IndexError(
                    "only integers, slices, None, Ellipsis and integer or boolean "
                    f"arrays are valid indices (got {type(item).__name__})")
            key.append(("a", len(arrays)))
            arrays.append(arr)
    return tuple(key), arrays


def _int_or_none(v):
    if v is None:
        return None
    if isinstance(v, (int, np.integer)):
        return int(v)
    raise IndexError(f"slice indices must be integers or None, not {type(v).__name__}")


def _select_item_infer(attrs, x, t):
    if x.ndim != 2:
        raise InvalidType("x.ndim == 2", f"{x.ndim} != 2")
    if t.ndim != 1:
        raise InvalidType("t.ndim == 1", f"{t.ndim} != 1")
    if t.dtype.kind not in "iu":
        raise InvalidType("t.dtype.kind == i", f"{t.dtype.kind} != i")
    if x.shape[0] != t.shape[0]:
        raise InvalidType("x.shape[0] == t.shape[0]", f"{x.shape[0]} != {t.shape[0]}")
    return (x.shape[0],), x.dtype


def _select_item_grad(gy, y, x, t):
    # gy put at each row's t (a negative t counts from the end, as NumPy's)
    n, c = x.shape
    iota = S.Sym(x.g, x.g.add_const(np.arange(c, dtype=t.dtype).reshape(1, c), t.dtype))
    if t.dtype.kind == "i":
        t = S.where(t < 0, t + c, t)
    hit = S.equal(iota, t.reshape((n, 1)))
    return S.where(hit, gy.reshape((n, 1)), 0), None


register(OpDef("select_item", INDEX, _select_item_infer, impl=nk.select_item,
               numpy_name="nk.select_item", grad=_select_item_grad, label="SelectItem",
               arg_names=("x", "t"), saves=(1,)))
