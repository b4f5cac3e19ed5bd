"""sparse_matmul (Chainer's chainer.functions.math.sparse_matmul): a matrix
in COO form (kusari.utils.CooMatrix) times a dense one.

The sparse operand's entries are scattered into a dense matrix (scatter_add:
repeated coordinates add up, padding entries, whose row is negative, count
nothing) and multiplied with matmul; the gradient with respect to the
entries is a gather (getitem) of the dense gradient, so everything
differentiates to any order.
"""
from __future__ import annotations

import numpy as np

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call, host, sent, var


def _swap_last(x: Variable) -> Variable:
    axes = list(range(x.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return call("transpose", x, axes=tuple(axes))


class CooMatMul:
    """Chainer's CooMatMul: apply((sp_data, dense)) multiplies the COO
    matrix with entries sp_data at (sp_row, sp_col), of sp_shape, by dense
    (transa / transb transpose the operands, transc the result)."""

    label = "CooMatMul"

    def __init__(self, sp_row, sp_col, sp_shape, sp_order="other", transa=False,
                 transb=False, transc=False, dtype=None):
        sp_row, sp_col = host(sp_row), host(sp_col)
        if sp_row.ndim != sp_col.ndim:
            raise ValueError("ndim of sp_row and sp_col must be the same.")
        if sp_row.ndim not in (1, 2):
            raise ValueError("ndim of sp_row and sp_col must be one or two.")
        if sp_row.shape != sp_col.shape:
            raise ValueError("shape of sp_row and sp_col must be the same.")
        if len(sp_shape) != 2:
            raise ValueError("len(sp_shape) must be two.")
        self.sp_row, self.sp_col = sp_row, sp_col
        self.sp_shape = tuple(int(d) for d in sp_shape)
        self.sp_order = sp_order
        self.transa, self.transb, self.transc = transa, transb, transc
        self.dtype = None if dtype is None else np.dtype(dtype)

    def _check(self, sp: Variable, dn: Variable) -> None:
        def expect(ok, want, got):
            if not ok:
                raise invalid_in("CooMatMul", InvalidType(want, got))
        expect(sp.dtype.kind == "f", "sp.dtype.kind == f", f"sp.dtype.kind = {sp.dtype.kind}")
        expect(dn.dtype.kind == "f", "dn.dtype.kind == f", f"dn.dtype.kind = {dn.dtype.kind}")
        expect(2 <= dn.ndim <= 3, "2 <= dn.ndim <= 3", f"dn.ndim = {dn.ndim}")
        expect(sp.ndim == dn.ndim - 1, "sp.ndim == dn.ndim - 1",
               f"sp.ndim = {sp.ndim}, dn.ndim = {dn.ndim}")
        expect(sp.shape[-1] == self.sp_row.shape[-1], "sp.shape[-1] == sp_row.shape[-1]",
               f"{sp.shape[-1]} != {self.sp_row.shape[-1]}")
        k_sp = self.sp_shape[0 if self.transa else 1]
        k_dn = dn.shape[-1 if self.transb else -2]
        expect(k_sp == k_dn, "sp_shape's inner size == dn's", f"{k_sp} != {k_dn}")
        if dn.ndim == 3:
            expect(sp.shape[0] == self.sp_row.shape[0] == dn.shape[0],
                   "sp.shape[0] == sp_row.shape[0] == dn.shape[0]",
                   f"{sp.shape[0]}, {self.sp_row.shape[0]}, {dn.shape[0]}")

    def apply(self, inputs) -> tuple:
        sp, dn = var(inputs[0]), var(inputs[1])
        self._check(sp, dn)
        dtype = self.dtype or np.result_type(sp.dtype, dn.dtype)
        if sp.dtype != dtype:
            sp = call("cast", sp, dtype=dtype)
        if dn.dtype != dtype:
            dn = call("cast", dn, dtype=dtype)
        m, k = self.sp_shape
        # (the dense index is made on the host, then sent where sp is)
        row, col = host(self.sp_row), host(self.sp_col)
        valid = row >= 0
        if self.sp_row.ndim == 2:
            batch = np.arange(row.shape[0]).reshape(-1, 1) * (m * k)
            shape = (row.shape[0], m, k)
        else:
            batch = 0
            shape = (m, k)
        flat = np.where(valid, batch + row.astype(np.int64) * k + col, 0).reshape(-1)
        entries = call("reshape", sp, shape=(sp.size,))
        if not valid.all():
            entries = entries * var(sent(valid.reshape(-1).astype(dtype), sp))
        dense = call("scatter_add", entries, var(sent(flat, sp)), key=(("a", 0),),
                     shape=(int(np.prod(shape)),))
        a = call("reshape", dense, shape=shape)
        if self.transa:
            a = _swap_last(a)
        b = _swap_last(dn) if self.transb else dn
        c = call("matmul", a, b)
        return (_swap_last(c) if self.transc else c,)


def sparse_matmul(a, b, transa: bool = False, transb: bool = False) -> Variable:
    """a @ b where one of a and b is a CooMatrix (kusari.utils.to_coo) and
    the other a dense 2-D or 3-D (batched) array; transa / transb transpose
    each matrix of a / b first."""
    from ...utils.sparse import CooMatrix
    dense_types = (Variable, np.ndarray)
    if isinstance(a, CooMatrix) and (isinstance(b, dense_types) or
                                     type(b).__module__.split(".")[0] == "cupy"):
        return CooMatMul(a.row, a.col, a.shape, a.order, transa=transa, transb=transb,
                         transc=False).apply((a.data, b))[0]
    if isinstance(b, CooMatrix) and (isinstance(a, dense_types) or
                                     type(a).__module__.split(".")[0] == "cupy"):
        return CooMatMul(b.row, b.col, b.shape, b.order, transa=not transb,
                         transb=not transa, transc=True).apply((b.data, a))[0]
    raise ValueError("This combination of type of inputs is not supported.\n"
                     f"    a: {type(a)}\n    b: {type(b)}\n")
