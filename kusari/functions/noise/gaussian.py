"""gaussian: a sample of N(mean, exp(ln_var)), differentiable in both."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, operand, var
from ..array._util import expect
from ._random import draw, parse_kwargs


def gaussian(mean, ln_var, **kwargs):
    """mean + exp(ln_var / 2) * eps with eps ~ N(0, 1) drawn by
    np.random.standard_normal (or given as ``eps=``); ``return_eps=True``
    returns (y, eps)."""
    eps, return_eps = parse_kwargs("gaussian", kwargs, {"eps": None, "return_eps": False})
    mean, ln_var = var(mean), var(ln_var)
    expect("Gaussian", mean.dtype.kind == "f", "mean.dtype.kind == f",
           f"{mean.dtype.kind} != f")
    expect("Gaussian", mean.dtype == ln_var.dtype, "mean.dtype == ln_var.dtype",
           f"{mean.dtype} != {ln_var.dtype}")
    expect("Gaussian", mean.shape == ln_var.shape, "mean.shape == ln_var.shape",
           f"{mean.shape} != {ln_var.shape}")
    if eps is None:
        shape = ln_var.shape
        e = draw(lambda xp: xp.random.standard_normal(shape), shape, like=ln_var.array)
        e = call("cast", e, dtype=mean.dtype)
        eps = e.array
    else:
        e = var(eps)
        if e.dtype != mean.dtype:
            e = call("cast", e, dtype=mean.dtype)
    scale = call("exp", call("mul", ln_var, operand(0.5, ln_var)))
    y = call("add", mean, call("mul", scale, e))
    return (y, eps) if return_eps else y
