"""as_strided: a new view of x's memory with given shape and strides.

Chainer's as_strided reads the buffer under x (its shape, strides and
offset in its base array, in elements). Here that reading is an index: the
result takes, for each of its elements, the element of x that sits at that
memory position, so the gradient is scatter_add (gradients of elements read
twice add up). Where x covers a position more than once (x itself a
broadcast or overlapping view), the copies share its gradient equally, as
in Chainer; a position x does not cover reads the buffer's value as a
constant. A traced x has no buffer: it is read as a fresh C-contiguous array.
"""
from __future__ import annotations

import numpy as np

from ...tracing import Traced
from .._core import Variable, call, var


def _positions(shape, strides, offset) -> np.ndarray:
    """The memory position (in elements) of every element of a strided view."""
    pos = np.full(tuple(shape), int(offset), np.int64)
    for axis, (n, s) in enumerate(zip(shape, strides)):
        step = np.arange(n, dtype=np.int64) * int(s)
        pos = pos + step.reshape((n,) + (1,) * (len(shape) - axis - 1))
    return pos


def _base(array: np.ndarray) -> np.ndarray:
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _geometry(array: np.ndarray):
    """(base array, strides in elements, offset in elements) of `array`."""
    base = _base(array)
    item = array.itemsize
    if any(s % item for s in array.strides):
        raise ValueError("as_strided: strides must be multiples of the item size")
    offset = (array.__array_interface__["data"][0] -
              base.__array_interface__["data"][0]) // item
    return base, tuple(s // item for s in array.strides), offset


def _span(shape, strides, offset) -> tuple:
    """The lowest and highest position a strided view reads."""
    lo = hi = offset
    for n, s in zip(shape, strides):
        if n == 0:
            return offset, offset - 1
        lo += min(0, (n - 1) * s)
        hi += max(0, (n - 1) * s)
    return lo, hi


def _stride_array(array, shape, strides, storage_offset):
    """The view of `array`'s base buffer with `shape`, `strides` and
    `storage_offset` in elements; ValueError for positions outside it."""
    base = _base(array)
    size = base.nbytes // base.itemsize
    lo, hi = _span(shape, strides, storage_offset)
    if lo < 0:
        raise ValueError("Out of buffer: too small index was specified")
    if hi >= size:
        raise ValueError("Out of buffer: too large index was specified")
    item = base.itemsize
    return np.ndarray(tuple(shape), base.dtype, base.data, storage_offset * item,
                      tuple(s * item for s in strides))


def as_strided(x, shape, strides, storage_offset=None) -> Variable:
    """The elements of x's buffer at ``storage_offset + sum(i * strides)``
    for every index i of `shape` (strides and offset in elements)."""
    x = var(x)
    shape = tuple(int(d) for d in shape)
    strides = tuple(int(s) for s in strides)
    if len(shape) != len(strides):
        raise ValueError("as_strided: shape and strides must have the same length")
    arr = x.array
    if isinstance(arr, Traced) or not isinstance(arr, np.ndarray):
        base, x_strides, x_offset = None, tuple(
            int(np.prod(x.shape[i + 1:], dtype=np.int64)) for i in range(x.ndim)), 0
        size = x.size
    else:
        base, x_strides, x_offset = _geometry(arr)
        size = base.nbytes // base.itemsize
    if storage_offset is None:
        storage_offset = x_offset
    lo, hi = _span(shape, strides, storage_offset)
    if lo < 0:
        raise ValueError("Out of buffer: too small index was specified")
    if hi >= size:
        raise ValueError("Out of buffer: too large index was specified")
    out_pos = _positions(shape, strides, storage_offset)
    x_pos = _positions(x.shape, x_strides, x_offset).reshape(-1)
    flat = call("reshape", x, shape=(x.size,))
    count = np.bincount(x_pos, minlength=size) if x_pos.size else np.zeros(size, np.int64)
    read = out_pos.reshape(-1)
    covered = count[read] > 0 if read.size else np.zeros(0, bool)
    if covered.all() and (count <= 1).all():
        # every element read is one element of x: a gather
        where = np.full(size, -1, np.int64)
        where[x_pos] = np.arange(x_pos.size)
        return call("getitem", flat, var(where[out_pos]), key=(("a", 0),))
    # the buffer as x's elements (each copy weighted by 1 / its count), then read
    key = (("a", 0),)
    if (count <= 1).all():
        spread = flat
    else:
        if x.dtype.kind == "f":
            share = (1.0 / count[x_pos]).astype(x.dtype)
        else:                  # no gradient to share: the first copy stands for all
            first = np.zeros(x_pos.shape, bool)
            first[np.unique(x_pos, return_index=True)[1]] = True
            share = first.astype(x.dtype)
        spread = call("mul", flat, var(share))
    storage = call("scatter_add", spread, var(x_pos), key=key, shape=(size,))
    if not covered.all():
        if base is None:
            raise ValueError("as_strided: the view reads memory outside x")
        memory = np.ndarray((size,), base.dtype, base.data, 0, (base.itemsize,))
        gaps = np.where(count > 0, 0, memory).astype(x.dtype)
        storage = call("add", storage, var(gaps))
    return call("getitem", storage, var(out_pos), key=key)
