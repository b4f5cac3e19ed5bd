"""logsumexp (Chainer's chainer.functions.math.logsumexp)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._axis import check_float, reduction_axes


def logsumexp(x, axis=None) -> Variable:
    """log(sum(exp(x))) over `axis`, computed stably (shifted by the maximum)."""
    x = var(x)
    check_float("LogSumExp", x)
    ax = reduction_axes("LogSumExp", axis, x.ndim)
    kept = logsumexp_kept(x, ax)
    return call("reshape", kept, shape=tuple(d for i, d in enumerate(x.shape) if i not in ax))


def logsumexp_kept(x: Variable, ax: tuple) -> Variable:
    """logsumexp over axes `ax`, keeping them (length 1): shifted by the
    maximum, which carries no gradient (the result does not depend on it)."""
    from ...function_node import stop_gradient
    m = stop_gradient(call("max", x, axis=ax, keepdims=True))
    return call("log", call("sum", call("exp", x - m), axis=ax, keepdims=True)) + m
