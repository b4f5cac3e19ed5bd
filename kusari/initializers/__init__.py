"""kusari.initializers: Chainer's initializers, in Chainer's modules.

Random initializers draw float64 values from NumPy's global generator (or
`rng=`) and cast them, making the draws Chainer makes in the order it makes
them, so under `numpy.random.seed(s)` parameters equal Chainer's bit for bit.
"""
from __future__ import annotations

import numpy

from ..initializer import Initializer, get_fans  # noqa: F401
from .constant import Constant, Identity, NaN, One, Zero
from .normal import GlorotNormal, HeNormal, LeCunNormal, Normal
from .orthogonal import Orthogonal
from .sampling import DownsamplingConvFilter, UpsamplingDeconvFilter
from .uniform import GlorotUniform, HeUniform, LeCunUniform, Uniform
from ._device import array_types

__all__ = ["Constant", "Identity", "NaN", "One", "Zero", "GlorotNormal", "HeNormal",
           "LeCunNormal", "Normal", "Orthogonal", "DownsamplingConvFilter",
           "UpsamplingDeconvFilter", "GlorotUniform", "HeUniform", "LeCunUniform",
           "Uniform", "generate_array"]


def _config_dtype(dtype):
    from ..configuration import state
    return numpy.dtype(state.dtype if dtype is None else dtype)


def generate_array(initializer, shape, xp, dtype=None, device=None):
    """A new array of `shape` on `xp` (or `device`) filled by `initializer`.

    Its dtype is `dtype`, else the initializer's `dtype`, else
    `config.dtype`; a `dtype` that contradicts the initializer's is a
    ValueError."""
    dtype_attr = getattr(initializer, "dtype", None)
    if dtype is not None and dtype_attr is not None \
            and numpy.dtype(dtype) != numpy.dtype(dtype_attr):
        raise ValueError(f"dtype mismatch: {dtype} != {dtype_attr}")
    dtype = _config_dtype(dtype_attr if dtype is None else dtype)
    if device is not None:
        from .. import backend
        target = backend.get_device(device)
        if xp is not target.xp:
            raise ValueError("xp and device arguments are inconsistent.")
        with backend.using_device(target):
            array = xp.empty(shape, dtype=dtype)
            initializer(array)
        return array
    array = xp.empty(shape, dtype=dtype)
    initializer(array)
    return array


def _get_initializer(initializer):
    """What links make of an `initialW`-style argument: None is LeCunNormal,
    a scalar or an array a Constant, a callable itself."""
    if initializer is None:
        return LeCunNormal()
    if isinstance(initializer, (str, bytes)):        # (a scalar to NumPy)
        raise TypeError(f"invalid type of initializer: {type(initializer)}")
    if isinstance(initializer, array_types()) or numpy.isscalar(initializer):
        return Constant(initializer)
    if not callable(initializer):
        raise TypeError(f"invalid type of initializer: {type(initializer)}")
    return initializer


def _check_is_initializer_like(initializer) -> None:
    if not (initializer is None or isinstance(initializer, Initializer)
            or callable(initializer) or isinstance(initializer, array_types())
            or numpy.isscalar(initializer)):
        raise TypeError(f"Initializer is of wrong type: {type(initializer)}. Allowed "
                        "types are Initializer, ndarray and scalar.")
