"""Losses of variational autoencoders: F.gaussian_kl_divergence,
F.bernoulli_nll and F.gaussian_nll."""
from __future__ import annotations

import math

from ...variable import Variable
from .._core import call, var
from ._checks import check_reduce
from ._ops import rmean, rsum

_REDUCE = ("sum", "mean", "no")


def _reduced(loss: Variable, reduce: str) -> Variable:
    if reduce == "sum":
        return rsum(loss)
    if reduce == "mean":
        return rmean(loss)
    return loss


def gaussian_kl_divergence(mean, ln_var, reduce: str = "sum") -> Variable:
    """KL(N(mean, exp(ln_var)) || N(0, 1)) per element, then reduced."""
    check_reduce(reduce, _REDUCE)
    mean, ln_var = var(mean), var(ln_var)
    loss = (mean * mean + call("exp", ln_var) - ln_var - 1) * 0.5
    return _reduced(loss, reduce)


def bernoulli_nll(x, y, reduce: str = "sum") -> Variable:
    """-log B(x; sigmoid(y)) = softplus(y) - x y per element, then reduced."""
    check_reduce(reduce, _REDUCE)
    x, y = var(x), var(y)
    loss = call("softplus", y) - x * y
    return _reduced(loss, reduce)


def gaussian_nll(x, mean, ln_var, reduce: str = "sum") -> Variable:
    """-log N(x; mean, exp(ln_var)) per element, then reduced."""
    check_reduce(reduce, _REDUCE)
    x, mean, ln_var = var(x), var(mean), var(ln_var)
    x_prec = call("exp", -ln_var)
    x_diff = x - mean
    x_power = x_diff * x_diff * x_prec * -0.5
    loss = (ln_var + math.log(2 * math.pi)) / 2 - x_power
    return _reduced(loss, reduce)
