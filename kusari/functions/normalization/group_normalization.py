"""F.group_normalization."""
from __future__ import annotations

import numpy as np

from ...variable import Variable
from .._core import call, var
from ..loss._checks import expect, float_kind, ndim_is, same_dtype, same_shape
from ..loss._ops import cast, reshape, rmean


def group_normalization(x, groups, gamma, beta, eps=1e-5) -> Variable:
    """The channels (axis 1) of each sample in `groups` groups, each group
    normalized to mean 0 and variance 1 (biased, plus eps), then scaled by
    gamma and shifted by beta per channel."""
    if not isinstance(groups, int):
        raise TypeError("Argument: 'groups' type must be (int).")
    x, gamma, beta = var(x), var(gamma), var(beta)
    expect("GroupNormalization", float_kind(x, "x"),
           (x.ndim >= 2, "x.ndim >= 2", f"{x.ndim} < 2"), ndim_is(gamma, 1, "gamma"),
           ndim_is(beta, 1, "beta"), float_kind(gamma, "gamma"),
           same_dtype(gamma, beta, "gamma", "beta"),
           (x.shape[1] == gamma.shape[0], "x.shape[1] == gamma.shape[0]",
            f"{x.shape[1]} != {gamma.shape[0]}"),
           same_shape(gamma, beta, "gamma", "beta"))
    batch, channels = x.shape[:2]
    if channels % groups != 0:
        raise ValueError(f"The number of channels {channels} is not divisible by "
                         f"'groups' argument {groups}.")
    interm = np.promote_types(x.dtype, gamma.dtype)
    xg = reshape(cast(x, interm), (batch * groups, x.size // max(batch * groups, 1)))
    x_hat = xg - rmean(xg, 1, keepdims=True)
    variance = rmean(x_hat * x_hat, 1, keepdims=True)
    x_hat = x_hat * (1.0 / call("sqrt", variance + eps))
    y = reshape(x_hat, (batch, channels, x.size // max(batch * channels, 1)))
    y = y * reshape(cast(gamma, interm), (1, channels, 1)) + \
        reshape(cast(beta, interm), (1, channels, 1))
    return cast(reshape(y, x.shape), x.dtype)
