"""The checker: names, types and shapes of a whole program, before running it.

Types carry named dimensions; a function's result type is worked out from its
parameters' (in their dimension names), and a call binds those names to the
caller's dimensions, so shapes are checked across calls. Errors are collected:
a statement that fails is reported, its names become Unknown, and checking
goes on.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import ast
from . import builtins as B
from . import builtins_shape  # noqa: F401  (registers the shape built-ins)
from . import types as T
from .checkrules import UNKNOWN, Abandon, CheckRules
from .errors import Diagnostic, KsrError, Located, did_you_mean
from .values import static_op
from .walk import evaluate

TRANSFORMS = ("grad", "value_and_grad")
ATTRIBUTES = ("T", "shape", "ndim")
MAX_DIMS = 64                     # NumPy's limit


@dataclass
class Signature:
    """What a definition takes and gives."""
    name: str
    params: list           # [(name, TypeSpec)]
    result: object         # T.Array / T.TupleT / UNKNOWN
    node: object           # the FuncDef or Alias
    kind: str = "def"      # "def", "grad", "value_and_grad", "alias"
    target: str = ""       # for transforms and aliases: the function transformed
    wrt: tuple = ()        # for transforms: parameter positions

    def describe(self) -> str:
        return f"{self.name}({', '.join(f'{n}: {t}' for n, t in self.params)})"


def check(module: ast.Module) -> dict[str, Signature]:
    """Every definition's signature; KsrError with all the errors found."""
    return Checker(module).run()


class Checker(CheckRules):
    def __init__(self, module: ast.Module):
        self.module = module
        self.defs: dict = {}
        self.signatures: dict[str, Signature] = {}
        self.diagnostics: list[Diagnostic] = []

    def error(self, pos, message) -> None:
        self.diagnostics.append(Diagnostic(pos, message))

    # -- the program -------------------------------------------------------------------
    def run(self) -> dict[str, Signature]:
        for d in self.module.definitions:
            if d.name in self.defs:
                self.error(d.pos, f"`{d.name}` is defined twice (first at line "
                                  f"{self.defs[d.name].pos.line})")
                continue
            if d.name in B.BUILTINS or d.name in TRANSFORMS:
                self.error(d.pos, f"`{d.name}` is a built-in function; choose another name")
                continue
            if d.name in T.DTYPES:
                self.error(d.pos, f"`{d.name}` is a dtype; choose another name")
                continue
            self.defs[d.name] = d
        for name in self._order():
            d = self.defs[name]
            try:
                sig = self.check_alias(d) if isinstance(d, ast.Alias) else self.check_def(d)
            except Located as e:
                self.error(e.pos, e.message)
                sig = None
            self.signatures[name] = sig or Signature(name, [], UNKNOWN, d, "failed")
        if self.diagnostics:
            self.diagnostics.sort(key=lambda d: (d.pos.line, d.pos.column))
            raise KsrError(self.diagnostics, self.module.filename, self.module.source)
        return self.signatures

    def _order(self) -> list[str]:
        """Definitions, callees first; recursion is an error."""
        deps = {name: [n for n in _references(d) if n in self.defs]
                for name, d in self.defs.items()}
        order, state = [], {}
        for start in self.defs:
            stack = [(start, iter(deps[start]))]
            path = [start]
            state.setdefault(start, 1)
            if state[start] == 2:
                continue
            while stack:
                name, it = stack[-1]
                for dep in it:
                    if state.get(dep) == 1:
                        cycle = path[path.index(dep):] + [dep]
                        self.error(self.defs[dep].pos, "recursion is not allowed: " +
                                   ", which calls ".join(f"`{c}`" for c in cycle))
                        continue
                    if state.get(dep) is None:
                        state[dep] = 1
                        stack.append((dep, iter(deps[dep])))
                        path.append(dep)
                        break
                else:
                    stack.pop()
                    path.pop()
                    if state[name] != 2:
                        state[name] = 2
                        order.append(name)
        return order

    # -- definitions ---------------------------------------------------------------------
    def check_def(self, d: ast.FuncDef) -> Signature:
        params, scope, seen = [], {}, set()
        for p in d.params:
            if p.name in seen:
                raise Located(p.pos, f"parameter `{p.name}` appears twice")
            if p.name in T.DTYPES:
                raise Located(p.pos, f"`{p.name}` is a dtype; choose another name")
            seen.add(p.name)
            params.append((p.name, p.type))
            scope[p.name] = T.of_spec(p.type.dtype, p.type.dims)
        self.dims = {dim for p in d.params for dim in p.type.dims if isinstance(dim, str)}
        result = self.check_body(d, scope)
        if d.returns is not None and result is not UNKNOWN:
            self.check_declared(d, result)
        return Signature(d.name, params, result, d)

    def check_body(self, d: ast.FuncDef, scope: dict):
        body = d.body
        returns = [i for i, s in enumerate(body) if isinstance(s, ast.Return)]
        if not returns:
            raise Located(d.pos, f"`{d.name}` has no return")
        if returns[0] != len(body) - 1:
            raise Located(body[returns[0] + 1].pos, "nothing may follow `return`")
        for s in body[:-1]:
            try:
                value = self.expr(s.value, scope)
            except Located as e:
                self.error(e.pos, e.message)
                value = UNKNOWN
            self.bind(s, value, scope)
        try:
            return self.expr(body[-1].value, scope)
        except Located as e:
            self.error(e.pos, e.message)
            return UNKNOWN

    def bind(self, s: ast.Let, value, scope: dict) -> None:
        for n in s.names:
            if n in T.DTYPES:
                self.error(s.pos, f"`{n}` is a dtype; choose another name")
        if not s.many:
            scope[s.names[0]] = value
            return
        if value is UNKNOWN:
            for n in s.names:
                scope[n] = UNKNOWN
            return
        if not isinstance(value, T.TupleT) or len(value.items) != len(s.names):
            got = f"{len(value.items)} values" if isinstance(value, T.TupleT) else str(value)
            self.error(s.pos, f"cannot unpack {got} into {len(s.names)} names")
            for n in s.names:
                scope[n] = UNKNOWN
            return
        scope.update(zip(s.names, value.items))

    def check_declared(self, d: ast.FuncDef, result) -> None:
        declared = [T.of_spec(t.dtype, t.dims) for t in d.returns]
        got = list(result.items) if isinstance(result, T.TupleT) else [result]
        shown = f"({', '.join(map(str, declared))})" if d.returns_many else str(declared[0])
        if len(got) != len(declared) or isinstance(result, T.TupleT) != d.returns_many:
            raise Located(d.returns[0].pos, f"`{d.name}` returns {result} but is declared "
                                            f"-> {shown}")
        for want, have, spec in zip(declared, got, d.returns):
            have = T.as_array(have)
            if have is None or have.dtype != want.dtype or have.ndim != want.ndim or any(
                    a is not None and a != b for a, b in zip(have.dims, want.dims)):
                raise Located(spec.pos, f"`{d.name}` returns {result} but is declared "
                                        f"-> {shown}")

    def check_alias(self, d: ast.Alias) -> Signature:
        v = d.value
        if isinstance(v, ast.Name) and v.id in self.defs:
            target = self.signatures.get(v.id)
            if target is None or target.kind == "failed":
                return None       # on a recursion cycle, or wrong itself: reported already
            return Signature(d.name, target.params, target.result, d, "alias", v.id)
        if not (isinstance(v, ast.Call) and isinstance(v.func, ast.Name)
                and v.func.id in TRANSFORMS):
            raise Located(v.pos, "`def NAME = ...` needs grad(f), value_and_grad(f) or "
                                 "another function's name")
        kind = v.func.id
        kwargs = {}
        for k in v.kwargs:
            if k.name in kwargs:
                raise Located(k.pos, f"argument `{k.name}` is given twice")
            kwargs[k.name] = k
        extra = [k for k in kwargs if k != "wrt"]
        if extra or len(v.args) != 1 or not isinstance(v.args[0], ast.Name):
            raise Located(v.pos, f"use {kind}(f) or {kind}(f, wrt=[a, b]) with a "
                                 "function's name")
        fname = v.args[0].id
        if fname not in self.defs:
            raise Located(v.args[0].pos, f"unknown function `{fname}`"
                                         f"{did_you_mean(fname, self.defs)}")
        f = self.signatures.get(fname)
        if f is None or f.kind == "failed":
            return None
        out = f.result
        if out is UNKNOWN:        # f's own mistakes are reported already
            return Signature(d.name, f.params, UNKNOWN, d, kind, fname)
        if isinstance(out, T.TupleT) or T.as_array(out) is None or \
                T.as_array(out).kind != "f":
            raise Located(v.args[0].pos, f"`{kind}` needs a function that returns one "
                                         f"floating array; `{fname}` returns {out}")
        names = [n for n, _ in f.params]
        if "wrt" in kwargs:
            w = kwargs["wrt"].value
            items = w.items if isinstance(w, (ast.ArrayLit, ast.Tuple)) else [w]
            wrt = []
            for item in items:
                if not isinstance(item, ast.Name) or item.id not in names:
                    raise Located(item.pos, f"`wrt` names parameters of `{fname}` "
                                            f"({', '.join(names)})")
                i = names.index(item.id)
                if not f.params[i][1].dtype.startswith("f"):
                    raise Located(item.pos, f"cannot take the gradient with respect to "
                                            f"`{item.id}`: it is {f.params[i][1]}; only "
                                            "floating parameters have gradients")
                wrt.append(i)
        else:
            wrt = [i for i, (_, t) in enumerate(f.params) if t.dtype.startswith("f")]
        if not wrt:
            raise Located(v.pos, f"`{fname}` has no floating parameter to differentiate")
        grads = [T.of_spec(f.params[i][1].dtype, f.params[i][1].dims) for i in wrt]
        result = grads[0] if len(grads) == 1 else T.TupleT(tuple(grads))
        if kind == "value_and_grad":
            result = T.TupleT((out,) + tuple(grads))
        return Signature(d.name, f.params, result, d, kind, fname, tuple(wrt))

    # -- expressions ------------------------------------------------------------------------
    def expr(self, e, scope: dict):
        """The type of `e`. Methods that need their sub-expressions' types yield
        them (walk.evaluate: no recursion, however deep the nesting)."""
        return evaluate(e, lambda node: getattr(self, "e_" + type(node).__name__)(node, scope),
                        _unknown_on_abandon)

    def each(self, nodes):
        """The types of `nodes`, in order (use with `yield from`)."""
        values = []
        for n in nodes:
            values.append((yield n))
        return values

    def e_Num(self, e, scope):
        return T.Weak("float" if isinstance(e.value, float) else "int", e.value, e.pos)

    def e_Bool(self, e, scope):
        return T.Weak("bool", e.value)

    def e_NoneLit(self, e, scope):
        return None

    def e_DType(self, e, scope):
        return T.DType(e.name)

    def e_Name(self, e, scope):
        if e.id in scope:
            return scope[e.id]
        if e.id in self.dims:
            return T.Weak("int", e.id)                   # a dimension, statically known
        if e.id in self.defs or e.id in B.BUILTINS or e.id in TRANSFORMS:
            return T.Func(e.id)
        known = set(scope) | self.dims | set(self.defs) | set(B.BUILTINS)
        raise Located(e.pos, f"unknown name `{e.id}`{did_you_mean(e.id, known)}")

    def e_ArrayLit(self, e, scope):
        items = tuple((yield from self.each(e.items)))
        depth = 1 + max((i.depth for i in items if isinstance(i, T.ListT)), default=0)
        if depth > MAX_DIMS:
            raise Located(e.pos, f"an array literal may nest {MAX_DIMS} deep at most (an "
                                 f"array has at most {MAX_DIMS} dimensions); this one nests "
                                 f"{depth} deep")
        return T.ListT(items, depth)

    def e_Tuple(self, e, scope):
        return T.TupleT(tuple((yield from self.each(e.items))))

    def e_Unary(self, e, scope):
        v = yield e.operand
        if v is UNKNOWN:
            return UNKNOWN
        self.pos = e.pos
        if e.op == "not":
            if isinstance(v, T.Weak) and v.kind == "bool":
                return T.Weak("bool", None if v.value is None else not v.value)
            self.bool_operand(v, "operand of `not`")
            return T.Array("bool", self.array(v, "operand").dims)
        if isinstance(v, T.Weak):
            if v.kind == "bool":
                self.fail("cannot negate a boolean")
            value = v.value
            if isinstance(value, (int, float)):
                try:
                    value = static_op("-", 0, value) if isinstance(value, int) else -value
                except ValueError as err:
                    self.fail(str(err))
            else:
                value = None
            return T.Weak(v.kind, value, e.pos)
        a = self.array(v, "operand of `-`")
        if a.kind == "b":
            self.fail(f"cannot negate a boolean array ({a}); use `not`")
        return a

    def e_Binary(self, e, scope):
        left = yield e.left
        right = yield e.right
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        self.pos = e.pos
        op = e.op
        if op == "@":
            return self.matmul(self.array(left, "left operand"),
                               self.array(right, "right operand"))
        if isinstance(left, T.Weak) and isinstance(right, T.Weak):
            try:
                return _static_binary(op, left, right)
            except ValueError as err:
                self.fail(str(err))
        if op in ("and", "or"):
            for v, side in ((left, "left"), (right, "right")):
                self.bool_operand(v, f"{side} operand of `{op}`")
            return T.Array("bool", self.broadcast(op, [self.array(left, "left"),
                                                       self.array(right, "right")]))
        t = self.elementwise(op, [(left, "left operand"), (right, "right operand")])
        if t.kind == "b" and op in "+-*/**":
            self.fail(f"arithmetic `{op}` on boolean arrays: cast them with astype first")
        if op in ("<", "<=", ">", ">=", "==", "!="):
            return T.Array("bool", t.dims)
        if op == "/" and t.kind in "iu":
            return T.Array("f64", t.dims)
        return t

    def e_IfElse(self, e, scope):
        cond, a, b = yield from self.each((e.cond, e.then, e.other))
        if UNKNOWN in (cond, a, b):
            return UNKNOWN
        self.pos = e.pos
        if not (isinstance(cond, T.Weak) and cond.kind == "bool"):
            self.bool_operand(cond, "condition of `if`")
        t = self.elementwise("if ... else", [(a, "then"), (b, "else")])
        dims = self.broadcast("if ... else", [self.array(cond, "condition"), t])
        return T.Array(t.dtype, dims)

    def e_Call(self, e, scope):
        if isinstance(e.func, ast.DType):
            raise Located(e.pos, f"`{e.func.name}` is a dtype, not a function (to convert, "
                                 f"use astype(x, {e.func.name}))")
        if not isinstance(e.func, ast.Name):
            raise Located(e.pos, "only named functions can be called")
        name = e.func.id
        args = yield from self.each(e.args)
        values = yield from self.each(k.value for k in e.kwargs)
        kwargs = {}
        for k, v in zip(e.kwargs, values):
            if k.name in kwargs:
                raise Located(k.pos, f"argument `{k.name}` is given twice")
            kwargs[k.name] = v
        self.pos = e.pos
        if name in scope:
            self.fail(f"`{name}` is a value here, not a function")
        if name in TRANSFORMS:
            self.fail(f"`{name}` is a transform: define it at the top level, "
                      f"as `def g = {name}(f)`")
        if name in self.defs:
            sig = self.signatures.get(name)
            if sig is None:           # on a recursion cycle: reported already
                return UNKNOWN
            return self.call_user(sig, e, args, kwargs)
        if name in B.BUILTINS:
            b = B.BUILTINS[name]
            where = {k.name: k.pos for k in e.kwargs}
            bound = B.bind(b, args, kwargs,
                           lambda message, key=None: self.fail(message, where.get(key)))
            bound = {k: _default(v) if k not in kwargs and b.params.index(k) >= len(args)
                     else v for k, v in bound.items()}
            if any(v is UNKNOWN for v in bound.values()):
                return UNKNOWN
            self.pos = e.pos
            return b.rule(self, bound)
        known = set(self.defs) | set(B.BUILTINS)
        raise Located(e.func.pos, f"unknown function `{name}`{did_you_mean(name, known)}")

    def call_user(self, sig: Signature, e, args, kwargs):
        names = [n for n, _ in sig.params]
        if len(args) > len(names):
            self.fail(f"`{sig.name}` takes {len(names)} arguments ({sig.describe()}), "
                      f"got {len(args)}")
        bound = dict(zip(names, zip(args, e.args)))
        for k in e.kwargs:
            if k.name not in names:
                self.fail(f"`{sig.name}` has no parameter `{k.name}`"
                          f"{did_you_mean(k.name, names)}", k.pos)
            if k.name in bound:
                self.fail(f"`{sig.name}` got argument `{k.name}` twice (by position and "
                          "by name)", k.pos)
            bound[k.name] = (kwargs[k.name], k.value)
        missing = [n for n in names if n not in bound]
        if missing:
            self.fail(f"`{sig.name}` needs argument `{missing[0]}` ({sig.describe()})")
        env, source = {}, {}
        for name, spec in sig.params:
            value, node = bound[name]
            if value is UNKNOWN:
                continue
            want = T.of_spec(spec.dtype, spec.dims)
            if isinstance(value, (T.Weak, T.WeakArray, T.ListT)):
                self.literal_argument(value, name, sig, spec, node)
                have = T.Array(want.dtype, self.array(value, name).dims)
            else:
                have = self.array(value, name)
            if have.dtype != want.dtype or have.ndim != want.ndim:
                self.fail(f"argument `{name}` of `{sig.name}` must be {spec}, got {have}",
                          node.pos)
            for d_want, d_have in zip(spec.dims, have.dims):
                if isinstance(d_want, int):
                    if d_have is not None and d_have != d_want:
                        self.fail(f"argument `{name}` of `{sig.name}` must be {spec}, "
                                  f"got {have}", node.pos)
                elif d_have is not None:
                    if d_want in env and env[d_want] != d_have:
                        self.fail(f"dimension {d_want} of `{sig.name}` is "
                                  f"{env[d_want]} (from `{source[d_want]}`) and {d_have} "
                                  f"(from `{name}`)", node.pos)
                    env[d_want], source[d_want] = d_have, name
        if sig.result is UNKNOWN:
            return UNKNOWN
        callee_dims = {d for _, spec in sig.params for d in spec.dims if isinstance(d, str)}
        env.update({d: None for d in callee_dims if d not in env})
        return T.substitute(sig.result, env)

    def literal_argument(self, value, name: str, sig: Signature, spec, node) -> None:
        """A literal passed for a parameter takes its dtype: a float literal is not
        an integer, a number is not a boolean, and each must fit."""
        kind = self.array(value, name).kind
        want = T.of_spec(spec.dtype, spec.dims).kind
        if (kind == "f" and want in "iub") or (kind in "iu" and want == "b"):
            holds = "true or false" if want == "b" else "integers"
            if isinstance(value, T.Weak):
                got = str(value) if value.value is None else repr(value.value)
            else:
                got = f"an array literal of {'floats' if kind == 'f' else 'integers'}"
            self.fail(f"argument `{name}` of `{sig.name}` is {spec}, which holds {holds}; "
                      f"got {got}", node.pos)
        self.fits(value, spec.dtype, f"argument `{name}` of `{sig.name}`")

    def e_Keyword(self, e, scope):
        raise Located(e.pos, "a keyword argument outside a call")

    def e_Slice(self, e, scope):
        raise Located(e.pos, "a slice outside an index")

    def e_EllipsisLit(self, e, scope):
        raise Located(e.pos, "`...` outside an index")

    def e_Attribute(self, e, scope):
        base = yield e.base
        if base is UNKNOWN:
            return UNKNOWN
        self.pos = e.pos
        a = self.array(base, "value")
        if e.name == "T":
            return T.Array(a.dtype, tuple(reversed(a.dims)))
        if e.name == "shape":
            return T.Shape(a.dims)
        if e.name == "ndim":
            return T.Weak("int", a.ndim)
        self.fail(f"arrays have no attribute `{e.name}`{did_you_mean(e.name, ATTRIBUTES)} "
                  "(they have T, shape and ndim)")

    def e_Index(self, e, scope):
        from .indexing import index_type
        base = yield e.base
        items = []
        for i in e.items:
            items.append((yield from self.index_item(i)))
        if base is UNKNOWN or UNKNOWN in items:
            return UNKNOWN
        self.pos = e.pos
        if isinstance(base, (T.Shape, T.TupleT)):
            if len(items) != 1 or not isinstance(items[0], T.Weak) or \
                    not isinstance(items[0].value, int):
                self.fail("index a shape or a tuple with one literal integer")
            seq = base.dims if isinstance(base, T.Shape) else base.items
            i = items[0].value
            if not -len(seq) <= i < len(seq):
                self.fail(f"index {i} is out of range for {base}")
            return T.Weak("int", seq[i]) if isinstance(base, T.Shape) else seq[i]
        return index_type(self, self.array(base, "value"), items)

    def index_item(self, i):
        if isinstance(i, ast.Slice):
            parts = []
            for x in (i.start, i.stop, i.step):
                parts.append(None if x is None else (yield x))
            return ("slice",) + tuple(parts)
        if isinstance(i, ast.EllipsisLit):
            return ("...",)
        return (yield i)


def _unknown_on_abandon(node, exc):
    """An operand's type is Unknown (an error reported already): so is the node's."""
    if isinstance(exc, Abandon):
        return UNKNOWN
    raise exc


def _default(v):
    """A built-in's default argument as a checker value."""
    if v is None:
        return None
    if isinstance(v, bool):
        return T.Weak("bool", v)
    if isinstance(v, (int, float)):
        return T.Weak("float" if isinstance(v, float) else "int", v)
    if isinstance(v, str):
        return T.DType(v)
    return v


def _static_binary(op: str, a: T.Weak, b: T.Weak) -> T.Weak:
    """Python scalars combine statically (values when both are known); ValueError
    when the value overflows or divides by zero."""
    if op in ("<", "<=", ">", ">=", "==", "!=", "and", "or"):
        kind = "bool"
    elif op == "/" or "float" in (a.kind, b.kind):
        kind = "float"
    else:
        kind = "int"
    value = None
    if isinstance(a.value, (int, float, bool)) and isinstance(b.value, (int, float, bool)):
        value = static_op(op, a.value, b.value)
        if kind == "int" and isinstance(value, float):      # 2 ** -1
            kind = "float"
    return T.Weak(kind, value)


def _references(d) -> list[str]:
    """Names a definition calls or transforms (its dependencies)."""
    found, todo = [], [d]
    while todo:                          # no recursion: expressions nest deeply
        x = todo.pop()
        if isinstance(x, ast.Call) and isinstance(x.func, ast.Name):
            found.append(x.func.id)
        if isinstance(x, ast.Alias) and isinstance(x.value, ast.Name):
            found.append(x.value.id)
        if isinstance(x, ast.Call) and isinstance(x.func, ast.Name) and \
                x.func.id in TRANSFORMS:
            found.extend(a.id for a in x.args if isinstance(a, ast.Name))
        if isinstance(x, ast.Node):
            todo.extend(reversed(list(vars(x).values())))     # in source order
        elif isinstance(x, list):
            todo.extend(reversed(x))
    return found
