"""Einstein summation: einsum and diag_einsum (Chainer's EinSum and
DiagEinSum).

Subscripts are attributes: `in_subs` (operands' subscripts joined by ',',
'@' standing for an ellipsis) and `out_sub`. diag_einsum writes its result
into an array of `out_shape`, on the diagonals its repeated output
subscripts name and broadcast along subscripts no operand has: that is the
gradient of an einsum with respect to one operand, and, being linear in
each operand, its own gradient is a diag_einsum again, so einsum
differentiates to any order.
"""
from __future__ import annotations

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from .registry import LIBRARY, OpDef, register


def _dims(sub: str, shape: tuple):
    """Each subscript's axes of an operand: [(char, size)] and the ellipsis shape."""
    if "@" in sub:
        left, right = sub.split("@")
        n_ell = len(shape) - len(left) - len(right)
        if n_ell < 0:
            raise InvalidType(f"operand with subscripts {sub.replace('@', '...')} has at "
                              f"least {len(left) + len(right)} dims", f"shape {shape}")
        ell = tuple(shape[len(left):len(left) + n_ell])
        pairs = list(zip(left, shape[:len(left)])) + \
            list(zip(right, shape[len(left) + n_ell:]))
        return pairs, ell
    if len(sub) != len(shape):
        raise InvalidType(f"operand with subscripts {sub} has {len(sub)} dims",
                          f"shape {shape}")
    return list(zip(sub, shape)), None


def sizes(in_subs: str, shapes) -> tuple[dict, tuple | None]:
    """The size of each subscript and the ellipsis shape; equal sizes are
    required (no broadcasting, as in Chainer)."""
    subs = in_subs.split(",")
    if len(subs) != len(shapes):
        raise InvalidType(f"{len(subs)} operands", f"{len(shapes)} operands")
    size: dict = {}
    ell = None
    for i, (sub, shape) in enumerate(zip(subs, shapes)):
        pairs, e = _dims(sub, tuple(shape))
        for c, n in pairs:
            if c in size and size[c] != n:
                raise InvalidType(f"the sizes of subscript {c} agree",
                                  f"{size[c]} != {n} (x{i}.shape = {tuple(shape)})")
            size[c] = n
        if e is not None:
            if ell is not None and ell != e:
                raise InvalidType("the shapes under ... agree", f"{ell} != {e}")
            ell = e
    return size, ell


def _out_shape(out_sub: str, size: dict, ell) -> tuple:
    shape = []
    for c in out_sub:
        if c == "@":
            shape.extend(ell or ())
        else:
            if c not in size:
                raise InvalidType(f"output subscript {c} is an operand's",
                                  f"{c} names no operand axis")
            shape.append(size[c])
    return tuple(shape)


def _einsum_infer(attrs, *xs):
    for i, x in enumerate(xs):
        if x.dtype.kind != "f":
            raise InvalidType(f"x{i}.dtype.kind == f", f"x{i}.dtype.kind = {x.dtype.kind}")
    size, ell = sizes(attrs["in_subs"], [x.shape for x in xs])
    return _out_shape(attrs["out_sub"], size, ell), np.result_type(*[x.dtype for x in xs])


def _call_einsum(xs, in_subs: str, out_sub: str, dtype):
    """NumPy's einsum on Chainer's subscripts; an ellipsis missing from the
    output is summed over."""
    spec_in = in_subs.replace("@", "...")
    summed = "@" in in_subs and "@" not in out_sub
    spec_out = ("..." if summed else "") + out_sub.replace("@", "...")
    kwargs = {"optimize": True} if len(xs) >= 3 else {}
    y = np.einsum(f"{spec_in}->{spec_out}", *xs, **kwargs)
    if summed:
        lead = np.ndim(y) - len(out_sub)
        if lead:
            y = np.sum(y, axis=tuple(range(lead)))
    return np.asarray(y, dtype=dtype)


def einsum(*xs, in_subs, out_sub):
    dtype = np.result_type(*[x.dtype for x in xs])
    if dtype == np.float16:      # (NumPy's float16 einsum loses much)
        return _call_einsum([x.astype(np.float32) for x in xs], in_subs, out_sub, dtype)
    return _call_einsum(xs, in_subs, out_sub, dtype)


def _diag_view(y: np.ndarray, out_sub: str, order: list):
    """A writable view of y with one axis per distinct subscript of out_sub
    (in `order`, the ellipsis expanded): repeated subscripts make diagonals."""
    n_ell = y.ndim - (len(out_sub) - ("@" in out_sub))
    axes: dict = {}
    pos = 0
    for c in out_sub:
        if c == "@":
            axes["@"] = list(range(pos, pos + n_ell))
            pos += n_ell
        else:
            axes.setdefault(c, []).append(pos)
            pos += 1
    shape, strides = [], []
    for c in order:
        if c == "@":
            shape += [y.shape[a] for a in axes["@"]]
            strides += [y.strides[a] for a in axes["@"]]
        else:
            shape.append(y.shape[axes[c][0]])
            strides.append(sum(y.strides[a] for a in axes[c]))
    return np.lib.stride_tricks.as_strided(y, tuple(shape), tuple(strides), writeable=True), \
        n_ell


def diag_einsum(*xs, in_subs, out_sub, out_shape):
    dtype = np.result_type(*[x.dtype for x in xs])
    inputs = set(in_subs) - {","}
    order = sorted(set(out_sub))
    direct = [c for c in order if c in inputs]
    y = np.zeros(out_shape, dtype)
    view, n_ell = _diag_view(y, out_sub, order)
    work = [x.astype(np.float32) for x in xs] if dtype == np.float16 else xs
    values = _call_einsum(work, in_subs, "".join(direct), dtype)
    expander = []
    for c in order:
        k = n_ell if c == "@" else 1
        expander += [slice(None) if c in inputs else None] * k
    view[...] = values[tuple(expander)]
    return y


def _diag_infer(attrs, *xs):
    for i, x in enumerate(xs):
        if x.dtype.kind != "f":
            raise InvalidType(f"x{i}.dtype.kind == f", f"x{i}.dtype.kind = {x.dtype.kind}")
    size, ell = sizes(attrs["in_subs"], [x.shape for x in xs])
    out_shape = tuple(attrs["out_shape"])
    pairs, _ = _dims(attrs["out_sub"], out_shape)
    for c, n in pairs:
        if c in size and size[c] != n:
            raise InvalidType(f"the sizes of subscript {c} agree", f"{size[c]} != {n}")
    return out_shape, np.result_type(*[x.dtype for x in xs])


def _grad(gy, y, *xs, in_subs, out_sub, **_):
    subs = in_subs.split(",")
    grads = []
    for i, x in enumerate(xs):
        if x.dtype.kind != "f":
            grads.append(None)
            continue
        new_in = ",".join(out_sub if j == i else s for j, s in enumerate(subs))
        args = [gy if j == i else xj for j, xj in enumerate(xs)]
        g = S.apply("diag_einsum", *args, in_subs=new_in, out_sub=subs[i],
                    out_shape=tuple(x.shape))
        grads.append(g.astype(x.dtype))
    return tuple(grads)


register(OpDef("einsum", LIBRARY, _einsum_infer, impl=einsum, label="EinSum",
               arg_names=("xs",), attr_names=("in_subs", "out_sub"), saves=slice(0, None),
               grad=_grad))
register(OpDef("diag_einsum", LIBRARY, _diag_infer, impl=diag_einsum, label="DiagEinSum",
               arg_names=("xs",), attr_names=("in_subs", "out_sub", "out_shape"),
               saves=slice(0, None), grad=_grad))
