"""Connections: linear (fully connected)."""
from __future__ import annotations

__all__ = ['linear']

import numpy

from ...utils import size_of_shape
from .._core import Variable, call, var
from ..array import reshape


def linear(x, W, b=None, n_batch_axes: int = 1) -> Variable:
    """y = x W^T + b (Chainer's convention), over the last axes of x.

    x and W of different float dtypes are multiplied in their promoted dtype
    and y has x's dtype (as in Chainer); the gradients come back in each
    input's own dtype."""
    x, W = var(x), var(W)
    if n_batch_axes <= 0:
        raise ValueError("n_batch_axes should be greater than 0.")
    batch = x.shape[:n_batch_axes]
    if x.ndim != 2 or n_batch_axes != 1:
        x = reshape(x, (size_of_shape(batch), size_of_shape(x.shape[n_batch_axes:])))
    if x.dtype != W.dtype and x.dtype.kind == "f" and W.dtype.kind == "f":
        from ..math import cast
        wide = numpy.promote_types(x.dtype, W.dtype)
        y = call("linear", cast(x, wide) if x.dtype != wide else x,
                 cast(W, wide) if W.dtype != wide else W)
        y = cast(y, x.dtype) if y.dtype != x.dtype else y
        if b is not None:
            b = var(b)
            if b.dtype != x.dtype:      # Chainer's check, in the op's words
                call("linear", x, cast(W, x.dtype), b)
            y = y + b
    else:
        y = call("linear", x, W) if b is None else call("linear", x, W, var(b))
    if n_batch_axes > 1:
        y = reshape(y, batch + (y.shape[-1],))
    return y

from .bilinear import bilinear  # noqa: E402
__all__.append('bilinear')

# convolution and deconvolution (helper H5's area)
from .convolution_2d import convolution_2d  # noqa: E402
from .convolution_nd import convolution_1d, convolution_3d, convolution_nd  # noqa: E402
from .deconvolution_2d import deconvolution_2d  # noqa: E402
from .deconvolution_nd import deconvolution_1d, deconvolution_3d, deconvolution_nd  # noqa: E402,E501

__all__ += ["convolution_1d", "convolution_2d", "convolution_3d", "convolution_nd",
            "deconvolution_1d", "deconvolution_2d", "deconvolution_3d", "deconvolution_nd"]
from .depthwise_convolution_2d import depthwise_convolution_2d  # noqa: E402
from .dilated_convolution_2d import dilated_convolution_2d  # noqa: E402
from .embed_id import embed_id  # noqa: E402
from .local_convolution_2d import local_convolution_2d  # noqa: E402
from .shift import shift  # noqa: E402

__all__ += ["depthwise_convolution_2d", "dilated_convolution_2d", "embed_id",
            "local_convolution_2d", "shift"]
from .deformable_convolution_2d_sampler import deformable_convolution_2d_sampler  # noqa: E402,E501

__all__ += ["deformable_convolution_2d_sampler"]
