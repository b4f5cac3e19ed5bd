"""ROI align, averaging (Chainer's F.roi_average_align_2d, Mask R-CNN's)."""
from __future__ import annotations

__all__ = ["roi_average_align_2d"]

import numpy as np

from .._core import Variable, call, operand, sent, var
from .roi_max_pooling_2d import check_boxes
from .roi_plans import (channels_first, check_arguments, concrete, gather, roi_samples,
                        rows_of)


def sampled(label: str, x, rois, roi_indices, outsize, spatial_scale, sampling_ratio):
    """The bilinear interpolation of x at each sampling point of each bin:
    (R, oh, ow, S, C), the plan's valid flags (R, oh, ow, S) and the number
    of points per bin of each roi (R,)."""
    outh, outw, spatial_scale, ratio = check_arguments(outsize, spatial_scale, sampling_ratio,
                                                       align=True)
    x = var(x)
    boxes = concrete(label, rois)
    index = concrete(label, roi_indices)
    check_boxes(label, x, boxes, index, 4, float32_only=True)
    plan, counts = roi_samples(boxes, index, height=x.shape[2], width=x.shape[3], outh=outh,
                       outw=outw, spatial_scale=spatial_scale, sampling_ratio=ratio)
    weights = plan[..., 4:8]
    corners = np.where(weights > 0, plan[..., 0:4].astype(np.int64), -1)
    vals = call("mul", gather(rows_of(x), corners),
                operand(sent(weights.astype(x.dtype)[..., None], x), x))  # (R, oh, ow, S, 4, C)
    # corners off the image are left out, not multiplied by 0 (0 inf is NaN)
    vals = call("where", operand(sent((corners >= 0)[..., None], vals), vals), vals, operand(0.0, vals))
    points = call("sum", vals, axis=(4,), keepdims=False)          # (R, oh, ow, S, C)
    return x, points, plan[..., 8] > 0, counts


def roi_average_align_2d(x, rois, roi_indices, outsize, spatial_scale,
                         sampling_ratio=None) -> Variable:
    """The mean, over a sampling grid of each of outsize (h, w) bins of each
    box (ymin, xmin, ymax, xmax) times spatial_scale, of x (n, c, h, w)
    interpolated bilinearly: (n_rois, c, h_O, w_O). The grid has
    sampling_ratio points per axis (default: ceil(bin size)); points off the
    image count as zeros."""
    ratio = (None, None) if sampling_ratio is None else sampling_ratio
    x, points, _, counts = sampled("ROIAverageAlign2D", x, rois, roi_indices, outsize,
                                   spatial_scale, ratio)
    total = call("sum", points, axis=(3,), keepdims=False)         # (R, oh, ow, C)
    counts = counts.astype(x.dtype).reshape(-1, 1, 1, 1)
    return channels_first(call("div", total, operand(sent(counts, total), total)))
