"""Where each output of an ROI pooling or ROI align reads the images: plans
computed in NumPy from the boxes (data, not differentiated: the boxes get
no gradient, as in Chainer). The ROI functions are gathers from these plans
(getitem, whose gradient is scatter_add) followed by means or maxima (argmax and take_axis), so
their gradients are registry ops.

roi_bins: for each (roi, output y, output x), the flat indices into the
images' (N H W) positions of its bin, row-major, padded with -1 to the
largest bin: int64 (R, outh, outw, L). Boxes are (ymin, xmin, ymax, xmax)
with separate image indices (`mode` "yx", the roi_*_pooling_2d functions),
or (index, xmin, ymin, xmax, ymax) (`mode` "ixy", roi_pooling_2d, whose
sizes count both ends).

roi_samples: for each (roi, output y, output x, sampling point), the four
bilinear neighbours' flat indices, their weights and whether the point lies
on the image: float64 (R, outh, outw, S, 9), columns index x4, weight x4,
valid; and the number of points per bin of each roi (R,). Points are a sampling grid of each bin (sampling_ratio, or
ceil(bin size) per axis), as in Chainer's ROI align; coordinates in float64.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ...backends import cuda
from .._core import call


def scaled(values, spatial_scale) -> np.ndarray:
    """Box coordinates times the scale, as Chainer (NumPy 1) computes them: in
    float32 where both are float32, else in float64."""
    values = np.asarray(values)
    if values.dtype == np.float32 and isinstance(spatial_scale, np.float32):
        return (values * spatial_scale).astype(np.float64)
    return values.astype(np.float64) * float(spatial_scale)


def _boxes(rois, roi_indices, mode):
    """(batch index, ymin, xmin, ymax, xmax) per roi."""
    rois = np.asarray(rois)
    if mode == "ixy":
        return rois[:, 0].astype(np.int64), rois[:, 2], rois[:, 1], rois[:, 4], rois[:, 3]
    return (np.asarray(roi_indices).astype(np.int64), rois[:, 0], rois[:, 1], rois[:, 2],
            rois[:, 3])


def _bin(i: int, stride: float, size: int, offset: int) -> tuple:
    """Chainer's _roi_pooling_slice: [start, end) of output i's bin."""
    start = min(max(int(math.floor(i * stride)) + offset, 0), size)
    end = min(max(int(math.ceil((i + 1) * stride)) + offset, 0), size)
    return start, end


def roi_bins(rois, roi_indices=None, *, mode, height, width, outh, outw, spatial_scale):
    index, *box = _boxes(rois, roi_indices, mode)
    ymin, xmin, ymax, xmax = (np.round(scaled(v, spatial_scale)).astype(np.int64)
                              for v in box)
    extra = 1 if mode == "ixy" else 0
    bins = []
    longest = 1
    for r in range(len(index)):
        y0, x0, y1, x1 = int(ymin[r]), int(xmin[r]), int(ymax[r]), int(xmax[r])
        sh = max(y1 - y0 + extra, 1) / outh
        sw = max(x1 - x0 + extra, 1) / outw
        rows = [_bin(i, sh, height, y0) for i in range(outh)]
        cols = [_bin(j, sw, width, x0) for j in range(outw)]
        base = int(index[r]) * height * width
        for a, b in rows:
            for c, d in cols:
                cells = (base + np.arange(a, b)[:, None] * width + np.arange(c, d)).ravel()
                bins.append(cells)
                longest = max(longest, cells.size)
    out = np.full((len(bins), longest), -1, np.int64)
    for k, cells in enumerate(bins):
        out[k, :cells.size] = cells
    return out.reshape(len(index), outh, outw, longest)


def _bounds(p: float, limit: int):
    """Chainer's _get_bounds: the clamped coordinate and its neighbours."""
    if p < -1 or p > limit:
        return None, None, None
    low = int(math.floor(p))
    if low == limit:
        low -= 1
    high = low + 1
    if low <= -1:
        p = 0.0
    elif high >= limit:
        p = float(limit - 1)
    return p, low, high


def roi_samples(rois, roi_indices, *, height, width, outh, outw, spatial_scale,
                sampling_ratio):
    index, *box = _boxes(rois, roi_indices, "yx")
    ymin, xmin, ymax, xmax = (scaled(v, spatial_scale) for v in box)
    n = len(index)
    grids = []
    for r in range(n):
        rh = max(ymax[r] - ymin[r], 1.0)
        rw = max(xmax[r] - xmin[r], 1.0)
        gh = sampling_ratio[0] or int(math.ceil(rh / outh))
        gw = sampling_ratio[1] or int(math.ceil(rw / outw))
        grids.append((rh, rw, gh, gw))
    s_max = max([gh * gw for _, _, gh, gw in grids] + [1])
    plan = np.zeros((n, outh, outw, s_max, 9))
    counts = np.array([gh * gw for _, _, gh, gw in grids], np.float64)
    for r, (rh, rw, gh, gw) in enumerate(grids):
        y_start, x_start = ymin[r], xmin[r]
        bh, bw = rh / outh, rw / outw
        base = int(index[r]) * height * width
        for ph in range(outh):
            for pw in range(outw):
                for iy in range(gh):
                    y, y_lo, y_hi = _bounds(y_start + ph * bh + (iy + .5) * bh / gh, height)
                    if y is None:
                        continue
                    for ix in range(gw):
                        x, x_lo, x_hi = _bounds(x_start + pw * bw + (ix + .5) * bw / gw,
                                                width)
                        if x is None:
                            continue
                        ly, lx, hy, hx = y - y_lo, x - x_lo, y_hi - y, x_hi - x
                        corners = ((y_lo, x_lo, hy * hx), (y_lo, x_hi, hy * lx),
                                   (y_hi, x_lo, ly * hx), (y_hi, x_hi, ly * lx))
                        row = plan[r, ph, pw, iy * gw + ix]
                        for q, (cy, cx, w) in enumerate(corners):
                            if w > 0 and 0 <= cy <= height - 1 and 0 <= cx <= width - 1:
                                row[q] = base + cy * width + cx
                                row[4 + q] = w
                        row[8] = 1.0
    return plan, counts


# -- what the ROI functions share -------------------------------------------------------

def pair(x):
    if isinstance(x, (tuple, list)) or (hasattr(x, "__iter__") and not isinstance(x, str)):
        return tuple(x)
    return x, x


def check_arguments(outsize, spatial_scale, sampling_ratio=(None, None), align=False):
    """Chainer's argument checks (TypeError) of the ROI functions."""
    outh, outw = pair(outsize)
    for name, v in (("outsize[0]", outh), ("outsize[1]", outw)):
        if not (isinstance(v, numbers.Integral) and v > 0):
            raise TypeError(f"{name} must be positive integer: {type(v)}, {v}")
    if isinstance(spatial_scale, numbers.Integral):
        spatial_scale = float(spatial_scale)
    if not (isinstance(spatial_scale, numbers.Real) and spatial_scale > 0):
        raise TypeError(f"spatial_scale must be a positive float number: "
                        f"{type(spatial_scale)}, {spatial_scale}")
    if align:
        sampling_ratio = pair(sampling_ratio)
        if not all((isinstance(s, numbers.Integral) and s >= 1) or s is None
                   for s in sampling_ratio):
            raise TypeError(f"sampling_ratio must be integer >= 1 or a pair of it: "
                            f"{sampling_ratio}")
        sampling_ratio = tuple(None if s is None else int(s) for s in sampling_ratio)
    return int(outh), int(outw), spatial_scale, sampling_ratio


def concrete(label: str, v):
    """The array of a box argument (boxes are data: they must be concrete)."""
    a = getattr(v, "array", v)
    if cuda.is_cupy_array(a):        # (the plan is made on the host, from the values)
        return cuda.to_cpu(a)
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{label}: the boxes and their image indices must be concrete arrays "
                        f"(not {type(a).__name__}); under kusari.jit pass them as constants")
    return a


def rows_of(x):
    """x (N, C, H, W) as rows (N H W, C): each spatial position's channels."""
    n, c, h, w = x.shape
    return call("reshape", call("transpose", x, axes=(0, 2, 3, 1)), shape=(n * h * w, c))


def gather(rows, index: np.ndarray):
    """rows[index] for an index array (its -1 entries read row 0)."""
    return call("getitem", rows, np.where(index < 0, 0, index), key=(("a", 0),))


def channels_first(y):
    """(R, oh, ow, C) to (R, C, oh, ow)."""
    return call("transpose", y, axes=(0, 3, 1, 2))
