"""Algebraic simplification, as rewrite rules.

Identities with ones and zeros (what gradient graphs are full of), inverse
pairs, and shape ops that do nothing or compose.

`rules` are exact: a rewrite applies only where it gives NumPy's result for
every input, infinities, NaN and signed zeros included (NaN payloads aside),
so compiled code computes what eager code computes. `x * 1`, `x - 0.0`,
`x + (-0.0)`, `-(-x)`, `(-a) * b = -(a * b)`, `x + x = x * 2` are such;
`x * 0 = 0` is not (inf * 0 is NaN, -1 * 0 is -0.0), nor `x + 0.0 = x`
(-0.0 + 0.0 is +0.0), `0.0 - x = -x` (0 - 0 is +0.0, -(0) is -0.0),
`-(a - b) = b - a` (signs of zero), `exp(log x) = x` (NaN below zero, and
rounding), or `x ** 3 = x * x * x` (two roundings, and other overflows).

`fast_rules` are those inexact ones, for finite values: they run only when
compiling with `Options(fast_math=True)`.
"""
from __future__ import annotations

import math

import numpy as np

from ..ir import Graph
from ..fusion import fusible
from .fold import uniform
from .rewrite import RuleSet

rules = RuleSet()         # exact for every input
fast_rules = RuleSet()    # exact for finite values only: Options(fast_math=True)


def _to_shape(g: Graph, x: int, n: int) -> int:
    """`x` standing in for node `n`: broadcast to n's shape if it differs."""
    if g.shape(x) == g.shape(n):
        return x
    return g.add("broadcast_to", [x], shape=g.shape(n))


def _as_result(g: Graph, x: int, n: int) -> int:
    """`x` standing in for node `n`: cast to n's dtype (NumPy casts operands
    to the result's dtype before it computes, so this is what `n` did to x)
    and broadcast to n's shape, where they differ."""
    if g.dtype(x) != g.dtype(n):
        x = g.add("cast", [x], dtype=g.dtype(n))
    return _to_shape(g, x, n)


def _negative_zero(v) -> bool:
    return isinstance(v, float) and v == 0 and math.copysign(1.0, v) < 0


def _positive_zero(v) -> bool:
    """+0.0, or an integer or boolean zero (which has no sign)."""
    return v == 0 and not _negative_zero(v)


def _signed_zeros(g: Graph, n: int) -> bool:
    """Whether values of node `n` may be -0.0 (a float) or +0.0 and -0.0 may
    both appear."""
    return g.dtype(n).kind in "fc"


def _uniform_operand(g: Graph, n: int):
    """(the other operand, the uniform value) pairs of binary node `n`."""
    a, b = g.args(n)
    for x, c in ((a, b), (b, a)):
        v = uniform(g, c)
        if v is not None:
            yield x, v


# -- exact identities -------------------------------------------------------------

@rules.rule("mul")
def mul_identity(g: Graph, n: int):
    for x, v in _uniform_operand(g, n):
        if v == 1:                                  # x * 1 = x
            return _as_result(g, x, n)
        if v == -1 and g.dtype(n).kind in "fi":     # x * -1 = -x (two's complement too)
            return g.add("neg", [_as_result(g, x, n)])
        if v == 0 and g.dtype(n).kind in "iu":      # no inf, NaN or -0 in integers
            return g.add_const(0, g.dtype(n), g.shape(n))
    return None


@rules.rule("add")
def add_identity(g: Graph, n: int):
    for x, v in _uniform_operand(g, n):
        # x + (-0.0) = x for every x; x + 0.0 turns -0.0 into +0.0
        if v == 0 and (_negative_zero(v) or not _signed_zeros(g, x)):
            return _as_result(g, x, n)
    return None


@rules.rule("sub")
def sub_identity(g: Graph, n: int):
    a, b = g.args(n)
    vb, va = uniform(g, b), uniform(g, a)
    # x - 0.0 = x for every x (x - (-0.0) is x + 0.0: not for x = -0.0)
    if vb is not None and vb == 0 and (_positive_zero(vb) or not _signed_zeros(g, a)):
        return _as_result(g, a, n)
    # (-0.0) - x = -x for every x; 0.0 - 0.0 is +0.0, not -(0.0)
    if va is not None and va == 0 and (_negative_zero(va) or not _signed_zeros(g, n)):
        return g.add("neg", [_as_result(g, b, n)])
    if g.op(b) == "neg":                      # a - (-c) = a + c, by definition
        return g.add("add", [a, g.args(b)[0]])
    if g.op(a) == "neg" and g.args(a)[0] == b:   # -b - b = -(b + b) = b * -2
        return g.add("mul", [b, g.add_const(-2, g.dtype(b))])
    return None


@rules.rule("div")
def div_identity(g: Graph, n: int):
    a, b = g.args(n)
    if uniform(g, b) == 1:
        return _as_result(g, a, n)
    return None


@rules.rule("neg")
def neg_neg(g: Graph, n: int):
    (x,) = g.args(n)
    if g.op(x) == "neg":
        return g.args(x)[0]
    return None


@rules.rule("add")
def add_self(g: Graph, n: int):
    a, b = g.args(n)
    if a == b:                               # x + x = 2x, exactly (overflow alike)
        return g.add("mul", [a, g.add_const(2, g.dtype(a))])
    return None


@rules.rule("add")
def add_neg(g: Graph, n: int):
    a, b = g.args(n)
    if g.op(b) == "neg":                      # a + (-c) = a - c, by definition
        return g.add("sub", [a, g.args(b)[0]])
    if g.op(a) == "neg":                      # (-c) + b = b - c (addition commutes)
        return g.add("sub", [b, g.args(a)[0]])
    return None


# -- exact rewrites that expose sharing: rounding is symmetric, so negation
# -- moves through products, and doubling is exact -----------------------------

@rules.rule("neg")
def neg_through(g: Graph, n: int):
    (x,) = g.args(n)
    if g.op(x) == "mul":                      # -(a * c) = a * (-c) for a constant c
        a, b = g.args(x)
        for v, c in ((a, b), (b, a)):
            value = uniform(g, c)
            if value is not None and g.shape(c) == () and g.dtype(c).kind == "f":
                return g.add("mul", [v, g.add_const(-value, g.dtype(c))])
    return None


@rules.rule("mul")
def mul_of_neg(g: Graph, n: int):
    a, b = g.args(n)
    if g.op(a) == "neg":                     # (-a) * b = -(a * b)
        return g.add("neg", [g.add("mul", [g.args(a)[0], b])])
    if g.op(b) == "neg":
        return g.add("neg", [g.add("mul", [a, g.args(b)[0]])])
    return None


@rules.rule("pow")
def trivial_powers(g: Graph, n: int):
    x, e = g.args(n)
    p = uniform(g, e)
    if p is None:
        return None
    if p == 0:                               # x ** 0 = 1, NaN ** 0 included
        return g.add_const(1, g.dtype(n), g.shape(n))
    if p == 1:
        return _as_result(g, x, n)
    return None


# -- inexact: exact for finite values, not for inf, NaN or signed zeros, or
# -- they round differently ------------------------------------------------------

@fast_rules.rule("mul")
def mul_zero(g: Graph, n: int):
    for _, v in _uniform_operand(g, n):
        if v == 0:                           # inf * 0 is NaN; -1 * 0 is -0.0
            return g.add_const(0, g.dtype(n), g.shape(n))
    return None


@fast_rules.rule("add")
def add_zero(g: Graph, n: int):
    for x, v in _uniform_operand(g, n):
        if v == 0:                           # -0.0 + 0.0 is +0.0
            return _as_result(g, x, n)
    return None


@fast_rules.rule("sub")
def sub_zero(g: Graph, n: int):
    a, b = g.args(n)
    if uniform(g, b) == 0:                   # -0.0 - (-0.0) is +0.0
        return _as_result(g, a, n)
    if uniform(g, a) == 0:                   # 0.0 - 0.0 is +0.0, -(0.0) is -0.0
        return g.add("neg", [_as_result(g, b, n)])
    if g.op(a) == "neg":                     # -a - b = -(a + b): not for a = -b
        return g.add("neg", [g.add("add", [g.args(a)[0], b])])
    return None


@fast_rules.rule("neg")
def neg_sub(g: Graph, n: int):
    (x,) = g.args(n)
    if g.op(x) == "sub":                     # -(a - b) = b - a: not for a = b
        a, b = g.args(x)
        return g.add("sub", [b, a])
    return None


def _power_of_two(v) -> bool:
    m, _ = np.frexp(abs(v))
    return v != 0 and m == 0.5


@fast_rules.rule("mul")
def mul_constants(g: Graph, n: int):
    """(a * c1) * c2 = a * (c1 c2) when c1 or c2 is a power of two (exact
    unless a * c1 overflows or falls into the subnormals)."""
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


@fast_rules.rule("exp")
def exp_log(g: Graph, n: int):
    (x,) = g.args(n)                         # NaN for x < 0; rounding
    return g.args(x)[0] if g.op(x) == "log" else None


@fast_rules.rule("log")
def log_exp(g: Graph, n: int):
    (x,) = g.args(n)                         # exp overflows; rounding
    return g.args(x)[0] if g.op(x) == "exp" else None


@fast_rules.rule("pow")
def small_powers(g: Graph, n: int):
    """Small integer powers as products (two roundings, other overflows and
    underflows than one pow), 0.5 as sqrt."""
    x, e = g.args(n)
    p = uniform(g, e)
    if p is None or g.dtype(n).kind != "f" or g.dtype(x) != g.dtype(n):
        return None
    if p == 0.5:
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


# -- selects, shapes and no-ops ---------------------------------------------------

def _same_bits(u, v) -> bool:
    """Equal scalars, +0.0 and -0.0 told apart (NaN is never uniform-equal)."""
    return u == v and not (_negative_zero(u) ^ _negative_zero(v))


@rules.rule("where")
def where_same(g: Graph, n: int):
    c, a, b = g.args(n)
    if a == b:
        return _to_shape(g, a, n)
    cv = uniform(g, c)
    if cv is not None:
        return _to_shape(g, a if cv else b, n)
    va, vb = uniform(g, a), uniform(g, b)
    if va is not None and vb is not None and _same_bits(va, vb):
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
    """A reduction over no axes, or over axes of length one, is its operand
    (NumPy's reduce starts from the first element: -0.0 stays -0.0)."""
    (x,) = g.args(n)
    if g.dtype(x) != g.dtype(n):             # sum of integers: a wider integer
        return None
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
