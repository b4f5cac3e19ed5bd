"""cholesky (Chainer's chainer.functions.math.cholesky)."""
from __future__ import annotations

from .._core import Variable, call, var


def cholesky(a) -> Variable:
    """The lower-triangular L with L L^T = a, for a symmetric positive
    definite matrix a (Chainer's gradient, symmetrized)."""
    return call("cholesky", var(a))
