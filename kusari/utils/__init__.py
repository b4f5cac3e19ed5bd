"""Chainer's utils: small helpers users reach for."""
from __future__ import annotations

import collections.abc
import contextlib
import shutil
import tempfile

import numpy as np

from . import argument, type_check  # noqa: F401
from .array import size_of_shape, sum_to  # noqa: F401
from .conv import get_conv_outsize, get_deconv_outsize  # noqa: F401
from .error import _format_array_props  # noqa: F401
from .experimental import experimental  # noqa: F401
from .meta import enable_final, final  # noqa: F401
from .nondeterministic import nondeterministic  # noqa: F401
from .sparse import CooMatrix, get_order, to_coo  # noqa: F401

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


@contextlib.contextmanager
def tempdir(**kwargs):
    """A temporary directory, removed when the block ends."""
    ignore_errors = kwargs.pop("ignore_errors", False)
    path = tempfile.mkdtemp(**kwargs)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=ignore_errors)


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


def __getattr__(name):
    # WalkerAlias needs kusari.device_resident, which needs kusari.backend:
    # imported on first use (kusari.utils is imported early)
    if name == "WalkerAlias":
        from .walker_alias import WalkerAlias
        return WalkerAlias
    raise AttributeError(f"module 'kusari.utils' has no attribute {name!r}")
