"""Activation functions (Chainer's names and signatures)."""
from __future__ import annotations

__all__ = ['elu', 'leaky_relu', 'log_softmax', 'relu', 'sigmoid', 'softmax', 'softplus',
           'swish', 'tanh']

import numpy as np

from .._core import Variable, axis_tuple, call, scalar_like, var
from ..math import expm1, select, where


def relu(x) -> Variable:
    """max(x, 0); the gradient is 0 where the output is 0."""
    return call("relu", var(x))


def sigmoid(x) -> Variable:
    """1 / (1 + exp(-x))."""
    return call("sigmoid", var(x))


def tanh(x) -> Variable:
    return call("tanh", var(x))


def leaky_relu(x, slope: float = 0.2) -> Variable:
    """x where x > 0, else slope * x (Chainer's kink: the gradient at 0 is
    slope)."""
    x = var(x)
    return where(_gt0(x), x, x * slope)


def elu(x, alpha: float = 1.0) -> Variable:
    """x where x > 0, else alpha * (exp(x) - 1) (the gradient at 0 is alpha,
    as in Chainer). expm1 sees only the inputs it is taken at, so a large x
    gets gradient 1, not 0 * inf."""
    x = var(x)
    return select(_gt0(x), x, None, lambda v: expm1(v) * alpha)


def softplus(x, beta: float = 1.0) -> Variable:
    """log(1 + exp(beta * x)) / beta, computed stably; its gradient is
    sigmoid(beta * x) (1/2 at 0)."""
    x = var(x)
    if beta == 1.0:
        return call("softplus", x)
    return call("softplus", x * beta) * (1.0 / beta)


def swish(x, beta=1.0) -> Variable:
    """x * sigmoid(beta * x) (beta a scalar or an array broadcast over x)."""
    x = var(x)
    return x * sigmoid(x * beta)


def softmax(x, axis: int = 1) -> Variable:
    """exp(x) normalized along `axis`."""
    x = var(x)
    return call("softmax", x, axis=_one_axis("Softmax", axis, x.ndim))


def log_softmax(x, axis: int = 1) -> Variable:
    """log(softmax(x)) along `axis`, computed stably."""
    x = var(x)
    return call("log_softmax", x, axis=_one_axis("LogSoftmax", axis, x.ndim))


def _one_axis(label: str, axis, ndim: int) -> int:
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{label}: axis must be an int, not {type(axis).__name__}")
    return axis_tuple(label, axis, ndim)[0]


def _gt0(x: Variable) -> Variable:
    return call("greater", x, scalar_like(x, 0))
