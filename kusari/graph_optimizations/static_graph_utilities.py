"""`static_code` and `static_forward_optimizations` (Chainer's
`chainer.graph_optimizations.static_graph_utilities`).

A static chain (`static_graph`) runs its define-by-run code once per
signature, then runs compiled code (kusari.jit) that never calls that Python
code again. A function decorated with `@static_code` is the exception: it runs
at every call of the chain, in the order the chain called it, with the arrays
of that call.

- Called outside a static chain, a static_code function is a plain call.
- Called while a static chain runs its define-by-run code for a signature it
  has not seen (the first call), it runs as it is, and what it returned is
  remembered: its structure, and the shapes and dtypes of its arrays.
- Called while that chain is traced by kusari.jit, it becomes one opaque op of
  the compiled graph (a FunctionNode whose forward is the function): its
  array arguments (Variables, or their `.array`s, anywhere in the arguments,
  `inputs=` included) are the op's operands, its returned arrays the op's
  outputs. Every other argument is passed as it was at the trace, by
  reference, as Chainer's schedule does. The ops of one chain are chained by a
  0-d token (each reads the token of the one before, the first a fresh one
  read at every call), so they run in the order they were called, whether or
  not anything uses their results, and once per call of the chain.

What differs from Chainer, deliberately: inside the traced chain a returned
array comes back as a Variable without gradient (a traced array has no value
to hand over; Chainer gives a NumPy array, from which no gradient flows
either); a function runs once per call, also on the first call (Chainer runs
it twice there: in the define-by-run code, then in the new schedule); an
`outputs=` list of arrays to write into in place is refused while tracing
(return new arrays instead).
"""
from __future__ import annotations

import functools
import os
import sys
import threading

import numpy as np

from .. import tracing
from ..compiler.errors import TraceError
from ..tracing import Traced
from ..user_function import FunctionNode, _check_outputs
from ..variable import Variable

_local = threading.local()
_STATIC_GRAPH_FILE = os.path.join(os.path.dirname(__file__), "static_graph.py")


def current_scope():
    """The static chain whose define-by-run code (_Record) or trace (_Replay)
    is running on this thread, or None."""
    return getattr(_local, "scope", None)


class _Scope:
    def __enter__(self):
        self._outer = current_scope()
        _local.scope = self
        return self

    def __exit__(self, *exc):
        _local.scope = self._outer
        return False


class _Recorded:
    """What one static_code call returned on the first call: the function and
    the return value's template (arrays replaced by their (shape, dtype))."""

    __slots__ = ("func", "template", "n_arrays")

    def __init__(self, func, result):
        self.func = func
        self.n_arrays = 0

        def strip(v):
            if isinstance(v, (tuple, list)):
                return type(v)(strip(x) for x in v)
            if isinstance(v, Variable):
                raise TypeError(f"static_code function {_name(func)} returned a Variable: "
                                "a static_code function computes on arrays and returns "
                                "arrays (or None, or a tuple of them)")
            if isinstance(v, np.ndarray) or type(v).__module__.split(".")[0] == "cupy":
                self.n_arrays += 1
                return _ArrayType(tuple(v.shape), np.dtype(v.dtype))
            return v
        self.template = strip(result)


class _ArrayType:
    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape, self.dtype = shape, dtype


class _Record(_Scope):
    """A static chain's define-by-run code on its first call of a signature:
    static_code functions run as they are; what they return is remembered,
    and which plain attributes of the chain's links they change (`written`:
    paths such as "n", "l1.count": state the user keeps per call, which the
    compiled schedule does not depend on)."""

    def __init__(self, chain=None):
        self.calls: list = []
        self.depth = 0
        self.chain = chain
        self.written: set = set()

    def run(self, func, args, kwargs):
        before = _attributes(self.chain) if self.chain is not None else None
        self.depth += 1
        try:
            result = func(*args, **kwargs)
        finally:
            self.depth -= 1
        if before is not None:
            after = _attributes(self.chain)
            self.written |= {k for k in before.keys() | after.keys()
                             if _changed(before.get(k, _GONE), after.get(k, _GONE))}
        self.calls.append(_Recorded(func, result))
        return result


_GONE = object()


def _attributes(chain) -> dict:
    """The plain values (numbers, strings, tuples) and the dicts and lists of
    every link in `chain`, by path ("n", "l1.count"), copied."""
    import copy
    from ..guards import is_plain
    out = {}
    for path, link in chain.namedlinks():
        prefix = path.strip("/").replace("/", ".")
        for k, v in list(vars(link).items()):
            if k.startswith("_") or k == "name":
                continue
            key = f"{prefix}.{k}" if prefix else k
            if is_plain(v):
                out[key] = v
            elif type(v) in (dict, list):
                try:
                    out[key] = copy.deepcopy(v)
                except Exception:       # noqa: BLE001 - not copyable: by identity
                    out[key] = (id(v), len(v))
    return out


def _changed(a, b) -> bool:
    from ..guards import is_plain, same
    if is_plain(a) and is_plain(b):
        return not same(a, b)
    try:
        return bool(a != b)
    except Exception:                   # noqa: BLE001 - arrays inside: unknown, changed
        return True


class _Replay(_Scope):
    """A static chain traced by kusari.jit: static_code calls become opaque
    ops, typed by what the first call recorded."""

    def __init__(self, calls, chain_name: str):
        self.calls = calls
        self.position = 0
        self.token = None
        self.chain_name = chain_name
        self.sink = _Sink()


class _Sink:
    """Where the last token of a traced chain goes: an effect the compiled
    code writes back at every call, so that the static_code ops before it
    are never dead code."""

    token = None


def _discard(value):
    return None


def _name(func) -> str:
    return getattr(func, "__qualname__", None) or getattr(func, "__name__", repr(func))


def static_code(*dec_args, **dec_kwargs):
    """Mark a function (or method) as code a static chain runs at every call
    (see the module docstring). Use as `@static_code` or
    `@static_code(func_name='...')`."""
    func_name = dec_kwargs.pop("func_name", None)
    if dec_kwargs:
        raise TypeError(f"static_code() got unexpected keyword arguments "
                        f"{sorted(dec_kwargs)} (it takes func_name)")

    def wrap(func):
        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            scope = current_scope()
            if scope is None or _in_function_node():
                return func(*args, **kwargs)
            if type(scope) is _Replay and tracing.TRACING and tracing.active() is not None:
                return _traced_call(scope, func, func_name, args, kwargs)
            if type(scope) is _Record and scope.depth == 0:
                return scope.run(func, args, kwargs)
            return func(*args, **kwargs)
        wrapped._static_code_func = func
        wrapped.func_name = func_name
        return wrapped

    if len(dec_args) == 1 and not dec_kwargs and callable(dec_args[0]) and func_name is None:
        return wrap(dec_args[0])
    if dec_args:
        raise TypeError("static_code takes a function, or only keyword arguments "
                        "(func_name=...)")
    return wrap


def _apply_codes() -> frozenset:
    """The code of applying a FunctionNode: a static_code function called
    below it is part of that function's forward (an op of its own, run at
    every call already), not a call of the chain's schedule."""
    from .. import user_trace
    from ..user_function import FunctionNode as _FunctionNode
    return frozenset({_FunctionNode.apply.__code__, _FunctionNode._forward_at_run.__code__,
                      user_trace._infer.__code__})


_APPLY_CODES: frozenset = frozenset()


def _in_function_node() -> bool:
    global _APPLY_CODES
    if not _APPLY_CODES:
        _APPLY_CODES = _apply_codes()
    frame = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if code in _APPLY_CODES:
            return True
        if code.co_name == "wrapped" and code.co_filename == _STATIC_GRAPH_FILE:
            return False            # up to the static chain's own call
        frame = frame.f_back
    return False


def static_forward_optimizations(func, inputs):
    """The outputs of FunctionNode `func`'s forward on `inputs` (Chainer calls
    this in place of `func.forward(inputs)` while it records a static
    schedule). In kusari every FunctionNode applied in a static chain is
    already an op of the compiled graph, run at every call, so this is the
    forward itself, with Chainer's check that it returns a tuple of arrays."""
    outputs = func.forward(tuple(inputs))
    _check_outputs(func, outputs)
    return outputs


# -- tracing a static_code call ---------------------------------------------------

def _traced_call(scope: _Replay, func, func_name, args, kwargs):
    k = scope.position
    if k >= len(scope.calls) or scope.calls[k].func is not func:
        was = "nothing" if k >= len(scope.calls) else _name(scope.calls[k].func)
        raise TraceError(
            f"static_graph {scope.chain_name}: static_code call {k + 1} is "
            f"{_name(func)} now, but was {was} when the chain ran its define-by-run "
            "code: a static chain must call the same static_code functions in the same "
            "order at every call")
    recorded = scope.calls[k]
    scope.position += 1
    slots: list = []            # Variables whose arrays the op reads, in order

    def strip(v):
        if isinstance(v, (tuple, list)):
            return type(v)(strip(x) for x in v)
        if isinstance(v, dict):
            return {key: strip(x) for key, x in v.items()}
        if isinstance(v, Variable) and type(v.array) is Traced:
            slots.append(_reader(v.node, v.array))
            return _Slot(len(slots) - 1, as_variable=True)
        if type(v) is Traced:
            node = getattr(v, "node", None)
            if node is None:
                raise TraceError(f"static_code {_name(func)}: {v.describe()} is not a "
                                 "value of this chain's graph")
            slots.append(_reader(node, v))
            return _Slot(len(slots) - 1, as_variable=False)
        return v

    template_args = strip(args)
    outputs = kwargs.get("outputs")
    if outputs is not None and any(type(o) is Traced or isinstance(o, Variable)
                                   for o in _leaves(outputs)):
        raise TraceError(
            f"static_code {_name(func)}: under kusari a static chain is compiled, and its "
            "arrays have no storage to write into while it is traced: return the new "
            "arrays from the function instead of writing them into outputs=")
    template_kwargs = strip(kwargs)
    ctx = tracing.active()
    if scope.token is None:
        scope.token = ctx.random(_fresh_token, (), np.float32)
    node = _StaticCodeCall(func, func_name, template_args, template_kwargs, recorded,
                           len(slots))
    node._inferring = True
    try:
        outs = node.apply((scope.token,) + tuple(slots))
    finally:
        node._inferring = False
    scope.token = outs[-1]
    ctx.assign_scalar(scope.sink, "token", scope.token, _discard)
    values = iter(outs[:-1])
    return _fill(recorded.template, values)


class _Slot:
    __slots__ = ("index", "as_variable")

    def __init__(self, index, as_variable):
        self.index, self.as_variable = index, as_variable


def _reader(node, traced):
    """A Variable reading `node`'s value, with no gradient (as a static_code
    function's arrays have none in Chainer either)."""
    v = Variable.__new__(Variable)
    v._array = traced
    v._grad = None
    v._grad_var = None
    v.name = None
    v._requires_grad = False
    v._node = node
    return v


def _fresh_token():
    return np.zeros((), np.float32)


def _leaves(v):
    if isinstance(v, (tuple, list)):
        for x in v:
            yield from _leaves(x)
    else:
        yield v


def _fill(template, values):
    if isinstance(template, (tuple, list)):
        return type(template)(_fill(t, values) for t in template)
    if isinstance(template, _ArrayType):
        return next(values)
    return template


def _substitute(template, arrays):
    if isinstance(template, (tuple, list)):
        return type(template)(_substitute(t, arrays) for t in template)
    if isinstance(template, dict):
        return {k: _substitute(t, arrays) for k, t in template.items()}
    if isinstance(template, _Slot):
        a = arrays[template.index]
        return Variable(a, requires_grad=False) if template.as_variable else a
    return template


def _array_leaves(value, func):
    out = []

    def walk(v):
        if isinstance(v, (tuple, list)):
            for x in v:
                walk(x)
        elif isinstance(v, np.ndarray) or type(v).__module__.split(".")[0] == "cupy":
            out.append(v)
        elif isinstance(v, Variable):
            raise TypeError(f"static_code function {_name(func)} returned a Variable: "
                            "it must return arrays (or None, or a tuple of them)")
    walk(value)
    return out


class _StaticCodeCall(FunctionNode):
    """One static_code call in a compiled static chain: its forward calls
    the function on this call's arrays (the first operand is the token
    that orders the calls), its outputs are the arrays it returns, then
    the next token."""

    def __init__(self, func, func_name, args, kwargs, recorded, n_slots):
        self.func = func
        self.func_name = func_name
        self.template_args = args
        self.template_kwargs = kwargs
        self.recorded = recorded
        self.n_slots = n_slots
        self._inferring = False

    @property
    def label(self) -> str:
        return f"static_code {self.func_name or _name(self.func)}"

    def forward(self, inputs):
        token = np.zeros((), np.float32)
        if self._inferring:        # (kusari.jit learning the output types)
            return tuple(np.zeros(t.shape, t.dtype) for t in
                         _type_leaves(self.recorded.template)) + (token,)
        arrays = inputs[1:]
        args = _substitute(self.template_args, arrays)
        kwargs = _substitute(self.template_kwargs, arrays)
        result = self.func(*args, **kwargs)
        got = _array_leaves(result, self.func)
        if len(got) != self.recorded.n_arrays:
            raise TypeError(f"{self.label} returned {len(got)} arrays at this call "
                            f"but {self.recorded.n_arrays} on the chain's first call: "
                            "a static chain's static_code functions must return the "
                            "same structure at every call")
        return tuple(got) + (token,)

    def backward(self, indexes, grad_outputs):
        return (None,) * len(indexes)


def _type_leaves(template):
    if isinstance(template, (tuple, list)):
        for t in template:
            yield from _type_leaves(t)
    elif isinstance(template, _ArrayType):
        yield template


__all__ = ["static_code", "static_forward_optimizations"]
