"""scatter_add: a with b added at slices (NumPy's add.at)."""
from __future__ import annotations

from ...tracing import Traced
from .._core import Variable, call, var
from ._util import expect
from .get_item import _array, check_index_values, index_key, normalize_slices


def scatter_add(a, slices, b) -> Variable:
    """a + b added at `slices` of it (repeated indices add up); the gradient
    to a is gy, to b gy[slices]."""
    a, b = var(a), var(b)
    slices = normalize_slices(slices)
    used = len([s for s in slices if s is not None])
    expect("ScatterAdd", a.ndim >= used, "a.ndim >= valid_slice", f"{a.ndim} < {used}")
    key, arrays = index_key("ScatterAdd", slices, a.ndim)
    if not any(isinstance(_array(t), Traced) for t in arrays):
        check_index_values("ScatterAdd", a.shape, key, arrays)
    from ...compiler.ops.index import result_shape
    target = result_shape(a.shape, key, [getattr(t, "shape", None) for t in arrays])
    if target != b.shape:
        raise ValueError("Chainer does not support automatic broadcasting of variables.")
    if b.dtype != a.dtype:
        b = call("cast", b, dtype=a.dtype)
    return call("add", a, call("scatter_add", b, *arrays, key=key, shape=a.shape))
