"""Deformable convolution's sampler (Dai et al., 2017): each filter tap reads x
at its position moved by a learned offset, sampled bilinearly, then a
convolution's matmul. Differentiable in x, the offsets, W and b."""
from __future__ import annotations

__all__ = ["deformable_convolution_2d_sampler"]

import numpy as np

from .._core import Variable, call, operand, sent, var
from ..array.pad import pad as pad_array
from ..array.spatial_transformer_sampler import spatial_transformer_sampler
from .convolution_nd import as_tuple


def _grid(offset: Variable, kh, kw, sy, sx, ph, pw, h, w) -> Variable:
    """The sampling points (n, 2, kh kw, out_h, out_w) in the sampler's [-1, 1]
    coordinates of the padded image: each output position's window moved by
    the offsets (the first kh kw channels along x, the next along y)."""
    n, _, out_h, out_w = offset.shape
    taps = kh * kw
    dt = offset.dtype
    base_y = (np.arange(out_h) * sy)[:, None] + np.zeros(out_w)            # (oh, ow)
    base_x = np.zeros(out_h)[:, None] + np.arange(out_w) * sx
    tap_y = np.repeat(np.arange(kh), kw)[:, None, None]                     # (taps, 1, 1)
    tap_x = np.tile(np.arange(kw), kh)[:, None, None]
    fixed_x = ((base_x[None] + tap_x) / (w + 2 * pw - 1)).astype(dt)
    fixed_y = ((base_y[None] + tap_y) / (h + 2 * ph - 1)).astype(dt)
    key = ("s", None, None, None)
    off_x = call("getitem", offset, key=(key, ("s", 0, taps, None)))
    off_y = call("getitem", offset, key=(key, ("s", taps, 2 * taps, None)))

    def coordinate(off, fixed, size):
        scaled = call("add", call("mul", off, operand(1.0 / (size - 1), off)),
                      operand(sent(fixed, off), off))
        return call("sub", call("mul", scaled, operand(2.0, off)), operand(1.0, off))
    gx = coordinate(off_x, fixed_x, w + 2 * pw)
    gy = coordinate(off_y, fixed_y, h + 2 * ph)
    return call("concat", call("reshape", gx, shape=(n, 1, taps, out_h, out_w)),
                call("reshape", gy, shape=(n, 1, taps, out_h, out_w)), axis=1)


def deformable_convolution_2d_sampler(x, offset, W, b=None, stride=1, pad=0) -> Variable:
    """x (n, c, h, w) convolved with W (c_O, c, kh, kw) (and b), each tap of
    each window read at its position plus offset (n, 2 kh kw, out_h, out_w):
    the first kh kw channels move taps along x, the next along y."""
    x, offset, W = var(x), var(offset), var(W)
    sy, sx = as_tuple(stride, 2, "stride")
    ph, pw = as_tuple(pad, 2, "pad")
    out_c, _, kh, kw = W.shape
    n, c, h, w = x.shape
    _, taps2, out_h, out_w = offset.shape
    if taps2 != 2 * kh * kw:
        raise ValueError("The shape of the offset does not match the kernel size")
    grid = _grid(offset, kh, kw, sy, sx, ph, pw, h, w)
    grid = call("reshape", grid, shape=(n, 2, kh * kw, out_h * out_w))
    x_pad = pad_array(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), "constant")
    sampled = spatial_transformer_sampler(x_pad, grid)           # (n, c, kh kw, oh ow)
    rows = call("reshape", call("transpose", sampled, axes=(0, 3, 1, 2)),
                shape=(n * out_h * out_w, c * kh * kw))
    w2 = call("reshape", call("transpose", W, axes=(1, 2, 3, 0)), shape=(c * kh * kw, out_c))
    y = call("matmul", rows, w2)
    if b is not None:
        y = call("add", y, var(b))
    y = call("reshape", y, shape=(n, out_h, out_w, out_c))
    return call("transpose", y, axes=(0, 3, 1, 2))
