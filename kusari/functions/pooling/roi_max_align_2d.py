"""ROI align, taking the maximum (Chainer's F.roi_max_align_2d)."""
from __future__ import annotations

__all__ = ["roi_max_align_2d"]

import numpy as np

from .._core import Variable, call, operand, sent
from .pooling_nd import first_max
from .roi_average_align_2d import sampled
from .roi_plans import channels_first


def roi_max_align_2d(x, rois, roi_indices, outsize, spatial_scale,
                     sampling_ratio=None) -> Variable:
    """The maximum, over a sampling grid of each of outsize (h, w) bins of
    each box (ymin, xmin, ymax, xmax) times spatial_scale, of x (n, c, h, w)
    interpolated bilinearly: (n_rois, c, h_O, w_O); -inf where no point lies
    on the image (NaN points are passed over, as in Chainer). The gradient
    goes to the first maximal point's neighbours."""
    ratio = (None, None) if sampling_ratio is None else sampling_ratio
    x, points, valid, _ = sampled("ROIMaxAlign2D", x, rois, roi_indices, outsize,
                               spatial_scale, ratio)
    # points off the image, and NaN ones, never win (Chainer keeps a point
    # only if it is greater than the maximum so far)
    keep = call("logical_and", operand(sent(valid[..., None], points), points),
                call("equal", points, points))
    points = call("where", keep, points, operand(-np.inf, points))
    return channels_first(first_max(points, 3)[0])
