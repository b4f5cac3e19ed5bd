"""Chainer's type_check: expressions over the types of a function's inputs.

`check_type_forward(in_types)` of a Function(Node) receives a
`TypeInfoTuple` of `Variable` expressions; comparing them (`x.ndim == 2`)
builds an expression tree that `expect(...)` evaluates, raising InvalidType
with the expression as written (`Expect: in_types[0].ndim == 2`) and the
values met (`Actual: 3 != 2`). In light mode (`with light_mode:`) the types
are plain values and `expect` only tests truth.

`InvalidType` is the one class kusari raises for bad operand types
everywhere (kusari.compiler.errors.InvalidType), so `except
type_check.InvalidType` catches the built-in functions' errors too.
"""
from __future__ import annotations

import contextlib
import operator
import threading

import numpy

from ..compiler.errors import InvalidType, expect_eq  # noqa: F401

_thread_local = threading.local()


@contextlib.contextmanager
def get_function_check_context(f):
    """Within this block, an InvalidType raised by `expect` names `f.label`."""
    previous = getattr(_thread_local, "current_function", None)
    _thread_local.current_function = f
    try:
        yield
    finally:
        _thread_local.current_function = previous


def _invalid(expect: str, actual: str) -> InvalidType:
    """InvalidType(expect, actual), naming the function being checked if any."""
    f = getattr(_thread_local, "current_function", None)
    if f is None:
        return InvalidType(expect, actual)
    msg = (f"\nInvalid operation is performed in: {f.label} (Forward)\n\n"
           f"Expect: {expect}\nActual: {actual}")
    return InvalidType(expect, actual, msg)


class TypeInfo:
    """The shape and dtype of one array (CPU or GPU alike)."""

    def __init__(self, shape, dtype):
        self.shape = shape
        self.dtype = dtype
        self.ndim = len(shape)

    @property
    def size(self):
        size = 1
        for d in self.shape:
            size *= d
        return size


class TypeInfoTuple(tuple):
    """The TypeInfo expressions of a function's inputs (or gradients)."""

    def size(self):
        """The number of elements, as an expression ('in_types.size')."""
        return Variable(len(self), f"{self.name}.size")


class LightTypeInfoTuple(tuple):
    """TypeInfos of a function's inputs for the light-weight check."""

    def size(self):
        return len(self)


def get_types(data, name, accept_none, *, shapes=None):
    """TypeInfoTuple of expressions `name[i]` for the arrays in `data`."""
    assert isinstance(data, tuple)
    if shapes is None:
        shapes = tuple(x.shape for x in data)
    info = TypeInfoTuple(_get_type(name, i, x, accept_none, shape)
                         for i, (x, shape) in enumerate(zip(data, shapes)))
    info.name = name
    return info


def get_light_types(data, *, shapes=None):
    assert isinstance(data, tuple)
    if shapes is not None:
        data = tuple(TypeInfo(shape, x.dtype) for x, shape in zip(data, shapes))
    return LightTypeInfoTuple(data)


def _get_type(name, index, array, accept_none, shape):
    label = f"{name}[{index}]"
    if accept_none and array is None:
        return Variable(TypeInfo((), None), label)     # no gradient given
    from ..backend import get_array_types
    assert isinstance(array, get_array_types())
    return Variable(TypeInfo(shape, array.dtype), label)


# -- expressions ----------------------------------------------------------------
# operator priorities follow Python's grammar: | ^ & << + * unary ** atom
_BINARY = {
    "add": ("+", 4, operator.add), "sub": ("-", 4, operator.sub),
    "mul": ("*", 5, operator.mul), "truediv": ("/", 5, operator.truediv),
    "floordiv": ("//", 5, operator.floordiv), "mod": ("%", 5, operator.mod),
    "lshift": ("<<", 3, operator.lshift), "rshift": (">>", 3, operator.rshift),
    "and": ("&", 2, operator.and_), "xor": ("^", 1, operator.xor),
    "or": ("|", 0, operator.or_),
}
_COMPARE = {
    "eq": ("==", "!=", operator.eq), "ne": ("!=", "==", operator.ne),
    "lt": ("<", ">=", operator.lt), "le": ("<=", ">", operator.le),
    "gt": (">", "<=", operator.gt), "ge": (">=", "<", operator.ge),
}
_UNARY = {"neg": ("-", operator.neg), "pos": ("+", operator.pos),
          "invert": ("~", operator.invert)}


class Expr:
    """A syntax tree over type information: `eval()` gives its value,
    `str()` the expression as written. Comparisons build `Testable`
    expressions for `expect`; an Expr cannot be used as a bool (`and`/`or`
    would silently drop a condition)."""

    def __init__(self, priority):
        self.priority = priority

    def eval(self):
        raise NotImplementedError

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)     # copy/pickle probes are not Exprs
        return GetAttr(self, name)

    def __getitem__(self, key):
        return GetItem(self, key)

    def __call__(self, *args):
        return Call(self, args)

    def __bool__(self):
        raise RuntimeError(
            "An Expr instance cannot be evaluated as bool. Please use "
            "chainer.utils.type_check.eval() to evaluate an expression.")

    __nonzero__ = __bool__

    def __pow__(self, other):
        return BinaryOperator(7, self, other, "**", operator.pow,
                              right_associative=True)

    def __rpow__(self, other):
        return BinaryOperator(7, other, self, "**", operator.pow,
                              right_associative=True)

    __hash__ = object.__hash__


def _install_operators():
    def binary(symbol, priority, func, reflected):
        if reflected:
            return lambda self, other: BinaryOperator(priority, other, self, symbol,
                                                      func)
        return lambda self, other: BinaryOperator(priority, self, other, symbol, func)

    for name, (symbol, priority, func) in _BINARY.items():
        setattr(Expr, f"__{name}__", binary(symbol, priority, func, False))
        setattr(Expr, f"__r{name}__", binary(symbol, priority, func, True))
    for name, (symbol, inverse, func) in _COMPARE.items():
        setattr(Expr, f"__{name}__",
                lambda self, other, s=symbol, i=inverse, f=func:
                BoolBinaryOperator(self, other, s, i, f))
    for name, (symbol, func) in _UNARY.items():
        setattr(Expr, f"__{name}__",
                lambda self, s=symbol, f=func: UnaryOperator(6, self, s, f))


_install_operators()


def _eval_expr(v):
    if isinstance(v, Expr):
        return v.eval()
    if isinstance(v, list):
        return [_eval_expr(x) for x in v]
    if isinstance(v, tuple):
        return tuple(_eval_expr(x) for x in v)
    return v


def _repr(v) -> str:
    if isinstance(v, Expr):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_repr(x) for x in v) + "]"
    if isinstance(v, tuple):
        if len(v) == 1:
            return f"({_repr(v[0])},)"
        return "(" + ", ".join(_repr(x) for x in v) + ")"
    return repr(v)


class Atom(Expr):
    def __init__(self):
        super().__init__(8)


class Constant(Atom):
    """A literal value."""

    def __init__(self, value):
        super().__init__()
        self.value = value

    def __str__(self):
        return _repr(self.value)

    def eval(self):
        return self.value


class Variable(Atom):
    """A named value (`in_types[0]`)."""

    def __init__(self, value, name):
        super().__init__()
        self.value = value
        self.name = name

    def __str__(self):
        return self.name

    def eval(self):
        return self.value


class GetAttr(Atom):
    """`obj.name`."""

    def __init__(self, obj, name):
        super().__init__()
        self.obj = obj
        self.name = name

    def __str__(self):
        name = self.name.value if isinstance(self.name, Constant) else self.name
        if isinstance(name, str):
            return f"{_repr(self.obj)}.{name}"
        return f"getattr({_repr(self.obj)}, {_repr(self.name)})"

    def eval(self):
        return getattr(_eval_expr(self.obj), _eval_expr(self.name))


def _str_subscript(key) -> str:
    if key is Ellipsis:
        return "..."
    if isinstance(key, slice):
        def part(v):
            return "" if v is None else _repr(v)
        text = f"{part(key.start)}:{part(key.stop)}"
        return text if key.step is None else f"{text}:{part(key.step)}"
    if isinstance(key, tuple):
        return ", ".join(_str_subscript(k) for k in key)
    return _repr(key)


class GetItem(Atom):
    """`obj[key]`."""

    def __init__(self, obj, key):
        super().__init__()
        self.obj = obj
        self.key = key

    def __str__(self):
        return f"{_repr(self.obj)}[{_str_subscript(self.key)}]"

    def eval(self):
        return _eval_expr(self.obj)[_eval_expr(self.key)]


class Call(Atom):
    """`obj(*args)`."""

    def __init__(self, obj, args):
        assert isinstance(args, tuple)
        super().__init__()
        self.obj = obj
        self.args = args

    def __str__(self):
        return f"{_repr(self.obj)}({', '.join(_repr(a) for a in self.args)})"

    def eval(self):
        return _eval_expr(self.obj)(*[_eval_expr(a) for a in self.args])


class UnaryOperator(Expr):
    def __init__(self, priority, term, exp, func):
        super().__init__(priority)
        self.term = term
        self.exp = exp
        self.func = func

    def eval(self):
        return self.func(_eval_expr(self.term))

    def __str__(self):
        text = _repr(self.term)
        if isinstance(self.term, Expr) and self.term.priority < self.priority:
            text = f"({text})"
        return self.exp + text


class BinaryOperator(Expr):
    def __init__(self, priority, lhs, rhs, exp, func, right_associative=False):
        super().__init__(priority)
        self.lhs = lhs
        self.rhs = rhs
        self.exp = exp
        self.func = func
        self.right_associative = right_associative

    def eval(self):
        return self.func(self._eval_left(), self._eval_right())

    def _eval_left(self):
        return _eval_expr(self.lhs)

    def _eval_right(self):
        return _eval_expr(self.rhs)

    def __str__(self):
        # parenthesize an operand that binds more loosely, or as tightly on
        # the side the operator does not associate to
        left = _repr(self.lhs)
        if isinstance(self.lhs, Expr) and (
                self.lhs.priority < self.priority or
                (self.right_associative and self.lhs.priority == self.priority)):
            left = f"({left})"
        right = _repr(self.rhs)
        if isinstance(self.rhs, Expr) and (
                self.rhs.priority < self.priority or
                (not self.right_associative and self.rhs.priority == self.priority)):
            right = f"({right})"
        return f"{left} {self.exp} {right}"


class Testable:
    def expect(self):
        raise NotImplementedError


class BoolBinaryOperator(BinaryOperator, Testable):
    """A comparison; `expect()` raises InvalidType when it does not hold."""

    def __init__(self, lhs, rhs, exp, inv, func):
        BinaryOperator.__init__(self, -1, lhs, rhs, exp, func)
        self.inv = inv

    def expect(self):
        left, right = self._eval_left(), self._eval_right()
        if not self.func(left, right):
            raise _invalid(f"{_repr(self.lhs)} {self.exp} {_repr(self.rhs)}",
                           f"{left} {self.inv} {right}")


def _argname(in_types, names):
    """Give the input type expressions readable names ('x', 'W')."""
    if len(in_types) != len(names):
        raise InvalidType(f"{len(names)} argument(s)", f"{len(in_types)} argument(s)",
                          "Invalid number of arguments")
    for t, name in zip(in_types, names):
        if isinstance(t, Variable):
            t.name = name


argname = _argname


def expect(*bool_exprs):
    """Test each expression in order; the first that fails raises InvalidType."""
    if in_light_mode():
        if not all(bool_exprs):
            raise InvalidType("", "")
        return
    for e in bool_exprs:
        assert isinstance(e, Testable)
        e.expect()


def same_types(*arrays) -> bool:
    """Whether the arrays are all NumPy arrays or all CuPy arrays."""
    if all(isinstance(x, numpy.ndarray) for x in arrays):
        return True
    from ..backends import cuda
    return all(cuda.is_cupy_array(x) for x in arrays)


def eval(exp):  # noqa: A001 (Chainer's name)
    """The value of an expression (the value itself in light mode)."""
    return exp if in_light_mode() else exp.eval()


def make_variable(value, name):
    return value if in_light_mode() else Variable(value, name)


def _make_variable_from_array(array, name):
    from ..backend import get_array_types
    if not isinstance(array, get_array_types()):
        raise InvalidType(f"isinstance({name}, ndarray)",
                          f"type({name}) == {type(array)}")
    if in_light_mode():
        return array
    return Variable(TypeInfo(array.shape, array.dtype), name)


class LightMode:
    """`with light_mode:` checks truth only, without building expressions."""

    def __enter__(self):
        _thread_local.light_mode = True

    def __exit__(self, exc_type, exc_value, traceback):
        _thread_local.light_mode = False


light_mode = LightMode()


def in_light_mode() -> bool:
    return getattr(_thread_local, "light_mode", False)


def _prod_impl(xs):
    result = 1
    for x in xs:
        result *= x
    return result


_prod = Variable(_prod_impl, "prod")


def prod(xs):
    """The product of `xs` (an expression `prod(...)` outside light mode)."""
    return _prod_impl(xs) if in_light_mode() else _prod(xs)


def expect_broadcast_shapes(*shape_types):
    """Raise InvalidType unless the shapes broadcast together."""
    shapes = [eval(s) for s in shape_types]
    try:
        numpy.broadcast_shapes(*[tuple(s) for s in shapes])
    except ValueError:
        lines = ["cannot broadcast inputs of the following shapes:"]
        lines += [f"{t} = {s}" for t, s in zip(shape_types, shapes)]
        raise InvalidType("", "", msg="\n".join(lines)) from None
