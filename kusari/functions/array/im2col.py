"""im2col: the patches a convolution reads, as channels."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import expect, expect_float


def _pair(v) -> tuple:
    if hasattr(v, "__getitem__"):
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _outsize(size: int, k: int, s: int, p: int, cover_all: bool, d: int) -> int:
    dk = k + (k - 1) * (d - 1)
    if cover_all:
        return (size + p * 2 - dk + s - 1) // s + 1
    return (size + p * 2 - dk) // s + 1


def im2col(x, ksize, stride=1, pad=0, cover_all: bool = False, dilate=1) -> Variable:
    """(n, c, h, w) -> (n, c * kh * kw, out_h, out_w): for every output
    position, the kh x kw patch of each channel it sees (zero padded by
    `pad`, windows `stride` apart, kernel taps `dilate` apart; `cover_all`
    adds windows so that every pixel is read)."""
    x = var(x)
    expect_float("Im2Col", x)
    expect("Im2Col", x.ndim == 4, "x.ndim == 4", f"{x.ndim} != 4")
    if x.ndim != 4:
        raise ValueError(f"im2col needs 4-D images, not shape {x.shape}")
    (kh, kw), (sy, sx), (ph, pw), (dy, dx) = (_pair(v) for v in (ksize, stride, pad, dilate))
    n, c, h, w = x.shape
    out_h = _outsize(h, kh, sy, ph, cover_all, dy)
    out_w = _outsize(w, kw, sx, pw, cover_all, dx)
    col = call("im2col_nd", x, ksize=(kh, kw), stride=(sy, sx), pad=(ph, pw), dilate=(dy, dx),
               outsize=(out_h, out_w), pval=0.0)
    return call("reshape", col, shape=(n, c * kh * kw, out_h, out_w))
