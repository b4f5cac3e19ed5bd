"""What the pooling functions share: Chainer's argument rules and checks,
and the patches (im2col_nd) they reduce."""
from __future__ import annotations

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call, var


def as_tuple(v, n: int, name: str = "argument") -> tuple:
    if hasattr(v, "__getitem__"):
        if len(v) != n:
            raise ValueError(f"{name} must have {n} elements, not {len(v)}: {tuple(v)}")
        return tuple(int(i) for i in v)
    return (int(v),) * n


def conv_outsize(size, k, s, p, cover_all=False):
    if cover_all:
        return (size + p * 2 - k + s - 1) // s + 1
    return (size + p * 2 - k) // s + 1


def deconv_outsize(size, k, s, p, cover_all=False):
    if cover_all:
        return s * (size - 1) + k - s + 1 - 2 * p
    return s * (size - 1) + k - 2 * p


def check(label: str, cond: bool, expect: str, actual: str) -> None:
    if not cond:
        raise invalid_in(label, InvalidType(expect, actual))


def geometry(label: str, x, nd: int, ksize, stride, pad):
    """x as a Variable checked as Chainer's pooling checks it, with ksize,
    stride (default: ksize) and pad as nd-tuples."""
    x = var(x)
    if nd <= 0:
        raise ValueError("pooling operation requires at least one spatial dimension.")
    check(label, x.dtype.kind == "f", "x.dtype.kind == f", f"{x.dtype.kind} != f")
    check(label, x.ndim == nd + 2, f"x.ndim == {nd + 2}", f"{x.ndim} != {nd + 2}")
    check(label, x.size > 0, "x.size > 0", f"{x.size} == 0")
    ksize = as_tuple(ksize, nd, "ksize")
    stride = ksize if stride is None else as_tuple(stride, nd, "stride")
    pad = as_tuple(pad, nd, "pad")
    if any(k < 1 for k in ksize) or any(s < 1 for s in stride) or any(p < 0 for p in pad):
        raise ValueError(f"{label}: ksize and stride must be positive and pad not negative "
                         f"(ksize = {ksize}, stride = {stride}, pad = {pad})")
    return x, ksize, stride, pad


def windows(label: str, x: Variable, ksize, stride, pad, cover_all: bool, pval: float):
    """The patches of x (N, C, k..., out...) and the output size."""
    outs = tuple(conv_outsize(d, k, s, p, cover_all)
                 for d, k, s, p in zip(x.shape[2:], ksize, stride, pad))
    if any(o <= 0 for o in outs):
        # Chainer's im2col asserts it (an AssertionError)
        raise AssertionError(f"{label}: Output sizes should be positive, but they are {outs} "
                         f"(x.shape = {x.shape}, ksize = {ksize}, stride = {stride}, "
                         f"pad = {pad})")
    nd = len(ksize)
    col = call("im2col_nd", x, ksize=ksize, stride=stride, pad=pad, dilate=(1,) * nd,
               outsize=outs, pval=float(pval))
    return col, outs


def fixed_ndim(nd: int, x) -> None:
    if len(x.shape[2:]) != nd:
        raise ValueError(
            "The number of dimensions under channel dimension of the input 'x' should be "
            f"{nd}. But the actual ndim was {len(x.shape[2:])}.")


def first_max(v: Variable, axis: int):
    """The maximum along `axis` and where it is (its first occurrence, a NaN
    if any: NumPy's argmax), as Chainer's max pooling takes it; the gradient
    goes to that element only."""
    idx = call("argmax", v, axis=axis)
    return call("take_axis", v, idx, axis=axis), idx
