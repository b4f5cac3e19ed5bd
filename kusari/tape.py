"""The tape: the define-by-run graph that eager ops record, and its walk.

A Node is one value of the recorded graph: the op application that made it,
or nothing for a leaf. It plays both of Chainer's roles (FunctionNode and
VariableNode): ops in kusari have one output, so the two coincide. A Node
keeps only what its gradient rule reads (declared in the op registry), holds
its Variable weakly, and is freed with the graph. A Const is a Python scalar
in the graph, with the dtype of the array it met.

A user-defined FunctionNode with n outputs records n Nodes of the op
`function_node`, one per output (attrs: the function's handle and the output
index): its Chainer FunctionNode is `creator_node`. Towards Chainer's code a
Node is also a VariableNode: `data` (the array, or the one it retained once
its Variable is gone), `rank`, `creator`, `creator_node`, `retain_data`,
`get_variable`, `unchain`.

`walk` lists the values behind some roots in a canonical order together with
their structural key entries; `to_graph` turns a walk into IR. backward()
(plans and the eager tier) and tracing (`kusari.jit`, `kusari.trace`) both
read the tape through these, and nothing else walks it.
"""
from __future__ import annotations

import math
import weakref

import numpy as np

from .compiler import dtypes
from .compiler.ir import Graph
from .compiler.ops import OpDef


class Node:
    """One value of the recorded graph (see the module docstring)."""

    __slots__ = ("op", "attrs", "inputs", "saved", "out", "var", "shape", "dtype",
                 "requires_grad", "_rank", "_data", "__weakref__")

    def __init__(self, op: OpDef | None, attrs: tuple, inputs: tuple, saved, out,
                 var, shape: tuple, dtype, requires_grad: bool = True):
        self.op = op                # None for a leaf
        self.attrs = attrs          # attribute values, in op.attr_names order
        self.inputs = inputs        # Nodes and Consts
        self.saved = saved          # operand arrays the gradient reads, or None
        self.out = out              # the output array if the gradient reads it
        self.var = var              # weakref to this value's Variable
        self.shape = shape
        self.dtype = dtype
        self.requires_grad = requires_grad
        self._rank = None           # computed when first asked for (see rank)
        self._data = None           # the array, once retain_data() kept it

    @property
    def label(self) -> str:
        if self.op is None:
            if self.shape is None or self.dtype is None:
                return "None"
            if self.shape == ():
                return str(self.dtype)
            return f"({', '.join(map(str, self.shape))}), {self.dtype}"
        fn = self.function
        return fn.label if fn is not None else self.op.label

    # -- Chainer's VariableNode / FunctionNode views ---------------------------
    @property
    def _impl_name(self) -> str:
        fn = self.function
        if fn is not None:
            return fn._impl_name
        from .function_node import chainer_name
        return chainer_name(self.op, self.inputs)

    local_function_hooks: dict = {}
    _n_local_function_hooks = 0
    stack = None

    @property
    def function(self):
        """The user's FunctionNode that made this value, if one did."""
        if self.op is not None and self.op.name == "function_node":
            return self.attrs[0].node
        return None

    @property
    def creator_node(self):
        """What made this value: the user's FunctionNode, a FunctionNode view
        of kusari's op (kusari.user_function.OpFunction), or None for a leaf."""
        if self.op is None:
            return None
        fn = self.function
        if fn is None:
            from .user_function import OpFunction
            return OpFunction(self)
        return fn

    @property
    def creator(self):
        fn = self.creator_node
        return getattr(fn, "_owner_function", None) or fn

    @creator.setter
    def creator(self, func) -> None:
        self.set_creator_node(func)

    @creator_node.setter
    def creator_node(self, func) -> None:
        self.set_creator_node(func)

    def set_creator(self, func) -> None:
        self.set_creator_node(func)

    def set_creator_node(self, func) -> None:
        from .user_function import set_creator_node
        set_creator_node(self, func)

    def unchain(self) -> None:
        """Forget what made this value (it becomes a leaf; its rank stays)."""
        if self.op is not None:
            self._rank = self.rank
            self.op = None
            self.attrs = ()
            self.inputs = ()
            self.saved = None
            self.out = None

    @property
    def outputs(self) -> tuple:
        return (self.var,)

    @property
    def rank(self) -> int:
        """Chainer's topological ordinal: 0 for a leaf, one more than the
        largest rank among what made it."""
        r = self._rank
        if r is None:
            r = _compute_rank(self)
        return r

    @property
    def name(self):
        v = self.var()
        return None if v is None else v.name

    @property
    def data(self):
        """The array of this value: its Variable's, or the one retained."""
        v = self.var()
        if v is not None:
            return v._array
        return self._data

    @data.setter
    def data(self, d) -> None:
        self._data = d
        if d is not None:
            self.shape, self.dtype = d.shape, d.dtype

    def retain_data(self) -> None:
        """Keep the array alive with the node (Chainer's retain_data)."""
        v = self.var()
        if v is None:
            raise RuntimeError("cannot retain variable data: the variable has "
                               "been already released")
        self._data = v._array

    @property
    def grad(self):
        v = self.var()
        return None if v is None else v.grad

    @property
    def grad_var(self):
        v = self.var()
        return None if v is None else v.grad_var

    @property
    def _requires_grad(self) -> bool:
        return self.requires_grad

    @_requires_grad.setter
    def _requires_grad(self, flag: bool) -> None:
        self.requires_grad = flag

    def get_variable_or_none(self):
        return self.var()

    def get_variable(self):
        """This value's Variable; a new one over the retained array if it is gone."""
        v = self.var()
        if v is not None:
            return v
        from .variable import Variable
        v = Variable.__new__(Variable)
        v._array = self._data
        v._grad = None
        v._grad_var = None
        v.name = None
        v._requires_grad = self.requires_grad
        v._node = self
        self.var = weakref.ref(v)
        return v

    def attrs_dict(self) -> dict:
        return dict(zip(self.op.attr_names, self.attrs)) if self.op else {}

    def __repr__(self):
        what = "Leaf" if self.op is None else self.label
        return f"<kusari Node {what} {dtypes.short(self.dtype)}{list(self.shape)}>"


def _compute_rank(node: Node) -> int:
    """Ranks of `node` and of everything behind it whose rank is not known yet
    (iteratively: graphs may be deeper than Python's recursion limit)."""
    stack = [node]
    while stack:
        n = stack[-1]
        if n._rank is not None:
            stack.pop()
            continue
        if n.op is None:
            n._rank = 0
            stack.pop()
            continue
        fn = n.function
        if fn is not None:                # the user's FunctionNode keeps its rank
            n._rank = fn.rank + 1
            stack.pop()
            continue
        pending = [x for x in n.inputs if type(x) is Node and x._rank is None]
        if pending:
            stack.extend(pending)
            continue
        n._rank = 1 + max((x._rank for x in n.inputs if type(x) is Node), default=-1)
        stack.pop()
    return node._rank


# -- scalar constants -------------------------------------------------------------

class Const:
    """A Python scalar in the graph, with the dtype of the array it met.

    Integral values (and halves) are *baked*: they are part of the structural
    key, so `x ** 2` compiles to `x * x`. Any other value is a runtime
    parameter of the compiled gradient, so a changing learning rate or a
    random scale never forces a recompile.
    """

    __slots__ = ("value", "dtype", "baked", "entry")

    def __init__(self, value: np.generic, baked: bool):
        self.value = value
        self.dtype = value.dtype
        self.baked = baked
        py = value.item()
        self.entry = ("c", self.dtype.char, py) if baked else ("p", self.dtype.char)

    @property
    def shape(self) -> tuple:
        return ()

    def __repr__(self):
        return f"Const({self.value!r})"


_consts: dict = {}


def _is_baked(v: float) -> bool:
    if v != v or v in (float("inf"), float("-inf")):
        return False
    if v == 0:
        return str(v)[0] != "-"
    return abs(v) <= 4096 and (2 * v).is_integer()


def const(value, dtype: np.dtype) -> Const:
    """The Const for scalar `value` as `dtype` (interned when baked)."""
    # keyed on the value's type as well: 2, 2.0 and True are equal as keys
    key = (type(value), value, dtype)
    c = _consts.get(key)
    if c is not None and (value or math.copysign(1.0, value) > 0):  # -0.0 == 0.0
        return c
    v = dtype.type(value)
    py = v.item()
    baked = isinstance(py, bool) or (_is_baked(float(py)) if dtype.kind in "fiub" else False)
    c = Const(v, baked)
    if baked and len(_consts) < 65536:
        _consts[key] = c
    return c


# -- reading the tape ---------------------------------------------------------------

def walk(roots):
    """The values behind `roots` in canonical postorder, and their key entries.

    Returns (order, entries, index): `order[i]` is a Node or Const, `entries[i]`
    its hashable description with operands as positions in `order`.
    """
    order: list = []
    entries: list = []
    index: dict = {}
    for root in roots:
        stack = [root]
        while stack:
            n = stack[-1]
            if n in index:
                stack.pop()
                continue
            if type(n) is Const:
                entry = n.entry
            elif n.op is None:
                entry = (n.shape, n.dtype.char if n.dtype is not None else None,
                         n.requires_grad)
            else:
                ins = n.inputs
                pending = False
                for x in ins:
                    if x not in index:
                        stack.append(x)
                        pending = True
                if pending:
                    continue   # operands first; n is looked at again after them
                if len(ins) == 2:
                    entry = (n.op, n.attrs, (index[ins[0]], index[ins[1]]))
                elif len(ins) == 1:
                    entry = (n.op, n.attrs, (index[ins[0]],))
                else:
                    entry = (n.op, n.attrs, tuple([index[x] for x in ins]))
            stack.pop()
            index[n] = len(order)
            order.append(n)
            entries.append(entry)
    return order, entries, index


def consumers(order, entries) -> dict:
    """position -> [(consumer position, operand position)] for a walk."""
    users: dict[int, list] = {}
    for j, (n, e) in enumerate(zip(order, entries)):
        if type(n) is not Const and n.op is not None:
            for p, i in enumerate(e[2]):
                users.setdefault(i, []).append((j, p))
    return users


def to_graph(g: Graph, order, entries, leaf, constant) -> list[int]:
    """Add the walked values to `g`, operands first; return each one's node id.

    `leaf(position, node)` and `constant(const)` give the node id for a leaf
    and for a Const (an input, a constant: the caller decides); every op
    application becomes the same op in `g`."""
    ids: list[int] = []
    for i, (n, e) in enumerate(zip(order, entries)):
        if type(n) is Const:
            ids.append(constant(n))
        elif n.op is None:
            ids.append(leaf(i, n))
        else:
            ids.append(g.add_raw(n.op.name, [ids[k] for k in e[2]], n.attrs_dict(),
                                 n.shape, n.dtype))
    return ids
