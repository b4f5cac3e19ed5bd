"""The language's built-in functions: signature, type rule, lowering.

Each entry keeps together how a built-in is called (its parameters, with
defaults), what it does to types (a rule over symbolic shapes, for the
checker) and what it computes (kusari.functions, Chainer's meaning, so every
built-in differentiates to any order).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .. import functions as F
from . import types as T

REQUIRED = object()


@dataclass
class Builtin:
    name: str
    params: tuple                       # parameter names, in order
    rule: Callable                      # (check ctx, args) -> type
    lower: Callable                     # (lowering ctx, args) -> value
    defaults: dict = field(default_factory=dict)
    static: tuple = ()                  # parameters that must be known statically

    def signature(self) -> str:
        parts = [p if p not in self.defaults else f"{p}={_show(self.defaults[p])}"
                 for p in self.params]
        return f"{self.name}({', '.join(parts)})"


def _show(v) -> str:
    return {None: "None", True: "true", False: "false"}.get(v, repr(v)) \
        if not isinstance(v, str) else v


BUILTINS: dict[str, Builtin] = {}


def register(name, params, rule, lower, defaults=None, static=()):
    BUILTINS[name] = Builtin(name, tuple(params), rule, lower, dict(defaults or {}),
                             tuple(static))


def builtin(name, params, defaults=None, static=()):
    """Class decorator: the class's `rule` and `lower` functions are the entry."""
    def decorate(cls):
        register(name, params, cls.rule, cls.lower, defaults, static)
        return cls
    return decorate


def bind(b: Builtin, args: list, kwargs: dict, error) -> dict:
    """Match call arguments to parameters; `error(message, keyword=None)` on a
    mistake (the keyword it concerns, if any)."""
    if len(args) > len(b.params):
        error(f"`{b.name}` takes at most {len(b.params)} arguments "
              f"({b.signature()}), got {len(args)}")
    bound = dict(zip(b.params, args))
    for k, v in kwargs.items():
        if k not in b.params:
            from .errors import did_you_mean
            error(f"`{b.name}` has no argument `{k}`{did_you_mean(k, b.params)}; "
                  f"it is {b.signature()}", k)
        if k in bound:
            error(f"`{b.name}` got argument `{k}` twice", k)
        bound[k] = v
    for p in b.params:
        if p not in bound:
            if p not in b.defaults:
                error(f"`{b.name}` needs argument `{p}` ({b.signature()})")
            bound[p] = b.defaults[p]
    return bound


# -- elementwise math ------------------------------------------------------------

def _unary(name, fn, float_only=True):
    def rule(C, a):
        return C.float_array(a["x"], "x") if float_only else C.array(a["x"], "x")

    def lower(L, a):
        return fn(L.var(a["x"]))
    register(name, ["x"], rule, lower)


for _name, _fn in [("exp", F.exp), ("log", F.log), ("log2", F.log2), ("log10", F.log10),
                   ("log1p", F.log1p), ("expm1", F.expm1), ("sqrt", F.sqrt),
                   ("rsqrt", F.rsqrt), ("square", F.square), ("sin", F.sin),
                   ("cos", F.cos), ("tan", F.tan), ("arcsin", F.arcsin),
                   ("arccos", F.arccos), ("arctan", F.arctan), ("sinh", F.sinh),
                   ("cosh", F.cosh), ("tanh", F.tanh), ("floor", F.floor), ("ceil", F.ceil),
                   ("relu", F.relu), ("sigmoid", F.sigmoid)]:
    _unary(_name, _fn)
_unary("abs", F.absolute, float_only=False)
_unary("sign", F.sign, float_only=False)


def _binary(name, fn):
    def rule(C, a):
        return C.elementwise(name, [(a["x1"], "x1"), (a["x2"], "x2")])

    def lower(L, a):
        x1, x2 = L.pair(a["x1"], a["x2"])
        return fn(x1, x2)
    register(name, ["x1", "x2"], rule, lower)


_binary("maximum", F.maximum)
_binary("minimum", F.minimum)


@builtin("clip", ["x", "x_min", "x_max"])
class Clip:
    def rule(C, a):
        return C.elementwise("clip", [(a["x"], "x"), (a["x_min"], "x_min"),
                                      (a["x_max"], "x_max")])

    def lower(L, a):
        x = L.var(a["x"])
        return F.clip(x, L.like(a["x_min"], x), L.like(a["x_max"], x))


@builtin("where", ["condition", "x", "y"])
class Where:
    def rule(C, a):
        C.bool_operand(a["condition"], "condition")
        t = C.elementwise("where", [(a["x"], "x"), (a["y"], "y")])
        dims = C.broadcast("where", [C.array(a["condition"], "condition"), t])
        return T.Array(t.dtype, dims)

    def lower(L, a):
        return L.where(a["condition"], a["x"], a["y"])


# -- activations ---------------------------------------------------------------------

def _activation(name, fn, option, default):
    def rule(C, a):
        C.static_number(a[option], option)
        return C.float_array(a["x"], "x")

    def lower(L, a):
        return fn(L.var(a["x"]), L.number(a[option]))
    register(name, ["x", option], rule, lower, {option: default}, (option,))


_activation("leaky_relu", F.leaky_relu, "slope", 0.2)
_activation("elu", F.elu, "alpha", 1.0)
_activation("softplus", F.softplus, "beta", 1.0)
_activation("swish", F.swish, "beta", 1.0)


def _softmax(name, fn):
    def rule(C, a):
        x = C.float_array(a["x"], "x")
        C.axes(a["axis"], x.ndim, single=True)
        return x

    def lower(L, a):
        return fn(L.var(a["x"]), axis=L.int(a["axis"]))
    register(name, ["x", "axis"], rule, lower, {"axis": 1}, ("axis",))


_softmax("softmax", F.softmax)
_softmax("log_softmax", F.log_softmax)


# -- reductions ------------------------------------------------------------------------

def _reduction(name, fn, float_only=False):
    def rule(C, a):
        x = C.float_array(a["x"], "x") if float_only else C.array(a["x"], "x")
        axes = C.axes(a["axis"], x.ndim)
        keep = C.static_bool(a["keepdims"], "keepdims")
        return T.Array(x.dtype, C.reduced(x.dims, axes, keep))

    def lower(L, a):
        return fn(L.var(a["x"]), axis=L.axis(a["axis"]), keepdims=L.bool(a["keepdims"]))
    register(name, ["x", "axis", "keepdims"], rule, lower,
             {"axis": None, "keepdims": False}, ("axis", "keepdims"))


_reduction("sum", F.sum)
_reduction("mean", F.mean, float_only=True)
_reduction("max", F.max)
_reduction("min", F.min)
_reduction("prod", F.prod)


def _argreduction(name, fn):
    def rule(C, a):
        x = C.array(a["x"], "x")
        axes = C.axes(a["axis"], x.ndim, single=True)
        return T.Array("i64", C.reduced(x.dims, axes, False))

    def lower(L, a):
        return fn(L.var(a["x"]), axis=L.axis(a["axis"]))
    register(name, ["x", "axis"], rule, lower, {"axis": None}, ("axis",))


_argreduction("argmax", F.argmax)
_argreduction("argmin", F.argmin)


@builtin("logsumexp", ["x", "axis"], {"axis": None}, static=("axis",))
class LogSumExp:
    def rule(C, a):
        x = C.float_array(a["x"], "x")
        return T.Array(x.dtype, C.reduced(x.dims, C.axes(a["axis"], x.ndim), False))

    def lower(L, a):
        return F.logsumexp(L.var(a["x"]), axis=L.axis(a["axis"]))
