"""F.local_response_normalization."""
from __future__ import annotations


from ...variable import Variable
from .._core import call, var, zeros
from ..loss._checks import expect, float_kind


def local_response_normalization(x, n=5, k=2, alpha=1e-4, beta=0.75) -> Variable:
    """x / (k + alpha * s) ** beta, s the sum of x^2 over the n // 2
    channels (axis 1) on each side and the channel itself."""
    x = var(x)
    expect("LocalResponseNormalization", float_kind(x, "x"),
           (x.ndim >= 2, "x.ndim >= 2", f"{x.ndim} < 2"))
    half = n // 2
    x2 = x * x
    channels = x.shape[1]
    if half:
        pad = zeros((x.shape[0], half) + x.shape[2:], x.dtype, x)
        padded = call("concat", pad, x2, pad, axis=1)
        s = x2
        for j in range(1, half + 1):      # the neighbours j below and j above
            s = s + padded[:, half - j:half - j + channels] + \
                padded[:, half + j:half + j + channels]
    else:
        s = x2
    return x * (s * alpha + k) ** (-beta)
