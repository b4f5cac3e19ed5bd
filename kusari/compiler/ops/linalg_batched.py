"""Square-matrix library ops over the last two axes: inv and det (Chainer's
F.inv, F.batch_inv, F.det, F.batch_det).

Gradients are matmuls and these ops again: d inv(A) = -inv(A)^T gy inv(A)^T,
d det(A) = gy det(A) inv(A)^T, so they differentiate to any order (singular
matrices have none, as in Chainer).
"""
from __future__ import annotations

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from .registry import LIBRARY, OpDef, check_float, register


def _square_infer(attrs, x):
    check_float(x, "a")
    if x.ndim < 2:
        raise InvalidType("a.ndim >= 2", f"a.ndim = {x.ndim}")
    if x.shape[-1] != x.shape[-2]:
        raise InvalidType("a.shape[-1] == a.shape[-2]",
                          f"{x.shape[-1]} != {x.shape[-2]} (a.shape = {x.shape})")
    return x.shape, x.dtype


def inv(x):
    """Inverses of the matrices in x; singular ones raise LinAlgError."""
    work = x.astype(np.float32) if x.dtype == np.float16 else x   # (LAPACK has no half)
    with np.errstate(all="ignore"):
        return np.linalg.inv(work).astype(x.dtype, copy=False)


def _inv_grad(gy, y, x):
    yt = y.swap_last()
    return (-(yt @ gy @ yt),)


register(OpDef("inv", LIBRARY, _square_infer, impl=inv, label="Inv",
               arg_names=("a",), saves_out=True, grad=_inv_grad))


def _det_infer(attrs, x):
    shape, dtype = _square_infer(attrs, x)
    return shape[:-2], dtype


def det(x):
    work = x.astype(np.float32) if x.dtype == np.float16 else x
    return np.asarray(np.linalg.det(work)).astype(x.dtype, copy=False)


def _det_grad(gy, y, x):
    scale = (gy * y).reshape(y.shape + (1, 1))
    return (scale * S.apply("inv", x).swap_last(),)


register(OpDef("det", LIBRARY, _det_infer, impl=det, label="Det", arg_names=("a",),
               saves=(0,), saves_out=True, grad=_det_grad))


def _cholesky_infer(attrs, x):
    check_float(x, "a")
    if x.ndim != 2:
        raise InvalidType("a.ndim == 2", f"a.ndim = {x.ndim}")
    return _square_infer(attrs, x)


def cholesky(x):
    """The lower-triangular L with L L^T = x (LinAlgError where x is not
    positive definite)."""
    work = x.astype(np.float32) if x.dtype == np.float16 else x
    return np.linalg.cholesky(work).astype(x.dtype, copy=False)


def _cholesky_grad(gy, y, x):
    # Chainer's rule: phi = (tril(1) - I/2) * (y^T gy), s = y^-T phi y^-1,
    # gx = (s + s^T) / 2
    n = y.shape[0]
    mask = np.tri(n, dtype=y.dtype) - 0.5 * np.eye(n, dtype=y.dtype)
    y_inv = S.apply("inv", y)
    phi = (y.T @ gy) * mask
    s = y_inv.T @ phi @ y_inv
    return ((s + s.T) * 0.5,)


register(OpDef("cholesky", LIBRARY, _cholesky_infer, impl=cholesky, label="cholesky",
               arg_names=("a",), saves_out=True, grad=_cholesky_grad))
