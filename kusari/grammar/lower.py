"""Lowering: evaluating definitions on (traced) Variables, which records IR.

A definition is run by `kusari.jit`: the interpreter below walks its AST on
traced Variables, so every operation goes through kusari.functions (Chainer's
meaning) into the recorded graph; `grad` is kusari.grad (the gradient pass on
that graph, recorded again, so grad(grad(f)) is backward-of-backward); calls
between definitions simply evaluate the callee, so they inline. The result is
then optimized, fused and compiled like any traced function.
"""
from __future__ import annotations

import numpy as np

from .. import functions as F
from ..api import trace
from ..compiler import ops
from ..compiler.errors import InvalidType, KusariError, TraceError
from ..compiler.ops.call import GraphRef
from ..function_node import apply
from ..runtime import NUMPY
from ..variable import Variable
from . import ast
from . import builtins as B
from . import types as T
from .errors import Located
from .values import convert, fit_error, static_op
from .walk import Within, evaluate


CALL = ops.get("call")


class Lowering:
    def __init__(self, module: ast.Module, signatures: dict):
        self.module = module
        self.signatures = signatures

    # -- calls ----------------------------------------------------------------------
    def call(self, name: str, args: list, pos=None):
        """The value of the definition `name` applied to `args` (Variables)."""
        return evaluate(self.steps(name, args, pos), None, _located)

    def steps(self, name: str, args: list, pos):
        """Evaluating a call, as steps for walk.evaluate: a call yields its
        callee's steps, so definitions calling definitions do not recurse."""
        sig = self.signatures[name]
        if sig.kind == "alias":
            return (yield self.steps(sig.target, args, pos))
        if sig.kind in ("grad", "value_and_grad"):
            return self.call_transform(sig, args, pos)
        d = sig.node
        dims = self.bind_params(sig, args, pos)
        scope = dict(zip((p.name for p in d.params), args))
        frame = Frame(self, scope, dims)
        for s in d.body[:-1]:
            value = yield Within(frame.start, s.value)
            if s.many:
                if not isinstance(value, tuple) or len(value) != len(s.names):
                    raise Located(s.pos, f"cannot unpack into {len(s.names)} names")
                scope.update(zip(s.names, value))
            else:
                scope[s.names[0]] = value
        return (yield Within(frame.start, d.body[-1].value))

    def call_transform(self, sig, args, pos):
        """grad / value_and_grad: the vector-Jacobian product of the target's
        traced graph, applied as `call` nodes (the optimizer inlines them, and
        a gradient of these differentiates the VJP graph again: any order).
        Every argument is differentiated, literals included."""
        examples = [np.broadcast_to(np.zeros((), a.dtype), a.shape) for a in args]
        g = trace(lambda *xs: self.call(sig.target, list(xs), pos), *examples,
                  name=sig.target)
        y = self.call(sig.target, args, pos)
        vjp = GraphRef(g, NUMPY).vjp(0)
        gy = F.broadcast_to(Variable(np.ones((), y.dtype), requires_grad=False), y.shape)
        operands = tuple(args) + (gy,)
        gs = []
        for i in sig.wrt:
            x = args[i]
            if vjp.graph.outputs[i] is None:     # no gradient flows to x
                gs.append(Variable(np.zeros(x.shape, x.dtype), requires_grad=False))
            else:
                gs.append(apply(CALL, operands, (vjp, i)))
        if sig.kind == "value_and_grad":
            return (y,) + tuple(gs)
        return gs[0] if len(gs) == 1 else tuple(gs)

    def bind_params(self, sig, args, pos) -> dict:
        """Check argument types against the declaration; bind named dims."""
        dims, source = {}, {}
        for (name, spec), a, p in zip(sig.params, args, sig.node.params
                                      if isinstance(sig.node, ast.FuncDef) else
                                      [None] * len(args)):
            where = p.pos if p is not None else pos
            got = f"{_dtype(a.dtype)}[{', '.join(map(str, a.shape))}]"
            if _dtype(a.dtype) != spec.dtype or len(a.shape) != len(spec.dims):
                raise Located(where, f"argument `{name}` of `{sig.name}` must be {spec}, "
                                     f"got {got}")
            for want, have in zip(spec.dims, a.shape):
                if isinstance(want, int):
                    if want != have:
                        raise Located(where, f"argument `{name}` of `{sig.name}` must be "
                                             f"{spec}, got {got}")
                elif want in dims and dims[want] != have:
                    raise Located(where, f"dimension {want} of `{sig.name}` is "
                                         f"{dims[want]} (from `{source[want]}`) and {have} "
                                         f"(from `{name}`)")
                else:
                    dims[want], source[want] = have, name
        return dims


def _dtype(dtype) -> str:
    from ..compiler import dtypes
    return dtypes.short(dtype)


class Frame:
    """One function body being evaluated: its names and its bound dimensions."""

    def __init__(self, lowering: Lowering, scope: dict, dims: dict):
        self.lowering = lowering
        self.scope = scope
        self.dims = dims

    def start(self, e):
        """`e`'s method applied: its value, or a generator that yields the
        sub-expressions it needs (walk.evaluate: no recursion, however deep
        the nesting)."""
        return getattr(self, "e_" + type(e).__name__)(e)

    def each(self, nodes):
        """The values of `nodes`, in order (use with `yield from`)."""
        values = []
        for n in nodes:
            values.append((yield n))
        return values

    def e_Num(self, e):
        return e.value

    def e_Bool(self, e):
        return e.value

    def e_NoneLit(self, e):
        return None

    def e_DType(self, e):
        return e.name

    def e_Name(self, e):
        if e.id in self.scope:
            return self.scope[e.id]
        if e.id in self.dims:
            return self.dims[e.id]
        return ("function", e.id)

    def e_ArrayLit(self, e):
        return (yield from self.each(e.items))

    def e_Tuple(self, e):
        return tuple((yield from self.each(e.items)))

    def e_Unary(self, e):
        v = yield e.operand
        if e.op == "not":
            return (not v) if isinstance(v, bool) else F.logical_not(self.var(v))
        if isinstance(v, (int, float)):
            return static_op("-", 0, v) if isinstance(v, int) else -v
        return -self.var(v)

    def e_Binary(self, e):
        a = yield e.left
        b = yield e.right
        op = e.op
        if _scalar(a) and _scalar(b):
            return static_op(op, a, b)
        if op == "@":
            return F.matmul(self.var(a), self.var(b))
        if op in ("and", "or"):
            a, b = self.pair(a, b)
            return (F.logical_and if op == "and" else F.logical_or)(a, b)
        a, b = self.pair(a, b)
        if op in _COMPARE:
            return _COMPARE[op](a, b) if isinstance(a, Variable) else _COMPARE[op](b, a, True)
        if op == "/":          # true division: integer arrays divide as float64
            a, b = (F.cast(v, np.float64) if isinstance(v, Variable) and
                    v.dtype.kind in "iu" else v for v in (a, b))
        return _ARITH[op](a, b)

    def e_IfElse(self, e):
        cond, a, b = yield from self.each((e.cond, e.then, e.other))
        return self.where(cond, a, b)

    def e_Call(self, e):
        name = e.func.id
        args = yield from self.each(e.args)
        kwargs = dict(zip((k.name for k in e.kwargs),
                          (yield from self.each(k.value for k in e.kwargs))))
        if name in self.lowering.signatures:
            sig = self.lowering.signatures[name]
            names = [n for n, _ in sig.params]
            bound = dict(zip(names, args))
            bound.update(kwargs)
            return (yield self.lowering.steps(name, [self.var(bound[n], spec.dtype)
                                                     for n, spec in sig.params], e.pos))
        b = B.BUILTINS[name]

        def fail(message, keyword=None):
            raise Located(e.pos, message)
        return b.lower(self, B.bind(b, args, kwargs, fail))

    def e_Attribute(self, e):
        x = self.var((yield e.base))
        if e.name == "T":
            return F.transpose(x)
        if e.name == "shape":
            return tuple(x.shape)
        return x.ndim

    def e_Index(self, e):
        base = yield e.base
        items = []
        for i in e.items:
            if isinstance(i, ast.Slice):
                parts = []
                for x in (i.start, i.stop, i.step):
                    parts.append(None if x is None else (yield x))
                items.append(slice(*parts))
            elif isinstance(i, ast.EllipsisLit):
                items.append(Ellipsis)
            else:
                v = yield i
                items.append(self.var(v) if isinstance(v, list) else v)
        if isinstance(base, tuple):
            return base[items[0]]
        return F.get_item(self.var(base), tuple(items))

    # -- conversions (the lowering side of builtins) ------------------------------------
    def var(self, v, dtype: str | None = None):
        """`v` as a Variable; literals take NumPy's default dtype (or `dtype`)."""
        if isinstance(v, Variable):
            return v
        if isinstance(v, list):
            v = np.array(self.numbers(v))
        if isinstance(v, (bool, int, float, np.ndarray)):
            arr = np.asarray(v) if dtype is None else convert(v, dtype)
            return Variable(arr, requires_grad=False)
        raise TypeError(f"expected an array, got {type(v).__name__}")

    def numbers(self, v):
        if isinstance(v, list):
            return [self.numbers(i) for i in v]
        if isinstance(v, Variable):
            raise TypeError("an array literal holds numbers (use stack([...]) to join "
                            "arrays)")
        return v

    def like(self, v, x: Variable):
        """A literal or scalar operand of `x`, in x's dtype (the weak rule)."""
        if isinstance(v, list):
            arr = np.array(self.numbers(v))
            return Variable(convert(arr, _weak_dtype(x.dtype, arr.dtype.kind)),
                            requires_grad=False)
        if _scalar(v):
            problem = fit_error(v, _weak_dtype(x.dtype, np.asarray(v).dtype.kind))
            if problem:
                raise ValueError(problem)
        return v

    def pair(self, a, b):
        """Two operands: a Variable and a Variable, or a Variable and a weak value."""
        if isinstance(a, Variable):
            return a, self.like(b, a)
        if isinstance(b, Variable):
            return self.like(a, b), b
        return self.var(a), self.var(b)

    def where(self, cond, a, b):
        if isinstance(cond, bool):
            cond = np.asarray(cond)
        a, b = self.pair(a, b)
        if not isinstance(a, Variable) and not isinstance(b, Variable):
            a = self.var(a)
        return F.where(self.var(cond), a, b)

    def number(self, v):
        return v

    def int(self, v) -> int:
        return int(v)

    def ints(self, v) -> tuple:
        if isinstance(v, tuple):
            return tuple(int(i) for i in v)
        return tuple(int(i) for i in v)

    def axis(self, v):
        if v is None:
            return None
        if isinstance(v, (list, tuple)):
            return tuple(int(i) for i in v)
        return int(v)

    def bool(self, v) -> bool:
        return bool(v)

    def dtype(self, v):
        return T.DTYPES[v]

    def constant(self, array: np.ndarray):
        return Variable(array, requires_grad=False)


def _scalar(v) -> bool:
    return isinstance(v, (bool, int, float))


def _weak_dtype(dtype: np.dtype, kind: str) -> np.dtype:
    from ..compiler import dtypes
    sample = {"b": True, "i": 1, "u": 1, "f": 1.0}[kind]
    return dtypes.scalar_dtype(np.dtype(dtype), sample)


_ARITH = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
          "/": lambda a, b: a / b, "**": lambda a, b: a ** b}


def _compare(fn, flipped):
    def compare(a, b, swapped=False):
        return (flipped if swapped else fn)(a, b)
    return compare


_COMPARE = {"<": _compare(F.less, F.greater), "<=": _compare(F.less_equal, F.greater_equal),
            ">": _compare(F.greater, F.less), ">=": _compare(F.greater_equal, F.less_equal),
            "==": _compare(F.equal, F.equal), "!=": _compare(F.not_equal, F.not_equal)}


def _located(node, err):
    """An error computing `node`, as a message at its place in the source."""
    if isinstance(err, Located):
        raise err
    if isinstance(err, (InvalidType, TraceError, KusariError, ValueError, TypeError,
                        IndexError, ArithmeticError)):
        raise Located(node.pos, _in_words(err)) from None
    raise err


def _in_words(err) -> str:
    if isinstance(err, InvalidType):
        return f"invalid operation: expected {err.expect}, got {err.actual}"
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
