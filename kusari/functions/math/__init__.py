"""Mathematical functions: elementwise math, reductions, matmul, cast.

Chainer's names and signatures; each is one registry op (or a few).
"""
from __future__ import annotations

__all__ = ['absolute', 'add', 'arccos', 'arcsin', 'arctan', 'argmax', 'argmin', 'average',
           'batch_matmul', 'cast', 'ceil', 'clip', 'cos', 'cosh', 'equal', 'exp', 'expm1',
           'fabs', 'floor', 'greater', 'greater_equal', 'less', 'less_equal', 'log',
           'log10', 'log1p', 'log2', 'logical_and', 'logical_not', 'logical_or',
           'logsumexp', 'matmul', 'max', 'maximum', 'mean', 'min', 'minimum', 'not_equal',
           'prod', 'rsqrt', 'sign', 'sin', 'sinh', 'sqrt', 'square', 'sum', 'tan', 'where']

import numpy as np

from .._core import Variable, axis_tuple, call, operand, scalar_like, var


def _unary(name: str, doc: str):
    def f(x) -> Variable:
        return call(name, var(x))
    f.__name__ = name
    f.__doc__ = doc
    return f


exp = _unary("exp", "Elementwise exponential.")
expm1 = _unary("expm1", "Elementwise exp(x) - 1.")
log = _unary("log", "Elementwise natural logarithm.")
log2 = _unary("log2", "Elementwise base-2 logarithm.")
log10 = _unary("log10", "Elementwise base-10 logarithm.")
log1p = _unary("log1p", "Elementwise log(1 + x).")
sqrt = _unary("sqrt", "Elementwise square root.")
rsqrt = _unary("rsqrt", "Elementwise reciprocal square root.")
square = _unary("square", "Elementwise square.")
sin = _unary("sin", "Elementwise sine.")
cos = _unary("cos", "Elementwise cosine.")
tan = _unary("tan", "Elementwise tangent.")
arcsin = _unary("arcsin", "Elementwise arcsine.")
arccos = _unary("arccos", "Elementwise arccosine.")
arctan = _unary("arctan", "Elementwise arctangent.")
sinh = _unary("sinh", "Elementwise hyperbolic sine.")
cosh = _unary("cosh", "Elementwise hyperbolic cosine.")
tanh = _unary("tanh", "Elementwise hyperbolic tangent.")
sign = _unary("sign", "Elementwise sign (no gradient flows).")
floor = _unary("floor", "Elementwise floor (no gradient flows).")
ceil = _unary("ceil", "Elementwise ceiling (no gradient flows).")
absolute = _unary("abs", "Elementwise absolute value.")
absolute.__name__ = "absolute"
fabs = absolute


def maximum(x1, x2) -> Variable:
    """Elementwise maximum; on ties the gradient goes to x1 (Chainer's rule)."""
    x1 = var(x1)
    return call("maximum", x1, operand(x2, x1))


def minimum(x1, x2) -> Variable:
    """Elementwise minimum; on ties the gradient goes to x1 (Chainer's rule)."""
    x1 = var(x1)
    return call("minimum", x1, operand(x2, x1))


def clip(x, x_min, x_max) -> Variable:
    """Elementwise clipping to [x_min, x_max]."""
    x = var(x)
    if x_min is not None:
        x = maximum(x, x_min)
    if x_max is not None:
        x = minimum(x, x_max)
    return x


def where(condition, x, y) -> Variable:
    """Elementwise choice: x where condition holds, else y (broadcasting)."""
    condition = var(condition)
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        raise TypeError("where needs at least one of x and y to be an array")
    if isinstance(x, (int, float, np.generic)):
        y = var(y)
        x = operand(x, y)
    else:
        x = var(x)
        y = operand(y, x)
    return call("where", condition, x, y)


def select(condition, x, if_true, if_false, safe: float = 0.0) -> Variable:
    """where(condition, if_true(x), if_false(x)), each branch computed only
    where it is taken: elsewhere it sees `safe` instead of x (a branch given
    as None is x itself).

    where's gradient sends 0 to the branch it does not take, but that
    branch's own gradient multiplies the 0 by its derivative at x: 0 * inf
    is NaN where the untaken branch overflows or is undefined (expm1 of a
    large x). Seeing `safe` there instead, it passes the 0 on unharmed."""
    condition = var(condition)
    x = var(x)
    s = scalar_like(x, safe)
    on_true = x if if_true is None else if_true(call("where", condition, x, s))
    on_false = x if if_false is None else if_false(call("where", condition, s, x))
    return where(condition, on_true, on_false)


def cast(x, typ) -> Variable:
    """`x` as dtype `typ` (returned as is when it already has it)."""
    x = var(x)
    typ = np.dtype(typ)
    if typ.kind not in "biuf":
        raise TypeError(f"Cast: kusari computes on bool, integer and float arrays, "
                        f"not {typ}")
    if x.dtype == typ:
        return x
    return call("cast", x, dtype=typ)


def _reduction(name: str, label: str):
    def f(x, axis=None, keepdims: bool = False) -> Variable:
        x = var(x)
        return call(name, x, axis=axis_tuple(label, axis, x.ndim), keepdims=bool(keepdims))
    f.__name__ = name
    return f


sum = _reduction("sum", "Sum")  # noqa: A001 - Chainer's name
sum.__doc__ = "Sum of elements over `axis` (all by default)."
mean = _reduction("mean", "Mean")
mean.__doc__ = "Mean of elements over `axis` (all by default)."
max = _reduction("max", "Max")  # noqa: A001
max.__doc__ = "Maximum over `axis`; every tied element gets the gradient."
min = _reduction("min", "Min")  # noqa: A001
min.__doc__ = "Minimum over `axis`; every tied element gets the gradient."
prod = _reduction("prod", "Prod")
prod.__doc__ = "Product of elements over `axis`."


def average(x, axis=None, weights=None, keepdims: bool = False) -> Variable:
    """Weighted average over `axis` (Chainer's F.average)."""
    x = var(x)
    if weights is None:
        return mean(x, axis, keepdims)
    weights = var(weights)
    if axis is not None and not isinstance(axis, int) and len(axis) != 1:
        raise ValueError("average with weights needs a single axis")
    ax = axis if axis is None or isinstance(axis, int) else axis[0]
    if ax is not None and weights.ndim == 1:
        shape = [1] * x.ndim
        shape[ax] = weights.shape[0]
        from ..array import broadcast_to, reshape
        weights = broadcast_to(reshape(weights, tuple(shape)), x.shape)
    total = sum(x * weights, ax, keepdims)
    return total / sum(weights, ax, keepdims)


def _arg(name: str):
    def f(x, axis=None) -> Variable:
        x = var(x)
        if axis is not None:
            axis = axis_tuple("ArgMax", axis, x.ndim)[0]
        return call(name, x, axis=axis)
    f.__name__ = name
    return f


argmax = _arg("argmax")
argmin = _arg("argmin")


def logsumexp(x, axis=None) -> Variable:
    """log(sum(exp(x))) over `axis`, computed stably."""
    from ..array import reshape
    x = var(x)
    ax = axis_tuple("LogSumExp", axis, x.ndim)
    return reshape(logsumexp_kept(x, ax), tuple(d for i, d in enumerate(x.shape)
                                                if i not in ax))


def logsumexp_kept(x: Variable, ax: tuple) -> Variable:
    """logsumexp over axes `ax`, keeping them (length 1): shifted by the
    maximum, which carries no gradient (the result does not depend on it)."""
    from ...function_node import stop_gradient
    m = stop_gradient(max(x, ax, keepdims=True))
    return log(sum(exp(x - m), ax, keepdims=True)) + m


def matmul(a, b, transa: bool = False, transb: bool = False) -> Variable:
    """Matrix product (NumPy's matmul; transa/transb transpose the last two axes)."""
    from ..array import swapaxes
    a, b = var(a), var(b)
    if transa and a.ndim >= 2:
        a = swapaxes(a, -1, -2)
    if transb and b.ndim >= 2:
        b = swapaxes(b, -1, -2)
    return call("matmul", a, b)


def batch_matmul(a, b, transa: bool = False, transb: bool = False) -> Variable:
    """Deprecated in Chainer; a batched matmul."""
    return matmul(a, b, transa, transb)


def add(*xs) -> Variable:
    """The elementwise sum of several arrays."""
    out = var(xs[0])
    for x in xs[1:]:
        out = out + x
    return out


def _comparison(name: str, symbol: str):
    def f(x1, x2) -> Variable:
        x1 = var(x1)
        return call(name, x1, operand(x2, x1))
    f.__name__ = name
    f.__doc__ = (f"Elementwise x1 {symbol} x2 as a bool Variable (no gradient). A kusari "
                 "extension: Chainer's Variables refuse comparisons, and traced code "
                 "(kusari.jit) needs them to build F.where conditions.")
    return f


greater = _comparison("greater", ">")
greater_equal = _comparison("greater_equal", ">=")
less = _comparison("less", "<")
less_equal = _comparison("less_equal", "<=")
equal = _comparison("equal", "==")
not_equal = _comparison("not_equal", "!=")


def logical_and(x1, x2) -> Variable:
    return call("logical_and", var(x1), var(x2))


def logical_or(x1, x2) -> Variable:
    return call("logical_or", var(x1), var(x2))


def logical_not(x) -> Variable:
    return call("logical_not", var(x))
