"""resize_images: images resampled to a new height and width."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, sent, var
from ._util import expect


def _positions(out_size: int, size: int, mode: str, align_corners: bool):
    """Chainer's sampling positions: (index, weight of the next index)."""
    if mode == "bilinear":
        if align_corners:
            p = np.linspace(0, size - 1, num=out_size, dtype=np.float64)
        else:
            p = np.maximum((np.arange(out_size, dtype=np.float64) + 0.5) * (size / out_size)
                           - 0.5, 0)
        w, p = np.modf(p)
    else:
        p = np.minimum(np.floor(np.arange(out_size, dtype=np.float64) * (size / out_size)),
                       size - 1)
        w = np.zeros_like(p)
    return p.astype(np.intp), w


def _along(x: Variable, axis: int, index: np.ndarray) -> Variable:
    key = (("s", None, None, None),) * axis + (("a", 0),)
    return call("getitem", x, var(index), key=key)


def _interpolate(x: Variable, axis: int, out_size: int, mode: str,
                 align_corners: bool) -> Variable:
    size = x.shape[axis]
    i0, w = _positions(out_size, size, mode, align_corners)
    y0 = _along(x, axis, i0)
    if mode == "nearest" or not w.any():
        return y0
    i1 = np.minimum(i0 + 1, size - 1)
    shape = (out_size,) + (1,) * (x.ndim - axis - 1)
    w1 = var(sent(w.astype(x.dtype).reshape(shape), x))
    w0 = var(sent((1 - w.astype(x.dtype)).reshape(shape), x))
    return call("add", call("mul", y0, w0), call("mul", _along(x, axis, i1), w1))


def resize_images(x, output_shape, *, mode: str = "bilinear",
                  align_corners: bool = True) -> Variable:
    """(n, c, h, w) float32 images resampled to (n, c) + output_shape,
    bilinearly (corners aligned or not) or by the nearest pixel."""
    if mode not in ("bilinear", "nearest"):
        raise ValueError(f"mode must be 'bilinear' or 'nearest', not {mode!r}")
    x = var(x)
    expect("ResizeImages", x.dtype == np.float32, "x.dtype == float32", f"{x.dtype} != float32")
    expect("ResizeImages", x.ndim == 4, "x.ndim == 4", f"{x.ndim} != 4")
    if x.ndim != 4:
        raise ValueError(f"resize_images needs 4-D images, not shape {x.shape}")
    out_h, out_w = (int(s) for s in output_shape)
    y = _interpolate(x, 2, out_h, mode, align_corners)
    return _interpolate(y, 3, out_w, mode, align_corners)
