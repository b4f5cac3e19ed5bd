"""Chainer's utils: small helpers users reach for."""
from __future__ import annotations

import collections.abc
import contextlib
import shutil
import tempfile

import numpy as np

from . import type_check  # noqa: F401

collections_abc = collections.abc


def force_array(x, dtype=None):
    """`x` as an ndarray (NumPy returns scalars from some 0-d operations)."""
    if np.isscalar(x):
        return np.array(x) if dtype is None else np.array(x, dtype)
    return x if dtype is None else x.astype(dtype, copy=False)


def force_type(dtype, value):
    """`value` converted to `dtype` (a scalar or an array)."""
    if np.isscalar(value):
        return np.dtype(dtype).type(value)
    if value.dtype != dtype:
        return value.astype(dtype, copy=False)
    return value


def size_of_shape(shape) -> int:
    size = 1
    for d in shape:
        size *= int(d)
    return size


def sum_to(x, shape):
    """Sum array `x` down to `shape` (NumPy arrays)."""
    from ..compiler.ops.numpy_kernels import sum_to as _sum_to
    return _sum_to(x, tuple(shape))


@contextlib.contextmanager
def tempdir(**kwargs):
    """A temporary directory, removed when the block ends."""
    ignore_errors = kwargs.pop("ignore_errors", False)
    path = tempfile.mkdtemp(**kwargs)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=ignore_errors)


def _format_array_props(arrays) -> str:
    """'shape:dtype' of each array, for error messages."""
    assert isinstance(arrays, (list, tuple))
    return ", ".join("None" if a is None else f"{a.shape}:{a.dtype.name}"
                     for a in arrays)


def _raise_from(exc_type, message, orig_exc):
    """Raise `exc_type` whose message is `message` followed by the original
    exception's type and text, with the original's traceback."""
    new = exc_type(f"{message}\n\n(caused by)\n{type(orig_exc).__name__}: "
                   f"{orig_exc}\n")
    raise new.with_traceback(orig_exc.__traceback__) from None


def _repr_with_named_data(inst, **kwargs) -> str:
    named = " ".join(f"{k}={v}" for k, v in kwargs.items())
    return f"<{inst.__module__}.{type(inst).__qualname__} {named}>"


def _check_arrays_forward_compatible(arrays, label=None) -> None:
    from ..backend import is_arrays_compatible
    if not is_arrays_compatible(arrays):
        where = f" ({label})" if label is not None else ""
        raise TypeError("incompatible array types are mixed in the forward input"
                        f"{where}.\nActual: {', '.join(str(type(a)) for a in arrays)}")
