"""Constant folding.

Most constants in gradient graphs are *uniform*: one scalar filled to a shape
(the ones that seed a gradient, the zeros of a `where`). They fold
symbolically, whatever their shape, without materializing an array: an
elementwise op of uniform constants is a uniform constant, a reshape or
broadcast of one is one, a sum of one is one. Ops over small array constants
are evaluated with their NumPy form.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..ir import ArrayConst, Graph
from ..ops.registry import ELEMENTWISE
from .rewrite import RuleSet

SMALL = 4096          # array constants up to this size are folded by evaluation

rules = RuleSet()


def uniform(g: Graph, n: int):
    """The scalar a uniform constant node is filled with, else None."""
    return g.const_value(n)


def _scalar(value, dtype) -> np.ndarray:
    return np.asarray(value, dtype=dtype)


def _new_uniform(g: Graph, n: int, value) -> int:
    return g.add_const(np.asarray(value).item(), g.dtype(n), g.shape(n))


@rules.rule("*")
def fold_uniform(g: Graph, n: int):
    """Ops whose operands are all uniform constants."""
    op = g.op(n)
    if op in ("input", "const"):
        return None
    args = g.args(n)
    values = [uniform(g, a) for a in args]
    if not args or any(v is None for v in values):
        return None
    opdef = ops.get(op)
    attrs = g.attrs(n)
    if opdef.kind == ELEMENTWISE:
        arrays = [_scalar(v, g.dtype(a)) for v, a in zip(values, args)]
        with np.errstate(all="ignore"):
            out = opdef.impl(*arrays, **attrs)
        return _new_uniform(g, n, out)
    if op in ("broadcast_to", "reshape", "transpose", "getitem", "stop_gradient"):
        return _new_uniform(g, n, values[0])
    x = args[0]
    size_in = int(np.prod(g.shape(x), dtype=np.int64))
    size_out = int(np.prod(g.shape(n), dtype=np.int64))
    if op in ("max", "min") and size_in:
        return _new_uniform(g, n, values[0])
    count = size_in // size_out if size_out else 0
    if op in ("sum", "sum_to") and size_out or op == "mean" and count:
        # as NumPy adds `count` equal numbers: a sum that overflows is inf
        # and a mean is that sum divided (float16 means add in float32). Up
        # to SMALL, exactly as NumPy adds along one axis; beyond, a product,
        # which rounds like another order of the additions would
        fn = np.mean if op == "mean" else np.sum
        with np.errstate(all="ignore"):
            if size_in <= SMALL:
                return _new_uniform(g, n, fn(np.full(count, values[0], g.dtype(x))))
            acc = np.dtype(np.float32) if g.dtype(n) == np.float16 and op == "mean" \
                else g.dtype(n)
            total = np.asarray(values[0], acc) * acc.type(count)
            return _new_uniform(g, n, total / acc.type(count) if op == "mean" else total)
    return None


@rules.rule("const")
def uniform_array(g: Graph, n: int):
    """An array constant whose elements are all equal is a uniform constant."""
    value = g.attrs(n)["value"]
    if not isinstance(value, ArrayConst) or value.array.size == 0:
        return None
    flat = value.array.reshape(-1)
    first = flat[0]
    if first != first or not (flat == first).all():     # NaN, or not all equal
        return None
    if flat.dtype.kind == "f" and not (np.signbit(flat) == np.signbit(first)).all():
        return None                                     # +0.0 and -0.0
    return g.add_const(first.item(), g.dtype(n), g.shape(n))


@rules.rule("*")
def fold_small(g: Graph, n: int):
    """Ops whose operands are all constants, when everything is small."""
    op = g.op(n)
    # (a user's FunctionNode, or a graph that may call one, runs the user's
    # code at every run: its forward may draw random numbers or keep state)
    if op in ("input", "const", "function_node", "call"):
        return None
    args = g.args(n)
    if not args or not all(g.is_const(a) for a in args):
        return None
    if any(int(np.prod(g.shape(k), dtype=np.int64)) > SMALL for k in list(args) + [n]):
        return None
    arrays = [_materialize(g, a) for a in args]
    opdef = ops.get(op)
    with np.errstate(all="ignore"):
        out = np.asarray(opdef.impl(*arrays, **g.attrs(n)))
    if out.shape != g.shape(n) or out.dtype != g.dtype(n):
        return None
    return g.add_const(ArrayConst(out), out.dtype)


def _materialize(g: Graph, n: int) -> np.ndarray:
    value = g.attrs(n)["value"]
    if isinstance(value, ArrayConst):
        return value.array
    return np.full(g.shape(n), value, g.dtype(n))
