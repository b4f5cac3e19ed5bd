"""Array manipulation: shapes, broadcasting, indexing, joining and splitting."""
from __future__ import annotations

__all__ = ['broadcast', 'broadcast_to', 'concat', 'expand_dims', 'flatten', 'get_item',
           'hstack', 'identity', 'reshape', 'select_item', 'separate', 'split_axis',
           'squeeze', 'stack', 'sum_to', 'swapaxes', 'transpose', 'vstack']

import numpy as np

from ...compiler.errors import InvalidType, invalid_in
from ...compiler.ops.index import key_from_index
from ...compiler.ops.registry import broadcast_shapes
from ...tracing import Traced
from .._core import Variable, axis_tuple, call, checked, var


def _shape_arg(shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def reshape(x, shape) -> Variable:
    """`x` with a new shape (one dimension may be -1)."""
    x = var(x)
    shape = _shape_arg(shape)
    unknown = [i for i, d in enumerate(shape) if d == -1]
    if len(unknown) > 1:
        raise invalid_in("Reshape", InvalidType("at most one -1 in shape", str(shape)))
    if unknown:
        known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
        if known == 0 or x.size % known:
            raise invalid_in("Reshape", InvalidType(
                "x.size is divisible by the known dimensions",
                f"cannot reshape {x.shape} to {shape}"))
        shape = tuple(x.size // known if d == -1 else d for d in shape)
    if shape == x.shape:
        return x  # Chainer returns the input itself
    return call("reshape", x, shape=shape)


def transpose(x, axes=None) -> Variable:
    """Permute the axes of `x` (reverse them by default)."""
    x = var(x)
    if axes is None:
        axes = tuple(reversed(range(x.ndim)))
    else:
        axes = tuple(int(a) % x.ndim if x.ndim and -x.ndim <= int(a) < x.ndim else int(a)
                     for a in axes)
    return call("transpose", x, axes=axes)


def swapaxes(x, axis1: int, axis2: int) -> Variable:
    """Interchange two axes of `x`."""
    x = var(x)
    axes = list(range(x.ndim))
    a, b = axis_tuple("SwapAxes", axis1, x.ndim)[0], axis_tuple("SwapAxes", axis2, x.ndim)[0]
    axes[a], axes[b] = axes[b], axes[a]
    return call("transpose", x, axes=tuple(axes))


def broadcast_to(x, shape) -> Variable:
    """`x` broadcast to `shape`; its gradient sums back."""
    x = var(x)
    shape = _shape_arg(shape)
    if shape == x.shape:
        return x
    return call("broadcast_to", x, shape=shape)


def broadcast(*args):
    """Broadcast several arrays to their common shape."""
    xs = [var(a) for a in args]
    shape = checked("Broadcast", broadcast_shapes, [x.shape for x in xs],
                    [f"x{i}" for i in range(len(xs))])
    out = tuple(broadcast_to(x, shape) for x in xs)
    return out[0] if len(out) == 1 else out


def sum_to(x, shape) -> Variable:
    """Sum `x` down to `shape` (the inverse of broadcasting)."""
    x = var(x)
    shape = _shape_arg(shape)
    if shape == x.shape:
        return x
    return call("sum_to", x, shape=shape)


def get_item(x, slices) -> Variable:
    """x[slices]: basic slicing and integer-array (or mask) indexing."""
    x = var(x)
    if isinstance(slices, tuple):
        slices = tuple(_concrete_mask(s) for s in slices)
    else:
        slices = _concrete_mask(slices)
    try:
        key, arrays = key_from_index(slices, x.ndim)
    except (IndexError, TypeError) as e:
        raise invalid_in("GetItem", InvalidType("a valid index", str(e))) from None
    if not any(isinstance(_array(a), Traced) for a in arrays):
        _check_index_values(x.shape, key, arrays)
    return call("getitem", x, *arrays, key=key)


def select_item(x, t) -> Variable:
    """x[i, t[i]] for each row i: the item of every row that t selects."""
    return call("select_item", var(x), var(t))


def _array(a):
    return a.array if isinstance(a, Variable) else a


def _concrete_mask(s):
    """A boolean mask Variable with values becomes its array (its nonzero
    positions are the index); other index Variables stay in the graph."""
    if isinstance(s, Variable) and s.dtype == np.bool_ and not isinstance(s.array, Traced):
        return s.array
    return s


def _check_index_values(shape, key, arrays):
    """Integer arrays out of bounds: an error here, not a wrong gradient later."""
    from ...compiler.ops.index import expand_key
    try:
        key = expand_key(key, len(shape))
    except InvalidType as e:
        raise invalid_in("GetItem", e) from None
    d = 0
    for item in key:
        if item[0] == "n":
            continue
        if item[0] == "a":
            a = np.asarray(_array(arrays[item[1]]))
            size = shape[d]
            if a.size and (a.max() >= size or a.min() < -size):
                raise invalid_in("GetItem", InvalidType(
                    f"-x.shape[{d}] <= index < x.shape[{d}]",
                    f"index {a.max() if a.max() >= size else a.min()} for axis {d} "
                    f"with size {size}"))
        d += 1


def expand_dims(x, axis: int) -> Variable:
    """`x` with a new axis of length one inserted at `axis`."""
    x = var(x)
    if not -x.ndim - 1 <= axis <= x.ndim:
        raise invalid_in("ExpandDims", InvalidType("-x.ndim - 1 <= axis <= x.ndim",
                                                    f"axis {axis} for x.ndim = {x.ndim}"))
    axis = axis % (x.ndim + 1)
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def squeeze(x, axis=None) -> Variable:
    """`x` without the axes of length one (or just those in `axis`)."""
    x = var(x)
    if axis is None:
        axes = tuple(i for i, d in enumerate(x.shape) if d == 1)
    else:
        axes = axis_tuple("Squeeze", axis, x.ndim)
        for a in axes:
            if x.shape[a] != 1:
                raise invalid_in("Squeeze", InvalidType(f"x.shape[{a}] == 1",
                                                         f"{x.shape[a]} != 1"))
    return reshape(x, tuple(d for i, d in enumerate(x.shape) if i not in axes))


def flatten(x) -> Variable:
    """`x` as a 1-D array."""
    x = var(x)
    return reshape(x, (x.size,))


def concat(xs, axis: int = 1) -> Variable:
    """Join arrays along an existing axis."""
    xs = [var(x) for x in xs]
    if not xs:
        raise ValueError("concat needs at least one array")
    axis = axis_tuple("Concat", axis, xs[0].ndim)[0]
    if len(xs) == 1:
        return xs[0]
    return call("concat", *xs, axis=axis)


def stack(xs, axis: int = 0) -> Variable:
    """Join arrays along a new axis."""
    xs = [expand_dims(var(x), axis) for x in xs]
    return concat(xs, axis=axis % xs[0].ndim if xs else 0)


def hstack(xs) -> Variable:
    xs = [var(x) for x in xs]
    return concat(xs, axis=0 if xs[0].ndim == 1 else 1)


def vstack(xs) -> Variable:
    xs = [var(x) for x in xs]
    if xs[0].ndim == 1:
        xs = [reshape(x, (1, -1)) for x in xs]
    return concat(xs, axis=0)


def split_axis(x, indices_or_sections, axis: int, force_tuple: bool = True):
    """Split `x` along `axis` into sections (a count or split points)."""
    x = var(x)
    axis = axis_tuple("SplitAxis", axis, x.ndim)[0]
    size = x.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        n = int(indices_or_sections)
        if n <= 0 or size % n:
            raise invalid_in("SplitAxis", InvalidType(
                f"x.shape[{axis}] % sections == 0", f"{size} % {n} != 0"))
        points = [size // n * i for i in range(1, n)]
    else:
        points = [int(p) for p in indices_or_sections]
    bounds = [0] + points + [size]
    prefix = (("s", None, None, None),) * axis
    out = tuple(call("getitem", x, key=prefix + (("s", a, b, None),))
                for a, b in zip(bounds, bounds[1:]))
    return out if force_tuple or len(out) > 1 else out[0]


def separate(x, axis: int = 0):
    """Split `x` into the slices along `axis` (each without that axis)."""
    x = var(x)
    axis = axis_tuple("Separate", axis, x.ndim)[0]
    prefix = (slice(None),) * axis
    return tuple(get_item(x, prefix + (i,)) for i in range(x.shape[axis]))


def identity(*xs):
    """The inputs themselves, as new Variables joined to the graph."""
    out = tuple(call("reshape", var(x), shape=var(x).shape) for x in xs)
    return out[0] if len(out) == 1 else out
