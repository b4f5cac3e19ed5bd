"""Sparse matrices in COO format (Chainer's chainer.utils.sparse)."""
from __future__ import annotations

import numpy


def _xp(a):
    from ..backend import get_array_module
    return get_array_module(a)


def _add_at(xp, x, row, col, data):
    # entries past the last non-zero are padding (row/col -1): leave them out
    nz = data != 0
    if not nz.any():
        return
    last = data.size - int(nz[::-1].argmax())
    if xp is numpy:
        numpy.add.at(x, (row[:last], col[:last]), data[:last])
    else:
        import cupyx
        cupyx.scatter_add(x, (row[:last], col[:last]), data[:last])


class CooMatrix:
    """A sparse matrix (or a batch of them when `data` is 2-d) in COO format:
    entries `data` at (`row`, `col`) of a dense `shape`. `order` is 'C' (row
    indices sorted), 'F' (column indices sorted), 'other', or None to detect
    it; `requires_grad` makes `data` a Variable that receives a gradient."""

    def __init__(self, data, row, col, shape, order=None, requires_grad=False):
        if not 1 <= data.ndim <= 2:
            raise ValueError("ndim of data must be 1 or 2.")
        if not data.ndim == row.ndim == col.ndim:
            raise ValueError("ndim of data, row and col must be the same.")
        if len(shape) != 2:
            raise ValueError("length of shape must be 2.")
        if not (shape[0] > 0 and shape[1] > 0):
            raise ValueError("numbers in shape must be greater than 0.")
        if order not in ("C", "F", "other", None):
            raise ValueError("order must be 'C', 'F', 'other' or None.")
        from ..variable import Variable
        self.data = Variable(data, requires_grad=requires_grad)
        self.row = row
        self.col = col
        self.shape = shape
        self.order = get_order(row, col) if order is None else order

    def to_dense(self):
        """The dense matrix (or batch of matrices)."""
        data = self.data.array
        xp = _xp(data)
        shape = self.shape if data.ndim == 1 else (data.shape[0],) + tuple(self.shape)
        x = xp.zeros(shape, dtype=data.dtype)
        if data.size > 0:
            if data.ndim == 1:
                _add_at(xp, x, self.row, self.col, data)
            else:
                for i in range(data.shape[0]):
                    _add_at(xp, x[i], self.row[i], self.col[i], data[i])
        return x


def to_coo(x, ldnz=None, requires_grad=False):
    """A CooMatrix of the dense matrix `x` (2-d) or batch of matrices (3-d),
    with at least `ldnz` entries (padded with row = col = -1)."""
    xp = _xp(x)
    if x.ndim == 2:
        rows, cols = xp.where(x != 0)
        nnz = len(rows)
        if ldnz is None or ldnz < nnz:
            ldnz = nnz
        data = xp.zeros(ldnz, dtype=x.dtype)
        row = xp.full(ldnz, -1, dtype=xp.int32)
        col = xp.full(ldnz, -1, dtype=xp.int32)
        data[:nnz] = x[rows, cols]
        row[:nnz] = rows.astype(xp.int32)
        col[:nnz] = cols.astype(xp.int32)
        return CooMatrix(data, row, col, x.shape, requires_grad=requires_grad)
    if x.ndim == 3:
        batch = x.shape[0]
        ldnz = max([0 if ldnz is None else ldnz] +
                   [int((x[i] != 0).sum()) for i in range(batch)])
        data = xp.empty((batch, ldnz), dtype=x.dtype)
        row = xp.empty((batch, ldnz), dtype=xp.int32)
        col = xp.empty((batch, ldnz), dtype=xp.int32)
        for i in range(batch):
            coo = to_coo(x[i], ldnz)
            data[i] = coo.data.array
            row[i] = coo.row
            col[i] = coo.col
        return CooMatrix(data, row, col, x.shape[1:], requires_grad=requires_grad)
    raise ValueError("ndim of x must be 2 or 3.")


def get_order(row, col):
    """'C' if the row indices are sorted (columns sorted within a row), 'F'
    if the column indices are, else 'other'."""
    if _is_c_order(row, col):
        return "C"
    if _is_c_order(col, row):
        return "F"
    return "other"


def _is_c_order(row, col) -> bool:
    if row.shape != col.shape:
        raise ValueError("shape of row and col must be the same.")
    if row.ndim != 1:
        return all(_is_c_order(row[i], col[i]) for i in range(row.shape[0]))
    xp = _xp(row)
    r = row[col >= 0]
    c = col[row >= 0]
    if r[r < 0].size > 0 or c[c < 0].size:
        raise ValueError("invalid index combination of row and col.")
    if r.shape[0] <= 1:
        return True
    row_diff = xp.zeros(r.shape, dtype=r.dtype)
    row_diff[1:] = r[1:] - r[:-1]
    if xp.amin(row_diff) < 0:
        return False
    col_diff = xp.zeros(c.shape, dtype=c.dtype)
    col_diff[1:] = c[1:] - c[:-1]
    col_diff[row_diff > 0] = 0        # a new row may start at any column
    return bool(xp.amin(col_diff) >= 0)
