"""Numbers meeting a declared dtype: stored exactly, or refused in words.

Every value that enters a program passes here: arguments from Python or the
command line (`convert`), and literals and static numbers where they meet an
array (`fit_error`). A value that does not fit is an error, never wrapped
(2147483648 as i32) nor truncated (1.7 as i32); floats round to the nearest
value of their dtype, as floats do, but never overflow to infinity.
"""
from __future__ import annotations

import math
import numbers
import operator

import numpy as np

from . import types as T

I64 = np.iinfo(np.int64)


def fit_error(value, dtype) -> str | None:
    """Why the Python number `value` cannot become a `dtype` value (a short
    name, or a NumPy dtype), or None."""
    target, dtype = _target(dtype)
    if isinstance(value, (bool, np.bool_)):
        return None                      # true and false are 1 and 0 in any dtype
    if target.kind == "b":
        return f"{_show(value)} is not a boolean (true or false)"
    if target.kind in "iu":
        if isinstance(value, (float, np.floating)):
            if not math.isfinite(value) or not float(value).is_integer():
                return f"{_show(value)} is not an integer, and {dtype} holds integers"
            value = int(value)
        info = np.iinfo(target)
        if not info.min <= value <= info.max:
            return (f"{_show(value)} does not fit {dtype} (it holds integers from "
                    f"{info.min} to {info.max})")
        return None
    largest = float(np.finfo(target).max)
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return None                      # inf and nan are floats of every width
    if abs(value) > largest:
        return (f"{_show(value)} does not fit {dtype} (its largest value is "
                f"{largest:.6g}; it would become infinity)")
    return None


def literal_error(value, written: str) -> str | None:
    """Why the number `written` in a program (its value, or None when it is an
    integer too long to hold) is not a number kusari can hold."""
    if isinstance(value, float) and math.isinf(value):
        return (f"the number {written} is too large: the widest float, f64, holds up "
                f"to {float(np.finfo(np.float64).max):.6g}")
    if value is None or isinstance(value, int) and not I64.min <= value <= I64.max:
        shown = written if len(written) <= 40 else f"{written[:20]}... ({len(written)} digits)"
        return (f"the integer {shown} is too large: integers are at most i64, which "
                f"holds up to {I64.max} (for a float, write it with an exponent, e.g. "
                "1e30)")
    return None


_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
        "**": operator.pow, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
        "and": lambda x, y: x and y, "or": lambda x, y: x or y}


def static_op(op: str, a, b):
    """`a op b` for numbers known when compiling: integers stay within i64 and
    floats finite, or ValueError says why not."""
    written = " ".join((_operand(a), op, _operand(b)))
    if op == "**" and isinstance(a, int) and isinstance(b, int) and b > 0 and \
            abs(a) > 1 and b * math.log2(abs(a)) > 64:       # do not compute 2**10**10
        raise ValueError(f"{written} is too large for i64")
    try:
        value = _OPS[op](a, b)
    except ZeroDivisionError:
        raise ValueError(f"{written}: division by zero") from None
    except OverflowError:
        raise ValueError(f"{written} is too large for f64") from None
    if isinstance(value, complex):
        raise ValueError(f"{written} is not a real number")
    if isinstance(value, int) and not isinstance(value, bool) and \
            not I64.min <= value <= I64.max:
        raise ValueError(f"{written} is too large for i64 (it holds up to {I64.max})")
    if isinstance(value, float) and math.isinf(value) and \
            all(math.isfinite(v) for v in (a, b)):
        raise ValueError(f"{written} is too large for f64")
    return value


class BadValue(ValueError):
    """A value that cannot be an argument of its declared type."""


def convert(value, dtype) -> np.ndarray:
    """`value` (a number, nested lists, an array) as an array of `dtype` (a
    short name or a NumPy dtype), or BadValue saying why it cannot be one."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as e:
        raise BadValue("the value is not a rectangular array of numbers "
                       f"({str(e).split('. ')[0].strip()})") from None
    target, dtype = _target(dtype)
    kind = array.dtype.kind
    if kind == "O":
        return _convert_objects(array, dtype, target)
    if kind not in "biuf":
        what = {"U": "text", "S": "bytes", "c": "complex numbers", "M": "dates",
                "m": "time spans", "V": "records"}.get(kind, f"{array.dtype} values")
        raise BadValue(f"the value holds {what}, not numbers")
    if array.dtype == target or array.size == 0 or kind == "b":
        return array.astype(target)
    if target.kind == "b":
        _refuse_first(array[(array != 0) & (array != 1)], dtype)
    elif target.kind in "iu":
        if kind == "f":
            _refuse_first(array[~np.isfinite(array) | (array != np.trunc(array))], dtype)
        _refuse_first(np.asarray([v for v in (array.min(), array.max())
                                  if fit_error(v.item(), dtype)]), dtype)
    else:
        finite = array[np.isfinite(array)] if kind == "f" else array
        if finite.size:
            _refuse_first(np.asarray([v for v in (finite.min(), finite.max())
                                      if fit_error(v.item(), dtype)]), dtype)
    return array.astype(target)


def _convert_objects(array: np.ndarray, dtype: str, target) -> np.ndarray:
    """Object arrays: NumPy's form of lists with integers beyond 64 bits."""
    for v in array.flat:
        if not isinstance(v, (numbers.Real, np.bool_)) or isinstance(v, np.ndarray):
            what = "nothing (None)" if v is None else f"{type(v).__name__} values"
            raise BadValue(f"the value holds {what}, not numbers")
        problem = fit_error(v, dtype)
        if problem:
            raise BadValue(problem)
    return np.array(array.tolist(), dtype=target)


def _target(dtype) -> tuple:
    """(the NumPy dtype, its short name) for a short name or a NumPy dtype."""
    if isinstance(dtype, str):
        return np.dtype(T.DTYPES[dtype]), dtype
    from ..compiler import dtypes
    return np.dtype(dtype), dtypes.short(np.dtype(dtype))


def _refuse_first(bad: np.ndarray, dtype: str) -> None:
    if bad.size:
        v = bad.flat[0].item()
        raise BadValue(fit_error(v, dtype) or f"{_show(v)} does not fit {dtype}")


def _operand(value) -> str:
    return f"({_show(value)})" if value < 0 else _show(value)


def _show(value) -> str:
    """A number as the user wrote it (long integers shortened)."""
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text)} digits)"
