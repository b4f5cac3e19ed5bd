"""Cumulative products along one axis: cumprod, and cumprodsum, the linear
recurrence y[i] = xmul[i - 1] * y[i - 1] + xadd[i] that their gradients are
made of (Chainer's Cumprod and Cumprodsum).

Products and sums only, never a division: exact where elements are zero,
and each gradient is made of these ops again, so they differentiate to any
order. `prod`'s gradient is built from them.
"""
from __future__ import annotations

from .. import sym as S
from ..errors import InvalidType
from . import numpy_kernels as nk
from .registry import LIBRARY, OpDef, check_float, check_same_dtype, register


def _check_axis(x, axis):
    if not 0 <= axis < x.ndim:
        raise InvalidType("0 <= axis < x.ndim", f"axis {axis} for x.ndim = {x.ndim}")


def _cumprod_infer(attrs, x):
    check_float(x, "x")
    _check_axis(x, attrs["axis"])
    return x.shape, x.dtype


def _cumprodsum_infer(attrs, xmul, xadd):
    check_float(xadd, "xadd")
    check_same_dtype((xmul, xadd), ("xmul", "xadd"))
    axis = attrs["axis"]
    _check_axis(xadd, axis)
    want = tuple(d - 1 if i == axis else d for i, d in enumerate(xadd.shape))
    if xadd.shape[axis] == 0 or xmul.shape != want:
        raise InvalidType("xmul.shape == xadd.shape less one along axis, xadd.shape[axis] > 0",
                          f"{xmul.shape} and {xadd.shape} along axis {axis}")
    return xadd.shape, xadd.dtype


def along(x: S.Sym, axis: int, start=None, stop=None, step=None) -> S.Sym:
    """x[..., start:stop:step, ...] on `axis`."""
    key = (("s", None, None, None),) * axis + (("s", start, stop, step),)
    return S.apply("getitem", x, key=key)


def flip(x: S.Sym, axis: int) -> S.Sym:
    return along(x, axis, step=-1)


def cumprod(x: S.Sym, axis: int) -> S.Sym:
    return S.apply("cumprod", x, axis=axis)


def exclusive_cumprod(x: S.Sym, axis: int) -> S.Sym:
    """The product of the elements before each along `axis` (1 for the first)."""
    n = x.shape[axis]
    ones = S.const_like(x, 1, tuple(1 if i == axis else d for i, d in enumerate(x.shape)))
    return cumprod(along(S.apply("concat", ones, x, axis=axis), axis, 0, n), axis)


def _flipped_cumprodsum(xmul: S.Sym, xadd: S.Sym, axis: int) -> S.Sym:
    """The recurrence run from the far end: z[i] = xadd[i] + xmul[i] * z[i + 1]."""
    return flip(S.apply("cumprodsum", flip(xmul, axis), flip(xadd, axis), axis=axis), axis)


def _cumprod_grad(gy, y, x, axis):
    # Chainer's rule: gx[k] = prod(x[:k]) * sum over i >= k of gy[i] prod(x[k+1:i+1])
    n = x.shape[axis]
    if n <= 1:
        return (gy,)
    tail = _flipped_cumprodsum(along(x, axis, 1), gy, axis)
    ones = S.const_like(x, 1, tuple(1 if i == axis else d for i, d in enumerate(x.shape)))
    return (tail * S.apply("concat", ones, along(y, axis, 0, n - 1), axis=axis),)


def _cumprodsum_grad(gy, y, xmul, xadd, axis):
    gxadd = _flipped_cumprodsum(xmul, gy, axis)
    n = xadd.shape[axis]
    return along(gxadd, axis, 1) * along(y, axis, 0, n - 1), gxadd


register(OpDef("cumprod", LIBRARY, _cumprod_infer, impl=nk.cumprod, numpy_name="nk.cumprod",
               grad=_cumprod_grad, label="Cumprod", attr_names=("axis",), saves=(0,),
               saves_out=True))
register(OpDef("cumprodsum", LIBRARY, _cumprodsum_infer, impl=nk.cumprodsum,
               numpy_name="nk.cumprodsum", grad=_cumprodsum_grad, label="Cumprodsum",
               arg_names=("xmul", "xadd"), attr_names=("axis",), saves=(0,),
               saves_out=True))
