"""ROI max pooling (Chainer's F.roi_max_pooling_2d)."""
from __future__ import annotations

__all__ = ["roi_max_pooling_2d"]

import numpy as np

from .._core import Variable, call, operand, sent, var
from .pooling_nd import check, first_max
from .roi_plans import (channels_first, check_arguments, concrete, gather, roi_bins,
                        rows_of)


def check_boxes(label: str, x: Variable, rois: np.ndarray, roi_indices, ncols: int,
                float32_only: bool = False) -> None:
    """Chainer's type checks of the ROI functions."""
    if float32_only:
        check(label, x.dtype == np.float32, "x.dtype == float32", f"{x.dtype} != float32")
        check(label, rois.dtype == np.float32, "rois.dtype == float32",
              f"{rois.dtype} != float32")
    check(label, x.dtype.kind == "f", "x.dtype.kind == f", f"{x.dtype.kind} != f")
    check(label, x.ndim == 4, "x.ndim == 4", f"{x.ndim} != 4")
    check(label, x.dtype == rois.dtype, "x.dtype == rois.dtype", f"{x.dtype} != {rois.dtype}")
    check(label, rois.ndim == 2 and rois.shape[1] == ncols,
          f"rois.ndim == 2 and rois.shape[1] == {ncols}", f"rois.shape = {rois.shape}")
    if roi_indices is not None:
        check(label, roi_indices.dtype == np.int32, "roi_indices.dtype == int32",
              f"{roi_indices.dtype} != int32")
        check(label, roi_indices.ndim == 1, "roi_indices.ndim == 1",
              f"{roi_indices.ndim} != 1")
        check(label, rois.shape[0] == roi_indices.shape[0],
              "rois.shape[0] == roi_indices.shape[0]",
              f"{rois.shape[0]} != {roi_indices.shape[0]}")


def bin_max(x: Variable, bins: np.ndarray, empty: float) -> Variable:
    """The maximum over each bin (`empty` where a bin is empty); the gradient
    goes to each bin's first maximum."""
    vals = gather(rows_of(x), bins)                             # (R, oh, ow, L, C)
    valid = (bins >= 0)[..., None]
    vals = call("where", operand(sent(valid, vals), vals), vals, operand(-np.inf, vals))
    y = first_max(vals, 3)[0]                          # (R, oh, ow, C)
    if empty != -np.inf:
        has = (bins >= 0).any(axis=-1)[..., None]
        y = call("where", operand(sent(has, y), y), y, operand(empty, y))
    return channels_first(y)


def roi_max_pooling_2d(x, rois, roi_indices, outsize, spatial_scale) -> Variable:
    """The maximum of each of outsize (h, w) bins of each box (ymin, xmin,
    ymax, xmax) times spatial_scale, over image roi_indices[i] of x (n, c, h,
    w): (n_rois, c, h_O, w_O); an empty bin is -inf."""
    outh, outw, spatial_scale, _ = check_arguments(outsize, spatial_scale)
    x = var(x)
    boxes = concrete("roi_max_pooling_2d", rois)
    index = concrete("roi_max_pooling_2d", roi_indices)
    check_boxes("ROIMaxPooling2D", x, boxes, index, 4)
    bins = roi_bins(boxes, index, mode="yx", height=x.shape[2], width=x.shape[3], outh=outh,
                    outw=outw, spatial_scale=spatial_scale)
    return bin_max(x, bins, -np.inf)
