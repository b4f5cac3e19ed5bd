"""ROI pooling (Chainer's F.roi_pooling_2d, Fast R-CNN's)."""
from __future__ import annotations

__all__ = ["roi_pooling_2d"]

from .._core import Variable, var
from .roi_max_pooling_2d import bin_max, check_boxes
from .roi_plans import concrete, roi_bins


def roi_pooling_2d(x, rois, outh, outw, spatial_scale) -> Variable:
    """The maximum of each of (outh, outw) bins of each box (index, xmin,
    ymin, xmax, ymax) times spatial_scale (ends included), over image index
    of x (n, c, h, w): (n_rois, c, outh, outw); an empty bin is 0."""
    x = var(x)
    boxes = concrete("roi_pooling_2d", rois)
    check_boxes("ROIPooling2D", x, boxes, None, 5)
    bins = roi_bins(boxes, None, mode="ixy", height=x.shape[2], width=x.shape[3],
                    outh=int(outh), outw=int(outw), spatial_scale=spatial_scale)
    return bin_max(x, bins, 0.0)
