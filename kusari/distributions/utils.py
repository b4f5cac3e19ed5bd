"""Helpers shared by the distributions (Chainer's `chainer.distributions.utils`)."""
from __future__ import annotations

import warnings

import numpy

from .. import functions as F
from ..user_function import FunctionNode
from ..variable import Variable, as_variable


class _WarnZeroInputGrad(FunctionNode):
    """Zeros shaped as x, added to x log x: its backward passes no gradient
    and warns when x had zeros (x log x has no gradient at 0, and Chainer
    says so when one is asked for). The value and the gradient themselves
    are computed by registry ops beside it."""

    def forward(self, inputs):
        x, = inputs
        self._has_zero = bool((x == 0).any())
        from ..backend import get_array_module
        return get_array_module(x).zeros_like(x),

    def backward(self, indexes, grad_outputs):
        if self._has_zero:
            warnings.warn("cannot calculate gradient for zero input.", RuntimeWarning)
        return None,


def _modified_xlogx(x):
    """x * log(x), with 0 where x is 0 (and gradient 1 + log x, 0 at x = 0)."""
    x = as_variable(x)
    zeros, = _WarnZeroInputGrad().apply((x,))
    safe = F.where(F.greater(x, 0.0), x, numpy.ones((), x.dtype))
    return x * F.log(safe) + zeros


def _array(x):
    """The array of a Variable, or `x` itself."""
    return x.array if isinstance(x, Variable) else x


def _const(value, dtype):
    """A 0-d array of `value` in `dtype` (a where branch that broadcasts)."""
    return numpy.array(value, dtype=dtype)


def _random(xp):
    """The random module drawing as Chainer does: NumPy's global generator on
    the CPU, CuPy's on a GPU."""
    return numpy.random if xp is numpy else xp.random


def _x(x, like):
    """A point `x` given to a density or cdf, as kusari functions take it: a
    Variable or array passes; a NumPy scalar becomes a 0-d array and a Python
    number a 0-d array of the dtype of the parameter `like`."""
    if isinstance(x, numpy.generic):
        return numpy.asarray(x)
    if isinstance(x, (bool, int, float)):
        return numpy.asarray(x, dtype=like.dtype)
    return x
