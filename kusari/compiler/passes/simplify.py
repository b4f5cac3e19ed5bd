"""Algebraic simplification, as rewrite rules.

Identities with ones and zeros (what gradient graphs are full of), inverse
pairs (-(-x), exp(log x), log(exp x)), small integer powers to products, and
shape ops that do nothing or compose. Identities hold for finite values:
`x * 0` becomes 0 and `exp(log x)` becomes x, as in other array compilers'
algebraic simplifiers.
"""
from __future__ import annotations

import numpy as np

from ..ir import Graph
from ..fusion import fusible
from .fold import uniform
from .rewrite import RuleSet

rules = RuleSet()


def _to_shape(g: Graph, x: int, n: int) -> int:
    """`x` standing in for node `n`: broadcast to n's shape if it differs."""
    if g.shape(x) == g.shape(n):
        return x
    return g.add("broadcast_to", [x], shape=g.shape(n))


def _const_operand(g: Graph, n: int, value) -> int | None:
    """The position of an operand of `n` that is a uniform `value`, if any."""
    for i, a in enumerate(g.args(n)):
        v = uniform(g, a)
        if v is not None and v == value:
            return i
    return None


@rules.rule("mul")
def mul_identity(g: Graph, n: int):
    a, b = g.args(n)
    for x, c in ((a, b), (b, a)):
        v = uniform(g, c)
        if v is None:
            continue
        if v == 1:
            return _to_shape(g, x, n)
        if v == 0:
            return g.add_const(0, g.dtype(n), g.shape(n))
        if v == -1:
            return g.add("neg", [_to_shape(g, x, n)])
    return None


@rules.rule("add")
def add_identity(g: Graph, n: int):
    a, b = g.args(n)
    for x, c in ((a, b), (b, a)):
        if uniform(g, c) == 0:
            return _to_shape(g, x, n)
    return None


@rules.rule("sub")
def sub_identity(g: Graph, n: int):
    a, b = g.args(n)
    if g.is_const(b) and uniform(g, b) == 0:
        return _to_shape(g, a, n)
    if g.is_const(a) and uniform(g, a) == 0:
        return g.add("neg", [_to_shape(g, b, n)])
    if g.op(b) == "neg":                      # a - (-c) = a + c
        return g.add("add", [a, g.args(b)[0]])
    return None


@rules.rule("div")
def div_identity(g: Graph, n: int):
    a, b = g.args(n)
    if g.is_const(b) and uniform(g, b) == 1:
        return _to_shape(g, a, n)
    return None


@rules.rule("neg")
def neg_neg(g: Graph, n: int):
    (x,) = g.args(n)
    if g.op(x) == "neg":
        return g.args(x)[0]
    return None


@rules.rule("add")
def add_neg(g: Graph, n: int):
    a, b = g.args(n)
    if g.op(b) == "neg":                      # a + (-c) = a - c
        return g.add("sub", [a, g.args(b)[0]])
    if g.op(a) == "neg":                      # (-c) + b = b - c
        return g.add("sub", [b, g.args(a)[0]])
    return None


# -- exact rewrites that expose sharing (negation and doubling are exact) -----

@rules.rule("neg")
def neg_through(g: Graph, n: int):
    (x,) = g.args(n)
    op = g.op(x)
    if op == "sub":                          # -(a - b) = b - a
        a, b = g.args(x)
        return g.add("sub", [b, a])
    if op == "mul":                          # -(a * c) = a * (-c) for a constant c
        a, b = g.args(x)
        for v, c in ((a, b), (b, a)):
            if uniform(g, c) is not None and g.shape(c) == ():
                return g.add("mul", [v, g.add_const(-uniform(g, c), g.dtype(c))])
    return None


@rules.rule("sub")
def sub_of_neg(g: Graph, n: int):
    a, b = g.args(n)
    if g.op(a) == "neg":                     # -a - b = -(a + b)
        return g.add("neg", [g.add("add", [g.args(a)[0], b])])
    return None


@rules.rule("mul")
def mul_of_neg(g: Graph, n: int):
    a, b = g.args(n)
    if g.op(a) == "neg":                     # (-a) * b = -(a * b)
        return g.add("neg", [g.add("mul", [g.args(a)[0], b])])
    if g.op(b) == "neg":
        return g.add("neg", [g.add("mul", [a, g.args(b)[0]])])
    return None


@rules.rule("add")
def add_self(g: Graph, n: int):
    a, b = g.args(n)
    if a == b:                               # x + x = 2x, exactly
        return g.add("mul", [a, g.add_const(2, g.dtype(a))])
    return None


def _power_of_two(v) -> bool:
    m, _ = np.frexp(abs(v))
    return v != 0 and m == 0.5


@rules.rule("mul")
def mul_constants(g: Graph, n: int):
    """(a * c1) * c2 = a * (c1 c2) when c1 or c2 is a power of two (exact)."""
    a, b = g.args(n)
    for inner, c2 in ((a, b), (b, a)):
        v2 = uniform(g, c2)
        if v2 is None or g.shape(c2) != () or g.op(inner) != "mul":
            continue
        x, y = g.args(inner)
        for v, c1 in ((x, y), (y, x)):
            v1 = uniform(g, c1)
            if v1 is not None and g.shape(c1) == () and (_power_of_two(v1) or
                                                         _power_of_two(v2)):
                prod = np.asarray(v1 * v2, dtype=g.dtype(n)).item()
                return g.add("mul", [v, g.add_const(prod, g.dtype(n))])
    return None


@rules.rule("exp")
def exp_log(g: Graph, n: int):
    (x,) = g.args(n)
    return g.args(x)[0] if g.op(x) == "log" else None


@rules.rule("log")
def log_exp(g: Graph, n: int):
    (x,) = g.args(n)
    return g.args(x)[0] if g.op(x) == "exp" else None


@rules.rule("pow")
def small_powers(g: Graph, n: int):
    x, e = g.args(n)
    p = uniform(g, e)
    if p is None:
        return None
    if p == 0:
        return g.add_const(1, g.dtype(n), g.shape(n))
    if p == 1:
        out = x
    elif p == 0.5:
        out = g.add("sqrt", [x])
    elif p == -1:
        out = g.add("div", [g.add_const(1, g.dtype(x)), x])
    elif float(p).is_integer() and 2 <= abs(p) <= 4:
        sq = g.add("mul", [x, x])
        out = {2: sq, 3: g.add("mul", [sq, x]), 4: g.add("mul", [sq, sq])}[int(abs(p))]
        if p < 0:
            out = g.add("div", [g.add_const(1, g.dtype(x)), out])
    else:
        return None
    return _to_shape(g, out, n)


@rules.rule("where")
def where_same(g: Graph, n: int):
    c, a, b = g.args(n)
    if a == b:
        return _to_shape(g, a, n)
    cv = uniform(g, c)
    if cv is not None:
        return _to_shape(g, a if cv else b, n)
    va, vb = uniform(g, a), uniform(g, b)
    if va is not None and va == vb:
        return g.add_const(va, g.dtype(n), g.shape(n))
    return None


@rules.rule("reshape")
def reshape_chain(g: Graph, n: int):
    (x,) = g.args(n)
    if g.shape(x) == g.shape(n):
        return x
    if g.op(x) == "reshape":
        return g.add("reshape", [g.args(x)[0]], shape=g.shape(n))
    return None


@rules.rule("transpose")
def transpose_chain(g: Graph, n: int):
    (x,) = g.args(n)
    axes = g.attrs(n)["axes"]
    if axes == tuple(range(len(axes))):
        return x
    if g.op(x) == "transpose":
        inner = g.attrs(x)["axes"]
        combined = tuple(inner[a] for a in axes)
        return g.add("transpose", [g.args(x)[0]], axes=combined)
    return None


@rules.rule("broadcast_to")
def broadcast_chain(g: Graph, n: int):
    (x,) = g.args(n)
    if g.shape(x) == g.shape(n):
        return x
    if g.op(x) == "broadcast_to":
        return g.add("broadcast_to", [g.args(x)[0]], shape=g.shape(n))
    return None


@rules.rule("sum_to", "sum", "mean")
def reduce_nothing(g: Graph, n: int):
    (x,) = g.args(n)
    if g.shape(x) == g.shape(n):
        return x
    if g.op(n) in ("sum", "mean") and not g.attrs(n)["axis"]:
        return x
    return None


@rules.rule("cast")
def cast_same(g: Graph, n: int):
    (x,) = g.args(n)
    return x if g.dtype(x) == g.dtype(n) else None


@rules.rule("stop_gradient")
def drop_stop_gradient(g: Graph, n: int):
    return g.args(n)[0]     # only autodiff looks at it, and it has run


@rules.rule("*")
def scalar_operands(g: Graph, n: int):
    """A uniform operand of an elementwise op shrinks to a scalar when the
    other operands already give the result its shape."""
    if not fusible(g, n):                # elementwise ops only
        return None
    op = g.op(n)
    args = g.args(n)
    shrink = [i for i, a in enumerate(args) if g.shape(a) != () and uniform(g, a) is not None]
    if not shrink:
        return None
    for i in shrink:
        others = [g.shape(a) for j, a in enumerate(args) if j != i]
        if _broadcast(others) == g.shape(n):
            new = list(args)
            new[i] = g.add_const(uniform(g, args[i]), g.dtype(args[i]))
            return g.add(op, new, **g.attrs(n))
    return None


@rules.rule("*")
def implicit_broadcast(g: Graph, n: int):
    """An elementwise op broadcasts by itself: a broadcast_to operand whose
    source gives the same result shape is replaced by its source."""
    if not fusible(g, n):                # elementwise ops only
        return None
    op = g.op(n)
    args = list(g.args(n))
    for i, a in enumerate(args):
        if g.op(a) != "broadcast_to":
            continue
        trial = args[:i] + [g.args(a)[0]] + args[i + 1:]
        if _broadcast([g.shape(t) for t in trial]) == g.shape(n):
            return g.add(op, trial, **g.attrs(n))
    return None


def _broadcast(shapes) -> tuple:
    try:
        return tuple(np.broadcast_shapes(*shapes)) if shapes else ()
    except ValueError:
        return None
