"""N-dimensional convolution: im2col, then a matmul with the filters.

Both are registry ops, so the gradient comes out as ops too: the gradient
with respect to x is a matmul with the filters followed by col2im (a
deconvolution), the one with respect to W a matmul with the patches; and
those differentiate again.
"""
from __future__ import annotations

__all__ = ["convolution_nd", "convolution_1d", "convolution_3d"]

import inspect

import numpy as np

from ...compiler.errors import InvalidType, invalid_in
from ...configuration import state
from ...utils import size_of_shape
from .._core import Variable, call, var


def as_tuple(v, n: int, name: str = "argument") -> tuple:
    """Chainer's conv_nd.as_tuple: a sequence of n ints, or one int n times."""
    if hasattr(v, "__getitem__"):
        if len(v) != n:
            raise ValueError(f"{name} must have {n} elements, not {len(v)}: {tuple(v)}")
        return tuple(int(i) for i in v)
    return (int(v),) * n


def conv_outsize(size: int, k: int, s: int, p: int, cover_all: bool = False,
                 d: int = 1) -> int:
    """Chainer's get_conv_outsize."""
    dk = k + (k - 1) * (d - 1)
    if cover_all:
        return (size + p * 2 - dk + s - 1) // s + 1
    return (size + p * 2 - dk) // s + 1


def deconv_outsize(size: int, k: int, s: int, p: int, cover_all: bool = False,
                   d: int = 1) -> int:
    """Chainer's get_deconv_outsize."""
    dk = (k - 1) * d + 1
    if cover_all:
        return s * (size - 1) + dk - s + 1 - 2 * p
    return s * (size - 1) + dk - 2 * p


def parse_kwargs(kwargs: dict, *names, **gone) -> list:
    """Chainer's argument.parse_kwargs: known keyword arguments with their
    defaults, ValueError for arguments Chainer no longer takes, TypeError for
    unknown ones."""
    out = [kwargs.pop(name, default) for name, default in names]
    for name, message in gone.items():
        if name in kwargs:
            raise ValueError(message)
    if kwargs:
        raise TypeError(f"got unexpected keyword argument(s) {', '.join(kwargs)}")
    return out


DETERMINISTIC = ("deterministic argument is not supported anymore. Use "
                 "chainer.using_config('cudnn_deterministic', value) context where value "
                 "is either `True` or `False`.")
REQUIRES_X_GRAD = ("requires_x_grad argument is not supported anymore. Just remove the "
                   "argument. Note that whether to compute the gradient w.r.t. x is "
                   "automatically decided during backpropagation.")


def check(label: str, cond: bool, expect: str, actual: str) -> None:
    """Chainer's type check of a connection function (off, as Chainer's
    are, under config.type_check = False)."""
    if not cond and state.type_check:
        raise invalid_in(label, InvalidType(expect, actual))


def check_operands(label: str, x: Variable, W: Variable, b, nd: int) -> None:
    check(label, x.dtype.kind == "f", "x.dtype.kind == f", f"{x.dtype.kind} != f")
    check(label, W.dtype.kind == "f", "W.dtype.kind == f", f"{W.dtype.kind} != f")
    check(label, x.ndim == nd + 2, f"x.ndim == {nd + 2}", f"{x.ndim} != {nd + 2}")
    check(label, W.ndim == nd + 2, f"W.ndim == {nd + 2}", f"{W.ndim} != {nd + 2}")
    if b is not None:
        check(label, b.dtype.kind == "f", "b.dtype.kind == f", f"{b.dtype.kind} != f")
        check(label, b.ndim == 1, "b.ndim == 1", f"{b.ndim} != 1")


def compute_dtype(x: Variable, W: Variable):
    """x and W in the dtype they promote to (Chainer multiplies them so, then
    casts the result to x's dtype)."""
    ct = np.result_type(x.dtype, W.dtype)
    if x.dtype != ct:
        x = call("cast", x, dtype=ct)
    if W.dtype != ct:
        W = call("cast", W, dtype=ct)
    return x, W


def add_bias(y: Variable, b, nd: int, dtype) -> Variable:
    if dtype is not None and y.dtype != dtype:
        y = call("cast", y, dtype=np.dtype(dtype))
    if b is None:
        return y
    b = var(b)
    if b.dtype != y.dtype:
        b = call("cast", b, dtype=y.dtype)
    if nd == 0:                           # y is (rows, channels)
        return call("add", y, b)
    return call("add", y, call("reshape", b, shape=(1, b.shape[0]) + (1,) * nd))


def patches(x: Variable, ksize, stride, pad, dilate, outsize, pval=0.0) -> Variable:
    """im2col: (N, C, size...) -> (N, C, ksize..., outsize...)."""
    return call("im2col_nd", x, ksize=tuple(ksize), stride=tuple(stride), pad=tuple(pad),
                dilate=tuple(dilate), outsize=tuple(outsize), pval=float(pval))


# multiply-adds per image below which a convolution runs as one matmul per image
SMALL = 1 << 18


def convolve(x: Variable, W: Variable, b, stride, pad, cover_all, dilate, groups,
             label: str, dtype) -> Variable:
    """The convolution of x (N, C, size...) with W (out, C / groups, k...), in
    the dtype x and W have, then cast to `dtype`, plus b."""
    nd = x.ndim - 2
    n, c = x.shape[:2]
    oc, ksize = W.shape[0], W.shape[2:]
    outsize = tuple(conv_outsize(s, k, st, p, cover_all, d)
                    for s, k, st, p, d in zip(x.shape[2:], ksize, stride, pad, dilate))
    if any(o <= 0 for o in outsize):
        # Chainer's im2col asserts it (an AssertionError, on the CPU)
        raise AssertionError(f"{label}: Output sizes should be positive, but they are "
                             f"{outsize} (x.shape = {x.shape}, ksize = {ksize}, stride = "
                             f"{stride}, pad = {pad}, dilate = {dilate})")
    o, kk = size_of_shape(outsize), size_of_shape(ksize)
    if groups == 1:
        # patches as rows (N out..., k... C): one matmul with the filters, whose
        # result (N out..., C_out) is the output in channel-last memory
        col = call("im2col_nd_rows", x, ksize=tuple(ksize), stride=tuple(stride),
                   pad=tuple(pad), dilate=tuple(dilate), outsize=outsize, pval=0.0)
        wr = call("transpose", W, axes=(0,) + tuple(range(2, nd + 2)) + (1,))
        wr = call("transpose", call("reshape", wr, shape=(oc, kk * c)), axes=(1, 0))
        if o * kk * c * oc < SMALL:
            # small products: one per image (too small for BLAS's threads,
            # which cost more than they give there), the filter gradient a sum
            # of per-image products rather than one over a very long axis
            y = call("matmul", call("reshape", col, shape=(n, o, kk * c)), wr)
            y = call("reshape", y, shape=(n * o, oc))
        else:
            y = call("matmul", call("reshape", col, shape=(n * o, kk * c)), wr)
        y = add_bias(y, b, 0, dtype)      # on the rows (N out..., C_out): contiguous
        y = call("reshape", y, shape=(n,) + outsize + (oc,))
        return call("transpose", y, axes=(0, nd + 1) + tuple(range(1, nd + 1)))
    # groups: patches (N, C, k..., out...), one matmul per image and group
    col = patches(x, ksize, stride, pad, dilate, outsize)
    cg = c // groups
    w3 = call("reshape", W, shape=(groups, oc // groups, cg * kk))
    y = call("matmul", w3, call("reshape", col, shape=(n, groups, cg * kk, o)))
    return add_bias(call("reshape", y, shape=(n, oc) + outsize), b, nd, dtype)


def convolution(x, W, b, stride, pad, cover_all, dilate, groups, nd: int,
                label: str, bias_dtype_of_x: bool = False) -> Variable:
    """Chainer's convolution over nd axes; `bias_dtype_of_x`: b must have x's
    dtype (Convolution2DFunction's rule; ConvolutionND casts it)."""
    x, W = var(x), var(W)
    b = None if b is None else var(b)
    check_operands(label, x, W, b, nd)
    if b is not None and bias_dtype_of_x:
        check(label, b.dtype == x.dtype, "b.dtype == x.dtype", f"{b.dtype} != {x.dtype}")
    groups = int(groups)
    stride = as_tuple(stride, nd, "stride")
    pad = as_tuple(pad, nd, "pad")
    dilate = as_tuple(dilate, nd, "dilate")
    if any(d < 1 for d in dilate):
        raise ValueError(f"Dilate should be positive, but {dilate} is supplied.")
    if groups < 1:
        raise ValueError(f"groups should be positive, but {groups} is supplied.")
    if groups > 1:
        if x.shape[1] % groups:
            raise TypeError("The number of groups must be a divisor of that of input "
                            "channels")
        if W.shape[0] % groups:
            raise TypeError("The number of groups must be a divisor of that of output "
                            "channels")
    check(label, x.shape[1] == W.shape[1] * groups, f"x.shape[1] == W.shape[1] * {groups}",
          f"{x.shape[1]} != {W.shape[1] * groups}")
    if b is not None:
        check(label, b.shape[0] == W.shape[0], "b.shape[0] == W.shape[0]",
              f"{b.shape[0]} != {W.shape[0]}")
    if any(s < 1 for s in stride):
        raise ValueError(f"stride should be positive, but {stride} is supplied.")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad should not be negative, but {pad} is supplied.")
    dtype = x.dtype
    xc, Wc = compute_dtype(x, W)
    return convolve(xc, Wc, b, stride, pad, bool(cover_all), dilate, groups, label, dtype)


def convolution_nd(x, W, b=None, stride=1, pad=0, cover_all: bool = False, dilate=1,
                   groups: int = 1) -> Variable:
    """N-dimensional convolution (Chainer's F.convolution_nd): x is
    (n, c_I, d_1, ..., d_N), W is (c_O, c_I / groups, k_1, ..., k_N), b is (c_O,)."""
    nd = len(x.shape[2:])
    return convolution(x, W, b, stride, pad, cover_all, dilate, groups, nd, "ConvolutionND")


def fixed_rank(general, nd: int, name: str, what: str):
    """`general` (convolution_nd, deconvolution_nd) for inputs with exactly
    `nd` spatial axes: Chainer's convolution_1d/3d and their deconvolutions,
    which refuse any other rank."""
    def fixed(x, *args, **kwargs) -> Variable:
        if len(x.shape[2:]) != nd:
            raise ValueError(
                "The number of dimensions under channel dimension of the input 'x' "
                f"should be {nd}. But the actual ndim was {len(x.shape[2:])}.")
        return general(x, *args, **kwargs)
    fixed.__name__ = fixed.__qualname__ = name
    fixed.__doc__ = f"{nd}-dimensional {what} (see {general.__name__})."
    fixed.__signature__ = inspect.signature(general)
    return fixed


convolution_1d = fixed_rank(convolution_nd, 1, "convolution_1d", "convolution")
convolution_3d = fixed_rank(convolution_nd, 3, "convolution_3d", "convolution")


class FunctionNodeAdapter:
    """Chainer's FunctionNode class of a function, as code builds and applies
    it (`Convolution2DFunction(stride, pad).apply((x, W))`): apply checks the
    number of inputs as Chainer's type check does and calls the function."""
    label = ""
    n_inputs = (2, 3)

    def forward_function(self, *inputs):
        raise TypeError(f"{type(self).__name__} names no function")

    def apply(self, inputs):
        lo, hi = self.n_inputs
        n = len(inputs)
        check(self.label, lo <= n <= hi, f"{lo} <= in_types.size() <= {hi}",
              f"in_types.size() = {n}")
        return (self.forward_function(*inputs),)


class ConvolutionND(FunctionNodeAdapter):
    label = "ConvolutionND"

    def __init__(self, ndim, stride=1, pad=0, cover_all=False, dilate=1, groups=1):
        self.ndim = ndim
        self.stride = as_tuple(stride, ndim, "stride")
        self.pad = as_tuple(pad, ndim, "pad")
        self.cover_all = cover_all
        self.dilate = as_tuple(dilate, ndim, "dilate")
        self.groups = groups

    def forward_function(self, x, W, b=None):
        return convolution(x, W, b, self.stride, self.pad, self.cover_all, self.dilate,
                           self.groups, self.ndim, self.label)
