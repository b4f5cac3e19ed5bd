"""F.bilinear: the bilinear layer of neural tensor networks."""
from __future__ import annotations

from ...compiler.errors import InvalidType, invalid_in
from ...utils import size_of_shape
from .._core import Variable, call, var


def bilinear(e1, e2, W, V1=None, V2=None, b=None) -> Variable:
    """y[n, l] = sum_jk e1[n, j] e2[n, k] W[j, k, l]
    (+ e1 V1 + e2 V2 + b when V1, V2 and b are given: all three or none).

    e1 and e2 are flattened after their batch axis. All operands share one
    float dtype (Chainer takes float32 only; kusari computes float16 and
    float64 too, in their dtype). Made of registry ops (an outer product and one matmul), so it
    differentiates to any order."""
    flags = [V1 is None, V2 is None, b is None]
    if any(flags) and not all(flags):
        raise ValueError("All coefficients and bias for bilinear() must be None, if at "
                         "least one of them is None.")
    e1, e2, W = var(e1), var(e2), var(W)
    extra = [] if all(flags) else [var(V1), var(V2), var(b)]
    _check(e1, e2, W, extra)
    n = e1.shape[0]
    j, k = size_of_shape(e1.shape[1:]), size_of_shape(e2.shape[1:])
    e1m = call("reshape", e1, shape=(n, j, 1))
    e2m = call("reshape", e2, shape=(n, 1, k))
    outer = call("reshape", e1m * e2m, shape=(n, j * k))
    y = call("matmul", outer, call("reshape", W, shape=(j * k, W.shape[2])))
    if extra:
        V1, V2, b = extra
        y = (y + call("matmul", call("reshape", e1, shape=(n, j)), V1)
             + call("matmul", call("reshape", e2, shape=(n, k)), V2) + b)
    return y


def _check(e1, e2, W, extra) -> None:
    def expect(ok, expected, actual):
        if not ok:
            raise invalid_in("BilinearFunction", InvalidType(expected, actual))

    expect(e1.dtype.kind == "f", "e1.dtype.kind == f", f"{e1.dtype.kind} != f")
    for v, n in ((e2, "e2"), (W, "W")) + tuple(zip(extra, ("V1", "V2", "b"))):
        expect(v.dtype == e1.dtype, f"{n}.dtype == e1.dtype", f"{v.dtype} != {e1.dtype}")
    expect(e1.ndim >= 2, "e1.ndim >= 2", f"{e1.ndim} < 2")
    expect(e2.ndim >= 2, "e2.ndim >= 2", f"{e2.ndim} < 2")
    expect(e1.shape[0] == e2.shape[0], "e1.shape[0] == e2.shape[0]",
           f"{e1.shape[0]} != {e2.shape[0]}")
    expect(W.ndim == 3, "W.ndim == 3", f"{W.ndim} != 3")
    j, k = size_of_shape(e1.shape[1:]), size_of_shape(e2.shape[1:])
    expect(j == W.shape[0], "prod(e1.shape[1:]) == W.shape[0]", f"{j} != {W.shape[0]}")
    expect(k == W.shape[1], "prod(e2.shape[1:]) == W.shape[1]", f"{k} != {W.shape[1]}")
    if not extra:
        return
    V1, V2, b = extra
    out = W.shape[2]
    for v, n, rows in ((V1, "V1", W.shape[0]), (V2, "V2", W.shape[1])):
        expect(v.ndim == 2, f"{n}.ndim == 2", f"{v.ndim} != 2")
        expect(v.shape[0] == rows, f"{n}.shape[0] == W.shape[{0 if n == 'V1' else 1}]",
               f"{v.shape[0]} != {rows}")
        expect(v.shape[1] == out, f"{n}.shape[1] == W.shape[2]", f"{v.shape[1]} != {out}")
    expect(b.ndim == 1, "b.ndim == 1", f"{b.ndim} != 1")
    expect(b.shape[0] == out, "b.shape[0] == W.shape[2]", f"{b.shape[0]} != {out}")


# `from chainer.functions.connection import bilinear` gives this function in kusari (the
# package exports it under its module's name): it carries its module's public
# names, as Chainer's module has them (bilinear.bilinear(...) works either way).
bilinear.bilinear = bilinear
