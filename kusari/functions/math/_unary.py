"""Elementwise functions of one array, and a stand-in for Chainer's
FunctionNode classes of them (tests and users read their `label`)."""
from __future__ import annotations

from .._core import Variable, call, var


def unary(name: str, doc: str, fname: str | None = None):
    """A function applying registry op `name` to one array."""
    def f(x) -> Variable:
        return call(name, var(x))
    f.__name__ = f.__qualname__ = fname or name
    f.__doc__ = doc
    return f


class OpNode:
    """The class Chainer has for a function (Sin, Exp, ...): its `label`, and
    `apply(inputs)` returning a tuple of outputs, on the registry op."""

    op: str = ""
    label: str = ""

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs

    def apply(self, inputs) -> tuple:
        return (call(self.op, *[var(x) for x in inputs]),)


def node_class(class_name: str, op: str, label: str) -> type:
    return type(class_name, (OpNode,), {"op": op, "label": label,
                                        "__doc__": f"Chainer's {class_name} ({label})."})
