"""ROI average pooling (Chainer's F.roi_average_pooling_2d)."""
from __future__ import annotations

__all__ = ["roi_average_pooling_2d"]

import numpy as np

from .._core import Variable, call, operand, sent, var
from .roi_max_pooling_2d import check_boxes
from .roi_plans import (channels_first, check_arguments, concrete, gather, roi_bins,
                        rows_of)


def roi_average_pooling_2d(x, rois, roi_indices, outsize, spatial_scale) -> Variable:
    """The mean of each of outsize (h, w) bins of each box (ymin, xmin, ymax,
    xmax) times spatial_scale, over image roi_indices[i] of x (n, c, h, w):
    (n_rois, c, h_O, w_O); an empty bin is 0."""
    outh, outw, spatial_scale, _ = check_arguments(outsize, spatial_scale)
    x = var(x)
    boxes = concrete("roi_average_pooling_2d", rois)
    index = concrete("roi_average_pooling_2d", roi_indices)
    check_boxes("ROIAveragePooling2D", x, boxes, index, 4)
    bins = roi_bins(boxes, index, mode="yx", height=x.shape[2], width=x.shape[3], outh=outh,
                    outw=outw, spatial_scale=spatial_scale)
    vals = gather(rows_of(x), bins)                              # (R, oh, ow, L, C)
    valid = (bins >= 0)[..., None]
    vals = call("where", operand(sent(valid, vals), vals), vals, operand(0.0, vals))
    total = call("sum", vals, axis=(3,), keepdims=False)
    count = np.maximum(valid.sum(axis=3), 1).astype(x.dtype)     # (R, oh, ow, 1)
    return channels_first(call("div", total, operand(sent(count, total), total)))
