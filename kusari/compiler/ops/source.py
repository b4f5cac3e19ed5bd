"""Source ops: graph inputs and constants. They have no operands; Graph builds
them directly (`add_input`, `add_const`), so their shape rule is never asked."""
from __future__ import annotations

from .registry import SOURCE, ZERO, OpDef, register


def _no_infer(attrs, *avals):
    raise TypeError("input and const nodes are made by Graph.add_input/add_const")


register(OpDef("input", SOURCE, _no_infer, label="Input", arg_names=(), grad=ZERO))
register(OpDef("const", SOURCE, _no_infer, label="Const", arg_names=(), grad=ZERO,
               attr_names=("value",)))
