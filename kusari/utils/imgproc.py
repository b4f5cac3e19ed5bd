"""Image crops for test-time augmentation."""
from __future__ import annotations

import numpy


def oversample(images, crop_dims):
    """The four corner crops and the center crop of each (C, H, W) image,
    followed by their horizontal mirrors: 10 crops per image."""
    channels, src_h, src_w = images[0].shape
    dst_h, dst_w = crop_dims
    tops_lefts = [(0, 0), (0, src_w - dst_w), (src_h - dst_h, 0),
                  (src_h - dst_h, src_w - dst_w),
                  (int(src_h / 2.0 - dst_h / 2.0), int(src_w / 2.0 - dst_w / 2.0))]
    crops = numpy.empty((10 * len(images), channels, dst_h, dst_w),
                        dtype=images[0].dtype)
    i = 0
    for img in images:
        for top, left in tops_lefts:
            crops[i] = img[:, top:top + dst_h, left:left + dst_w]
            i += 1
        crops[i:i + 5] = crops[i - 5:i, :, :, ::-1]
        i += 5
    return crops
