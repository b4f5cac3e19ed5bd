"""spatial_transformer_sampler: images read bilinearly at grid points."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, operand, var
from ._util import expect
from .pad import constant_pad
from .spatial_transformer_grid import _no_cudnn_kwargs


def _clip(v: Variable, lo, hi) -> Variable:
    return call("minimum", call("maximum", v, operand(lo, v)), operand(hi, v))


def spatial_transformer_sampler(x, grid, **kwargs) -> Variable:
    """x (n, c, h, w) sampled bilinearly at `grid` (n, 2, oh, ow), whose
    (x, y) points span [-1, 1] over the image; outside it the image is zero.
    Differentiable in x and in grid."""
    _no_cudnn_kwargs("spatial_transformer_sampler", kwargs)
    x, grid = var(x), var(grid)
    ok = (x.dtype.kind == "f" and grid.dtype == x.dtype and x.ndim == 4 and grid.ndim == 4
          and grid.shape[1] == 2 and x.shape[0] == grid.shape[0])
    expect("SpatialTransformerSampler", ok,
           "x.dtype.kind == f, grid.dtype == x.dtype, x.ndim == 4, grid.ndim == 4, "
           "grid.shape[1] == 2, x.shape[0] == grid.shape[0]",
           f"x: {x.dtype}{list(x.shape)}, grid: {grid.dtype}{list(grid.shape)}")
    if not ok:
        raise ValueError("spatial_transformer_sampler: x (n, c, h, w) and grid "
                         "(n, 2, oh, ow) of one float dtype")
    B, C, H, W = x.shape
    _, _, oh, ow = grid.shape
    P = oh * ow
    g = call("reshape", grid, shape=(B, 2, P))
    u = call("getitem", g, key=(("s", None, None, None), ("i", 0)))
    v = call("getitem", g, key=(("s", None, None, None), ("i", 1)))
    x_pad = constant_pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), 0)

    def corners(p: Variable, size: int):
        # the position in the padded image, clipped; its two neighbours
        p = call("add", call("mul", call("add", p, operand(1, p)), operand((size - 1) / 2, p)),
                 operand(1, p))
        pc = _clip(p, 0, size + 1)
        p0 = _clip(call("floor", pc), 0, size)
        p1 = call("add", p0, operand(1, p0))
        i0 = call("cast", p0, dtype=np.dtype(np.int32))
        i1 = call("cast", p1, dtype=np.dtype(np.int32))
        return pc, p0, p1, i0, i1

    uc, u0, u1, iu0, iu1 = corners(u, W)
    vc, v0, v1, iv0, iv1 = corners(v, H)
    batch = var(np.arange(B).reshape(B, 1))
    key = (("a", 0), ("s", None, None, None), ("a", 1), ("a", 2))

    def pixels(iv, iu):                  # (B, P, C)
        return call("getitem", x_pad, batch, iv, iu, key=key)

    def weight(a, b):                    # (B, P, 1)
        return call("reshape", call("mul", a, b), shape=(B, P, 1))

    du1, du0 = call("sub", u1, uc), call("sub", uc, u0)
    dv1, dv0 = call("sub", v1, vc), call("sub", vc, v0)
    y = call("mul", weight(du1, dv1), pixels(iv0, iu0))
    y = call("add", y, call("mul", weight(du0, dv1), pixels(iv0, iu1)))
    y = call("add", y, call("mul", weight(du1, dv0), pixels(iv1, iu0)))
    y = call("add", y, call("mul", weight(du0, dv0), pixels(iv1, iu1)))
    y = call("reshape", y, shape=(B, oh, ow, C))
    return call("transpose", y, axes=(0, 3, 1, 2))
