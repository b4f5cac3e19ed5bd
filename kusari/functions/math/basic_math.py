"""Arithmetic of Variables (Chainer's chainer.functions.math.basic_math).

The operators themselves (`x + y`, `x ** 2`, ...) are Variable's, in
kusari.variable: a scalar takes the Variable's dtype, an array operand is
taken in it, and each is one registry op (add, sub, mul, div, pow, neg, abs,
matmul). The functions here are Chainer's module-level names for them, plus
its classes, whose labels show in graphs ('_ + _', '_ * 2.0', ...).
"""
from __future__ import annotations

import numpy as np

from ...variable import Variable
from .._core import call, var
from ._unary import OpNode


def _convert_value_to_string(value) -> str:
    """How Chainer's labels show a constant: '2.0', '(-2)', 'constant array'."""
    if isinstance(value, Variable):
        value = value.array
    if np.isscalar(value):
        return f"({value})" if value < 0 else str(value)
    if isinstance(value, np.ndarray) or type(value).__module__.split(".")[0] == "cupy":
        return "constant array"
    raise ValueError("Value must be a Variable, scalar, numpy.ndarray or cupy.ndarray. "
                     f"Actual: {type(value)}")


def _rhs(value):
    if isinstance(value, Variable) or np.isscalar(value) or isinstance(value, np.ndarray) \
            or type(value).__module__.split(".")[0] == "cupy":
        return value
    raise TypeError("Value must be a scalar, `numpy.ndarray`, `cupy.ndarray` or a "
                    f"`Variable`.\nActual: {type(value)}")


def neg(self) -> Variable:
    """-x."""
    return -var(self)


def absolute(self) -> Variable:
    """|x|, elementwise; the gradient is sign(x)."""
    return call("abs", var(self))


def add(*xs) -> Variable:
    """x0 + x1 + ...: two operands broadcast; several must share a dtype."""
    if len(xs) == 2:
        return var(xs[0]) + _rhs(xs[1])
    vs = [var(x) for x in xs]
    if not vs:
        raise ValueError("add needs at least one input")
    for i, v in enumerate(vs[1:], 1):
        if v.dtype != vs[0].dtype:
            from ...compiler.errors import InvalidType, invalid_in
            raise invalid_in("MultiAdd", InvalidType(f"x0.dtype == x{i}.dtype",
                                                     f"{vs[0].dtype} != {v.dtype}"))
    if len(vs) == 1:
        from ..array import identity
        return identity(vs[0])
    out = vs[0] + vs[1]
    for v in vs[2:]:
        out = out + v
    return out


def sub(self, rhs) -> Variable:
    """lhs - rhs."""
    return var(self) - _rhs(rhs)


def rsub(self, rhs) -> Variable:
    """rhs - lhs."""
    return var(self).__rsub__(_rhs(rhs))


def mul(self, rhs) -> Variable:
    """lhs * rhs."""
    return var(self) * _rhs(rhs)


def div(self, rhs) -> Variable:
    """lhs / rhs."""
    return var(self) / _rhs(rhs)


def rdiv(self, rhs) -> Variable:
    """rhs / lhs."""
    return var(self).__rtruediv__(_rhs(rhs))


def floordiv(self, rhs) -> Variable:
    """floor(lhs / rhs), elementwise (no gradient flows back)."""
    return call("floor", div(self, rhs))


def rfloordiv(self, rhs) -> Variable:
    """floor(rhs / lhs), elementwise (no gradient flows back)."""
    return call("floor", rdiv(self, rhs))


def pow(self, rhs) -> Variable:  # noqa: A001 - Chainer's name
    """lhs ** rhs."""
    return var(self) ** _rhs(rhs)


def rpow(self, rhs) -> Variable:
    """rhs ** lhs."""
    return var(self).__rpow__(_rhs(rhs))


def matmul(self, rhs) -> Variable:
    """lhs @ rhs (F.matmul)."""
    from .matmul import matmul as _matmul
    return _matmul(self, rhs)


def rmatmul(self, rhs) -> Variable:
    """rhs @ lhs (F.matmul)."""
    from .matmul import matmul as _matmul
    return _matmul(rhs, self)


def install_variable_arithmetics() -> None:
    """Chainer installs these as Variable's operators at import; kusari's
    Variable has them built in, so there is nothing to do."""


# -- Chainer's classes, for their labels ----------------------------------------

class _Binary(OpNode):
    def apply(self, inputs) -> tuple:
        a, b = inputs
        return (self._fn(var(a), b),)


class _WithConstant(OpNode):
    template = "{}"

    def __init__(self, value):
        super().__init__(value)
        self.value = value

    @property
    def label(self) -> str:
        return self.template.format(_convert_value_to_string(self.value))

    def apply(self, inputs) -> tuple:
        x, = inputs
        return (self._fn(var(x), self.value),)


class Neg(OpNode):
    label = "__neg__"

    def apply(self, inputs) -> tuple:
        return (neg(inputs[0]),)


class Absolute(OpNode):
    label = "|_|"

    def apply(self, inputs) -> tuple:
        return (absolute(inputs[0]),)


def _binary_class(name: str, label: str, fn) -> type:
    return type(name, (_Binary,), {"label": label, "_fn": staticmethod(fn),
                                   "__doc__": f"Chainer's {name} ({label})."})


def _constant_class(name: str, template: str, fn) -> type:
    return type(name, (_WithConstant,), {"template": template, "_fn": staticmethod(fn),
                                         "__doc__": f"Chainer's {name} ({template})."})


Add = _binary_class("Add", "_ + _", lambda a, b: a + b)
Sub = _binary_class("Sub", "_ - _", lambda a, b: a - b)
Mul = _binary_class("Mul", "_ * _", lambda a, b: a * b)
Div = _binary_class("Div", "_ / _", lambda a, b: a / b)
PowVarVar = _binary_class("PowVarVar", "_ ** _", lambda a, b: a ** b)
AddConstant = _constant_class("AddConstant", "_ + {}", lambda x, c: x + c)
SubFromConstant = _constant_class("SubFromConstant", "{} - _", lambda x, c: c - x)
MulConstant = _constant_class("MulConstant", "_ * {}", lambda x, c: x * c)
DivFromConstant = _constant_class("DivFromConstant", "{} / _", lambda x, c: c / x)
PowVarConst = _constant_class("PowVarConst", "_ ** {}", lambda x, c: x ** c)
PowConstVar = _constant_class("PowConstVar", "{} ** _", lambda x, c: c ** x)
