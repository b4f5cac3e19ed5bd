"""Dtypes: short names for the text form, and the rules that keep them.

kusari keeps dtypes the way Chainer does: a Python scalar takes the dtype of the
array it meets, so a float32 model stays float32 under any NumPy version. The
rule for a scalar meeting an array is NumPy 2's "weak scalar" rule (NEP 50),
applied by kusari itself so that NumPy 1.x gives the same result.
"""
from __future__ import annotations

import numpy as np

_SHORT = {
    np.dtype(np.float16): "f16",
    np.dtype(np.float32): "f32",
    np.dtype(np.float64): "f64",
    np.dtype(np.int8): "i8",
    np.dtype(np.int16): "i16",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
    np.dtype(np.uint8): "u8",
    np.dtype(np.uint16): "u16",
    np.dtype(np.uint32): "u32",
    np.dtype(np.uint64): "u64",
    np.dtype(np.bool_): "bool",
}
_LONG = {v: k for k, v in _SHORT.items()}

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)


def short(dtype) -> str:
    """`f32` for float32 and so on: the names of the text form and the language."""
    name = _SHORT.get(dtype)
    if name is None:
        dtype = np.dtype(dtype)
        name = _SHORT.get(dtype)
        if name is None:
            name = _SHORT[dtype] = dtype.name
    return name


def from_short(name: str) -> np.dtype:
    """The dtype a short name (`f32`) or a NumPy name (`float32`) stands for."""
    if name in _LONG:
        return _LONG[name]
    return np.dtype(name)


def is_float(dtype) -> bool:
    return dtype.kind == "f"


def scalar_dtype(dtype: np.dtype, value) -> np.dtype:
    """The dtype of `array <op> value` for a Python scalar `value` (NEP 50).

    The array's dtype wins unless the scalar is of a higher kind: an int array
    meeting a float becomes float64, a bool array meeting an int becomes int64.
    """
    kind = dtype.kind
    if isinstance(value, (bool, np.bool_)):
        return dtype
    if isinstance(value, (int, np.integer)):
        return int64 if kind == "b" else dtype
    if isinstance(value, (float, np.floating)):
        return dtype if kind in "fc" else float64
    if isinstance(value, complex):
        raise TypeError("kusari does not support complex numbers")
    raise TypeError(f"unsupported scalar type: {type(value).__name__}")


def default_dtype(value) -> np.dtype:
    """The dtype a lone Python scalar gets (NumPy's defaults)."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    return float64
