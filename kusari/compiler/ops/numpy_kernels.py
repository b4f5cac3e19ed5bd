"""NumPy forms of the ops that are not a single NumPy call.

Generated source calls these as `nk.<name>`; eager execution calls the same
functions, so the two can never disagree. Elementwise forms accept `out=` so
fused kernels can write into preallocated buffers.
"""
from __future__ import annotations

import numpy as np


def sigmoid(x, out=None):
    # tanh form: stable for large |x| and one transcendental (Chainer's choice)
    half = x.dtype.type(0.5)
    if out is None:
        out = np.empty_like(x)   # (ufuncs give 0-d results as scalars otherwise)
    np.multiply(x, half, out=out)
    np.tanh(out, out=out)
    np.multiply(out, half, out=out)
    return np.add(out, half, out=out)


def softplus(x, out=None):
    """log(1 + exp(x)) computed stably, as Chainer does: max(x, 0) +
    log1p(exp(-|x|)). `out` may be x itself (a fused kernel's buffer)."""
    m = np.fmax(x, x.dtype.type(0))
    if out is None:
        out = np.empty_like(x)
    np.fabs(x, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    return np.add(m, out, out=out)


def relu(x, out=None):
    return np.maximum(x, x.dtype.type(0), out=out)


def rsqrt(x, out=None):
    if out is None:
        out = np.empty_like(x)
    np.sqrt(x, out=out)
    return np.divide(x.dtype.type(1), out, out=out)


# (`where` only where given: CuPy's ufuncs, which these reach on device arrays, take none)
def _square(x, dtype, out=None, where=None):
    if where is None:
        return np.multiply(x, x, out=out, dtype=dtype)
    return np.multiply(x, x, out=out, dtype=dtype, where=where)


def _reciprocal(x, dtype, out=None, where=None):
    if where is None:
        return np.divide(dtype.type(1), x, out=out, dtype=dtype)
    return np.divide(dtype.type(1), x, out=out, dtype=dtype, where=where)


def _sqrt(x, dtype, out=None, where=None):
    if where is None:
        return np.sqrt(x, out=out, dtype=dtype)
    return np.sqrt(x, out=out, dtype=dtype, where=where)


# the exponents NumPy's power treats apart when they are scalars
_FAST_POWERS = {2.0: _square, -1.0: _reciprocal, 0.5: _sqrt}


def power(x, y, out=None):
    """x ** y, one function of the operands' values: where y is 2, -1 or
    0.5, x * x, 1 / x and sqrt(x).

    That is what NumPy's power computes for a float exponent given as a
    scalar (`x ** 2`), and what Chainer's `x ** 2` computes on every NumPy
    version. For an array of exponents NumPy calls the C library's pow,
    which now and then rounds x * x and 1 / x the other way, and gives +0.0
    and inf where sqrt gives -0.0 and NaN (x = -0.0, -inf). Here an
    exponent's layout (a scalar, a broadcast, an array, a folded constant)
    never changes a result, so compiled code and eager code agree.
    """
    if getattr(y, "ndim", 0) == 0:               # a scalar exponent (or a 0-d array)
        fast = _FAST_POWERS.get(y.item() if hasattr(y, "item") else y)
        if fast is not None:
            dtype = np.result_type(x, y)
            if dtype.kind == "f":
                return fast(x, dtype, out)
        return np.power(x, y, out=out)
    result = np.power(x, y, out=out)
    if result.dtype.kind == "f":
        for value, fast in _FAST_POWERS.items():
            where = y == value
            if where.any():
                if type(result) is np.ndarray:
                    fast(x, result.dtype, result, where)
                else:            # (CuPy's ufuncs take no `where`; its copyto does)
                    np.copyto(result, fast(x, result.dtype), where=where)
    return result


def identity(x):
    return x


def cast(x, dtype, out=None):
    if out is None:
        return x.astype(dtype)
    np.copyto(out, x, casting="unsafe")
    return out


def where(cond, a, b, out=None):
    if out is None:
        return np.where(cond, a, b)
    np.copyto(out, b)                 # (out must not alias an operand)
    np.copyto(out, a, where=cond)
    return out


def reshape(x, shape):
    return np.reshape(x, shape)


def transpose(x, axes):
    return np.transpose(x, axes)


def broadcast_to(x, shape):
    return np.broadcast_to(x, shape)


# the reductions call the ufunc's reduce directly on ndarrays: np.sum and its
# kin only dispatch to it (and cost a microsecond more per call)
def _reduce(ufunc, wrapper):
    reduce = ufunc.reduce

    def f(x, axis, keepdims):
        if type(x) is np.ndarray:
            return reduce(x, axis=axis, keepdims=keepdims)
        return wrapper(x, axis=axis, keepdims=keepdims)
    return f


sum = _reduce(np.add, np.sum)            # noqa: A001 - the op's name
max = _reduce(np.maximum, np.max)        # noqa: A001
min = _reduce(np.minimum, np.min)        # noqa: A001
prod = _reduce(np.multiply, np.prod)
sum.__name__, max.__name__, min.__name__, prod.__name__ = "sum", "max", "min", "prod"


def mean(x, axis, keepdims):
    return np.mean(x, axis=axis, keepdims=keepdims)


def argmax(x, axis):
    return np.argmax(x, axis=axis)


def argmin(x, axis):
    return np.argmin(x, axis=axis)


def sum_to(x, shape):
    """Sum `x` down to `shape` (the inverse of broadcasting to x.shape)."""
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and x.shape[lead + i] != 1)
    if not axes:
        return x
    y = np.sum(x, axis=axes, keepdims=True)
    return y.reshape(shape) if lead else y


def linear(x, W, b=None):
    y = x @ W.T
    if b is not None:
        y += b
    return y


def softmax(x, axis):
    """exp(x) normalized along `axis`, shifted by the maximum (Chainer's form)."""
    y = x - x.max(axis=axis, keepdims=True)
    np.exp(y, out=y)
    y /= y.sum(axis=axis, keepdims=True)
    return y


def log_softmax(x, axis):
    """(x - m) - log(sum(exp(x - m))) along `axis`, m the maximum. Chainer
    subtracts m + log(sum) instead, which loses the log where |m| is large
    (x = [1e20, 1e20] gave [0, 0], not -log 2, and the gradient went wrong
    with it)."""
    m = x.max(axis=axis, keepdims=True)
    y = x - m
    lse = np.log(np.exp(y).sum(axis=axis, keepdims=True))
    y -= lse
    return y


def matmul(a, b):
    return np.matmul(a, b)


_basic_index: dict = {}


def index_tuple(key, arrays):
    """The NumPy index that a getitem `key` spec stands for."""
    if not arrays:
        index = _basic_index.get(key)
        if index is None:
            index = _index_tuple(key, arrays)
            if len(_basic_index) < 4096:
                _basic_index[key] = index
        return index
    return _index_tuple(key, arrays)


def _index_tuple(key, arrays):
    out = []
    for item in key:
        tag = item[0]
        if tag == "s":
            out.append(slice(item[1], item[2], item[3]))
        elif tag == "i":
            out.append(item[1])
        elif tag == "a":
            out.append(arrays[item[1]])
        elif tag == "n":
            out.append(None)
        else:  # "e"
            out.append(Ellipsis)
    return tuple(out)


def getitem(x, *arrays, key):
    return x[index_tuple(key, arrays)]


def select_item(x, t):
    """x[i, t[i]] for every row i (Chainer's select_item)."""
    return x[np.arange(t.shape[0]), t]


def scatter_add(g, *arrays, key, shape):
    """zeros(shape) with `g` added at `key` (the gradient of getitem)."""
    out = np.zeros(shape, g.dtype)
    index = index_tuple(key, arrays)
    if arrays:
        np.add.at(out, index, g)
    else:  # basic indexing never repeats an element
        out[index] = g
    return out


def concat(*xs, axis):
    return np.concatenate(xs, axis=axis)


def fill(value, shape, dtype):
    return np.full(shape, value, dtype)


def call(*arrays, graph, output):
    """One output of the graph a GraphRef holds, compiled for its backend."""
    return graph.run(arrays)[output]


def cumprod(x, axis):
    return np.cumprod(x, axis=axis)


def cumprodsum(xmul, xadd, axis):
    """Along `axis`: y[0] = xadd[0], y[i] = xmul[i - 1] * y[i - 1] + xadd[i]
    (xmul is one shorter than xadd): the linear recurrence the gradients of
    cumulative products are made of. Products and sums only, no division."""
    a = np.moveaxis(xmul, axis, 0)
    b = np.moveaxis(xadd, axis, 0)
    out = np.empty(b.shape, np.result_type(a, b))
    acc = np.zeros(b.shape[1:], out.dtype)
    for i in range(b.shape[0]):
        acc += b[i]
        out[i] = acc
        if i < a.shape[0]:
            acc *= a[i]
    return np.moveaxis(out, 0, axis)
