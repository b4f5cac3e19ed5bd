"""spatial_transformer_grid: sampling points of an affine transformation."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, sent, var
from ._util import expect, expect_float


def _no_cudnn_kwargs(label: str, kwargs) -> None:
    if "use_cudnn" in kwargs:
        raise ValueError('The argument "use_cudnn" is not supported anymore. '
                         "Use chainer.using_config('use_cudnn', value) context where "
                         "value can be `always`, `never`, or `auto`.")
    if kwargs:
        raise TypeError(f"{label}() got unexpected keyword argument(s) "
                        f"{', '.join(sorted(kwargs))}")


def spatial_transformer_grid(theta, output_shape, **kwargs) -> Variable:
    """theta (n, 2, 3) applied to the (x, y, 1) coordinates of an output_shape
    grid over [-1, 1]^2: (n, 2, h, w), the points spatial_transformer_sampler
    reads."""
    _no_cudnn_kwargs("spatial_transformer_grid", kwargs)
    theta = var(theta)
    expect_float("SpatialTransformerGrid", theta, "theta")
    ok = theta.ndim == 3 and theta.shape[1:] == (2, 3)
    expect("SpatialTransformerGrid", ok,
           "theta.ndim == 3, theta.shape[1] == 2, theta.shape[2] == 3", f"{theta.shape}")
    if not ok:
        raise ValueError(f"theta must have shape (n, 2, 3), not {theta.shape}")
    H, W = (int(s) for s in output_shape)
    ys, xs = np.meshgrid(np.linspace(-1, 1, H, dtype=theta.dtype),
                         np.linspace(-1, 1, W, dtype=theta.dtype), indexing="ij")
    coords = np.concatenate([xs[None], ys[None], np.ones((1, H, W), theta.dtype)], axis=0)
    grid = call("matmul", theta, var(sent(coords.reshape(3, H * W), theta)))
    return call("reshape", grid, shape=(theta.shape[0], 2, H, W))
