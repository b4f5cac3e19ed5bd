"""pad: surround an array with constants or with its own edges."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, var
from ._util import expect_float

# modes whose values are elements of x (an index per output element)
_INDEX_MODES = ("edge", "reflect", "symmetric", "wrap")


def pairs(ndim: int, value, name: str) -> tuple:
    """`value` (a scalar, a pair, or a pair per axis) as ((before, after),) * ndim
    (NumPy's reading of pad_width and constant_values)."""
    try:
        arr = np.broadcast_to(np.asarray(value), (ndim, 2))
    except ValueError:
        raise ValueError(f"{name} {value!r} cannot be read as (before, after) for "
                         f"each of {ndim} axes") from None
    return tuple((a.item(), b.item()) for a, b in arr)


def constant_pad(x: Variable, widths: tuple, values) -> Variable:
    """The pad op: x surrounded by constants (a scalar or per axis and side)."""
    if not isinstance(values, tuple):
        values = ((values, values),) * x.ndim
    return call("pad", x, pad_width=widths, values=values)


def pad(x, pad_width, mode, **keywords) -> Variable:
    """NumPy's pad of a float array: mode 'constant' (with `constant_values`),
    'edge', 'reflect', 'symmetric' or 'wrap'. The gradient is the true one
    for every mode (Chainer's, a slice of gy, is only right for 'constant')."""
    x = var(x)
    expect_float("Pad", x)
    widths = pairs(x.ndim, pad_width, "pad_width")
    widths = tuple((int(a), int(b)) for a, b in widths)
    if any(a < 0 or b < 0 for a, b in widths):
        raise ValueError(f"pad_width must be non-negative, got {pad_width!r}")
    if mode == "constant":
        unknown = set(keywords) - {"constant_values"}
        if unknown:
            raise ValueError(f"unsupported keyword arguments for mode 'constant': "
                             f"{sorted(unknown)}")
        values = pairs(x.ndim, keywords.get("constant_values", 0), "constant_values")
        return constant_pad(x, widths, values)
    if mode in _INDEX_MODES:
        if set(keywords) - {"reflect_type"} or keywords.get("reflect_type", "even") != "even":
            raise ValueError(f"pad: mode {mode!r} takes no arguments but reflect_type='even'"
                             f" (got {keywords})")
        if x.size == 0 and any(a or b for a, b in widths):
            raise ValueError(f"can't extend empty axes with mode {mode!r}")
        index = []
        for axis, (d, (a, b)) in enumerate(zip(x.shape, widths)):
            idx = np.pad(np.arange(d), (a, b), mode=mode)
            shape = [1] * x.ndim
            shape[axis] = idx.size
            index.append(idx.reshape(shape))
        from .get_item import index_key
        key, arrays = index_key("Pad", tuple(index), x.ndim)
        return call("getitem", x, *arrays, key=key)
    raise ValueError(f"pad: mode {mode!r} is not supported (kusari pads with 'constant', "
                     f"'edge', 'reflect', 'symmetric' and 'wrap')")
