"""The symmetric eigendecomposition, as two library ops over the last two
axes: eigh_values (ascending eigenvalues w) and eigh_vectors (the matrix V
whose columns are the eigenvectors), A = V diag(w) V^T. Decorrelated batch
normalization whitens with them (V diag(w)^-1/2 V^T).

Each gradient is written with matmuls and the other op, so both
differentiate to any order (the gradient with respect to a symmetric A,
NumPy's eigh reading A's lower triangle):

    eigh_values:   gA = V diag(gw) V^T
    eigh_vectors:  gA = sym(V (F * (V^T gV)) V^T),  F_ij = 1 / (w_j - w_i),
                   0 where w_j == w_i (Chainer's rule for repeated eigenvalues)

float16 is computed in float32 (LAPACK has no half precision); a matrix
with an infinite or NaN element gives NaN.
"""
from __future__ import annotations

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from .registry import LIBRARY, OpDef, check_float, register


def _symmetric_infer(attrs, a):
    check_float(a, "a")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise InvalidType("a.ndim >= 2 and a.shape[-1] == a.shape[-2]", f"a.shape = {a.shape}")
    return a.shape, a.dtype


def _values_infer(attrs, a):
    shape, dtype = _symmetric_infer(attrs, a)
    return shape[:-1], dtype


def _eigh(a):
    """NumPy's eigh, but NaN for a matrix with an element that is not
    finite (LAPACK returns finite numbers for some of those)."""
    work = a.astype(np.float32) if a.dtype == np.float16 else a
    w, v = np.linalg.eigh(work)
    bad = ~np.isfinite(work).all(axis=(-2, -1))
    if bad.any():
        w[bad] = np.nan
        v[bad] = np.nan
    return w, v


def eigh_values(a):
    return _eigh(a)[0].astype(a.dtype, copy=False)


def eigh_vectors(a):
    return _eigh(a)[1].astype(a.dtype, copy=False)


def _values_grad(gw, w, a):
    v = S.apply("eigh_vectors", a)
    n = a.shape[-1]
    return ((v * gw.reshape(gw.shape[:-1] + (1, n))) @ v.swap_last(),)


def _vectors_grad(gv, v, a):
    w = S.apply("eigh_values", a)
    n = a.shape[-1]
    batch = w.shape[:-1]
    diff = w.reshape(batch + (1, n)) - w.reshape(batch + (n, 1))     # w_j - w_i
    distinct = S.not_equal(diff, 0)
    f = S.where(distinct, 1 / S.where(distinct, diff, 1), 0)
    ga = v @ (f * (v.swap_last() @ gv)) @ v.swap_last()
    return ((ga + ga.swap_last()) * 0.5,)


register(OpDef("eigh_values", LIBRARY, _values_infer, impl=eigh_values, label="EighValues",
               arg_names=("a",), saves=(0,), grad=_values_grad))
register(OpDef("eigh_vectors", LIBRARY, _symmetric_infer, impl=eigh_vectors,
               label="EighVectors", arg_names=("a",), saves=(0,), saves_out=True,
               grad=_vectors_grad))
