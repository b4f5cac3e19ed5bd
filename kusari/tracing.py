"""Tracing: calling Python code on placeholder arrays to record its graph.

Inside `compiler.trace` (and `kusari.jit`), Variables hold a `Traced` array:
a shape and a dtype, no values. Ops on them record Nodes and compute shapes;
anything that needs an actual value (Python control flow, `float(x)`,
converting to NumPy) raises TraceError naming the value and saying why.
"""
from __future__ import annotations

import itertools
import threading
import weakref

import numpy as np

from .compiler import dtypes
from .compiler.errors import TraceError


class Traced:
    """A placeholder array under tracing: shape and dtype only."""

    # node: the tape Node whose value this is (set where one is made), so that
    # code handed a raw traced array (`h.array`) can find its value's node
    __slots__ = ("shape", "dtype", "origin", "node")
    __array_priority__ = 1000

    def __init__(self, shape, dtype, origin: str | None = None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.origin = origin
        self.node = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d traced array")
        return self.shape[0]

    def describe(self) -> str:
        what = f"traced array {dtypes.short(self.dtype)}{list(self.shape)}"
        return f"{what} ({self.origin})" if self.origin else what

    def _refuse(self, use: str):
        raise TraceError(
            f"cannot use the value of {self.describe()} {use}: while tracing "
            "(kusari.jit, compiler.trace) arrays have shapes but no values yet. "
            "Use F.where for elementwise choices, or pass the value in as a "
            "static (non-array) argument.")

    def __bool__(self):
        self._refuse("as a Python bool (an `if`, `while`, `and`/`or` or assert)")

    def __float__(self):
        self._refuse("as a Python float")

    def __int__(self):
        self._refuse("as a Python int")

    def __index__(self):
        self._refuse("as an index")

    def __iter__(self):
        self._refuse("in a Python loop")

    def __array__(self, dtype=None, copy=None):
        self._refuse("as a NumPy array")

    def item(self):
        self._refuse("with .item()")

    def tolist(self):
        self._refuse("with .tolist()")

    def _operator(symbol):
        def refuse(self, *other):
            self._refuse(f"with Python's `{symbol}` on the raw array (use Variable "
                         "operations and kusari.functions on the Variable instead)")
        return refuse

    __lt__ = _operator("<")
    __le__ = _operator("<=")
    __gt__ = _operator(">")
    __ge__ = _operator(">=")
    __add__ = __radd__ = _operator("+")
    __sub__ = __rsub__ = _operator("-")
    __mul__ = __rmul__ = _operator("*")
    __truediv__ = __rtruediv__ = _operator("/")
    __pow__ = __rpow__ = _operator("**")
    __matmul__ = __rmatmul__ = _operator("@")
    __neg__ = _operator("-")
    __getitem__ = _operator("[]")
    del _operator

    def __repr__(self):
        return f"Traced({dtypes.short(self.dtype)}{list(self.shape)})"


# -- the trace context: captures and effects ------------------------------------

_local = threading.local()
TRACING = 0     # traces open in any thread: a cheap test before active()
_DRAWS = itertools.count()      # sources of random draws (TraceContext.random)
_trace_lock = threading.RLock()


def wait_for_traces() -> None:
    """Block until no other thread is tracing (its Variables are restored then)."""
    with _trace_lock:
        pass


def active() -> "TraceContext | None":
    """The trace being recorded on this thread, if any."""
    return getattr(_local, "ctx", None)


class TraceContext:
    """What a trace reads from outside and what it changes there.

    Reads: leaves whose value comes from outside the trace (parameters,
    optimizer state, counters) are graph inputs, read afresh at each call.
    Changes: assigning a parameter's array, a gradient, an optimizer state
    array or a counter records an *effect*: the new value is an extra output
    that `kusari.jit` writes back after every run. When the trace ends, every
    object it touched gets its state from before the trace back.
    """

    def __init__(self):
        self.readers: dict = {}        # leaf Node -> () -> current array
        self.remembered: dict = {}     # id(var) -> (var, array, node, grad, grad_var)
        self.effects: list = []        # (kind, target, key, Variable | None)
        self.current: dict = {}        # (id(holder), key) -> traced Variable
        self.detached: dict = {}       # id(var) -> leaf Node standing for it
        self.keep: list = []           # objects the readers need alive
        self.guards: list = []         # kusari.guards.Guard: checked before each call
        self.draws: list = []          # leaf Nodes of random draws, in the order made
        self.arguments: dict = {}      # id(traced argument Variable) -> its position
        self.assigned: dict = {}       # id(Node of a new parameter value) -> the Variable

    def __enter__(self):
        global TRACING
        # one thread traces at a time: while it does, the Variables it touches
        # hold traced placeholders, which other threads wait out (wait_for_traces)
        _trace_lock.acquire()
        self._outer = active()
        _local.ctx = self
        TRACING += 1
        return self

    def __exit__(self, *exc):
        global TRACING
        _local.ctx = self._outer
        TRACING -= 1
        _trace_lock.release()
        return False

    # -- reads ------------------------------------------------------------------
    def leaf(self, array_reader, shape, dtype, source=None):
        """A traced Variable for a value read from outside at each call
        (`source` names what it reads, so two reads of one thing are one input)."""
        from .tape import Node
        from .variable import Variable
        v = Variable(Traced(shape, dtype, origin="captured"), requires_grad=False)
        node = Node(None, (), (), None, None, weakref.ref(v), tuple(shape), np.dtype(dtype),
                    False)
        v._node = v._array.node = node
        self.readers[node] = Reader(array_reader, source=source)
        self.keep.append(v)
        return v

    def detached_leaf(self, var):
        """A leaf node for a concrete Variable whose history is outside the trace."""
        from .tape import Node
        node = self.detached.get(id(var))
        if node is None:
            node = Node(None, (), (), None, None, weakref.ref(var), var.shape, var.dtype,
                        False)
            self.detached[id(var)] = node
            self.readers[node] = Reader(lambda var=var: var.array, var, ("array", id(var)))
            self.keep.append(var)
        return node

    def value(self, var):
        """`var`'s current value as a traced Variable (its new value if the
        trace assigned one)."""
        if isinstance(var.array, Traced):
            return var
        return self.leaf(lambda var=var: var.array, var.shape, var.dtype, ("array", id(var)))

    def array(self, holder: dict, key):
        """`holder[key]` (an optimizer state array) as a traced Variable."""
        v = self.current.get((id(holder), key))
        if v is None:
            arr = holder[key]
            v = self.leaf(lambda h=holder, k=key: h[k], arr.shape, arr.dtype,
                          ("state", id(holder), key))
            self.current[(id(holder), key)] = v
            self.keep.append(holder)
        return v

    def scalar(self, obj, attr: str, dtype=np.float64):
        """A Python number attribute (a step counter) as a traced 0-d Variable."""
        v = self.current.get((id(obj), attr))
        if v is None:
            v = self.leaf(lambda o=obj, a=attr: np.asarray(getattr(o, a), dtype), (), dtype)
            self.current[(id(obj), attr)] = v
            self.keep.append(obj)
        return v

    def random(self, draw, shape, dtype):
        """A traced Variable for random numbers `draw()` makes at every call;
        the draws of one call are made in the order the trace asked for them.
        (Its source, ("draw", k), is its own: no two draws are one input,
        in this trace or one around it.)"""
        v = self.leaf(draw, shape, dtype, ("draw", next(_DRAWS)))
        self.draws.append(v._node)
        return v

    def number(self, obj, attr: str, what: str):
        """A hyperparameter (`obj.attr`, a learning rate, a decay rate): a
        Python number is read at every call, as a 0-d float64 input that
        takes the dtype of the array it meets (as a Python number does);
        anything else (a bool such as `amsgrad`, None) is guarded."""
        from .guards import Guard, is_plain
        value = getattr(obj, attr)
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()        # a number held in a 0-d array: read as one
        if isinstance(value, (bool, np.bool_)) or not isinstance(
                value, (int, float, np.integer, np.floating)):
            if is_plain(value):
                self.guards.append(Guard(what, lambda: getattr(obj, attr), value))
            return value
        v = self.current.get((id(obj), attr))
        if v is None:
            v = self.leaf(lambda o=obj, a=attr: np.asarray(getattr(o, a), np.float64), (),
                          np.float64, ("attr", id(obj), attr))
            v.__dict__["_weak"] = True
            # `if hp.weight_decay_rate:` branches on the value: guard its truth
            v.__dict__["_truth"] = (self, what, lambda o=obj, a=attr: bool(getattr(o, a)))
            self.current[(id(obj), attr)] = v
            self.keep.append(obj)
        return v

    # -- changes ------------------------------------------------------------------
    def remember(self, var) -> None:
        """Note `var`'s state before the trace changes it (restored at the end)."""
        if id(var) not in self.remembered:
            self.remembered[id(var)] = (var, var._array, var._node, var._grad, var._grad_var)

    def assign(self, var, new, state: bool = False) -> None:
        """var.array := new after each run (in place); later reads see `new`.
        `state`: a recurrent link's state (LSTM.c), whose new value a backward
        in the same call may go through (a parameter's update it may not)."""
        self.remember(var)
        self.effects.append(("array", var, None, new))
        var._array, var._node = new._array, new._node
        if not state:
            self.assigned[id(new._node)] = (var, new._node)   # (the node kept: ids stay unique)

    def assign_array(self, holder: dict, key, new) -> None:
        self.current[(id(holder), key)] = new
        self.effects.append(("state", holder, key, new))

    def assign_scalar(self, obj, attr: str, new, kind=int) -> None:
        self.current[(id(obj), attr)] = new
        self.effects.append(("attr", obj, (attr, kind), new))

    def finish(self) -> list:
        """The effects (gradients included); every touched object restored."""
        from .variable import IMPLICIT_ONES, Variable
        effects = list(self.effects)
        for var, array, node, grad, grad_var in self.remembered.values():
            g = var._grad
            # a value born in the trace: only an argument's gradient can be read
            # outside (the Variable passed in gets it, as a backward() would give it)
            born_here = type(array) is Traced
            position = self.arguments.get(id(var)) if born_here else None
            if position is not None and g is not grad and g is not None:
                value = var._grad_var if var._grad_var is not None else Variable(g)
                effects.append(("arg_grad", position, None, value))
            if not born_here and (g is not grad or var._grad_var is not grad_var):
                if g is None:
                    value = None
                elif g is IMPLICIT_ONES:
                    value = Variable(np.ones(var.shape, var.dtype))
                else:
                    value = var._grad_var if var._grad_var is not None else Variable(g)
                effects.append(("grad", var, None, value))
            var._array, var._node, var._grad, var._grad_var = array, node, grad, grad_var
        last = {}
        for e in effects:   # only the last assignment to each target counts
            key = (e[0], id(e[1]), e[2][0] if e[0] == "attr" else e[2])
            last.pop(key, None)
            last[key] = e
        return list(last.values())


def note(var) -> None:
    """Called before a Variable's gradient changes: inside a trace, remember it."""
    if TRACING:
        ctx = active()
        if ctx is not None:
            ctx.remember(var)


class Reader:
    """How a captured input is read at each call: `read()` gives its current
    array; `variable` is the Variable it is (for gradients), if any; `source`
    what it reads (("array", id(var)) or ("state", id(holder), key)), so
    that reads of one thing become one graph input."""

    __slots__ = ("read", "variable", "source")

    def __init__(self, read, variable=None, source=None):
        self.read = read
        self.variable = variable
        self.source = source

    def __call__(self):
        return self.read()


# -- tracing a function into a Graph ---------------------------------------------

def trace_to_graph(fn, example_arrays, *, name=None, capture: str = "const",
                   requires_grad=None, external=frozenset(), weak=()):
    """Trace `fn` on placeholders shaped like `example_arrays`.

    Returns (graph, result, captured, effects, guards):
    - graph: inputs are the arguments, then (capture="input") the captured
      values; outputs are fn's flattened results, then the effects' values;
    - result: fn's return value (Variables), for its structure;
    - captured: one reader per captured input, giving its current array;
    - effects: what fn changed outside itself, in graph-output order after
      the results (see TraceContext);
    - guards: what the trace depended on that is not an input (a branch on
      a hyperparameter, a flag), kusari.guards.Guard each.
    With capture="const", captured values are baked in as constants instead,
    and effects are ignored.
    """
    from .compiler.ir import Graph
    from .tape import consumers, to_graph, walk
    from .variable import Variable

    with TraceContext() as ctx:
        args = []
        for i, a in enumerate(example_arrays):
            rg = True if requires_grad is None else requires_grad[i]
            dtype = a.dtype if hasattr(a, "dtype") else np.asarray(a).dtype
            args.append(Variable(Traced(np.shape(a), dtype, origin=f"argument {i}"),
                                 requires_grad=rg))
            args[-1]._array.node = args[-1]._node
            if i in weak:                 # a scalar argument: weakly typed
                args[-1].__dict__["_weak"] = True
        ctx.arguments = {id(v): k for k, v in enumerate(args)}
        try:
            result = fn(*args)
        finally:
            effects = ctx.finish()
    outs = flatten(result)
    g = Graph(name or getattr(fn, "__name__", "f").replace("<lambda>", "lambda"))
    gid: dict = {}
    for i, v in enumerate(args):
        gid[v.node] = g.add_input(v.shape, v.dtype, name=f"arg{i}")
    if capture != "input":
        effects = []
    values = []
    for k, o in enumerate(outs):
        if isinstance(o, Variable):
            values.append(o)
        elif (isinstance(o, np.ndarray) and o.dtype.kind in "biuf") or \
                isinstance(o, (bool, int, float, np.bool_, np.integer, np.floating)):
            values.append(np.asarray(o))
        else:
            raise TypeError(f"output {k} of {g.name} is a {type(o).__name__}; a traced "
                            "function must return Variables or arrays (or tuples, lists "
                            "and dicts of them)")
    values += [e[3] for e in effects if e[3] is not None]
    # a concrete result from outside (a parameter returned as it is) is read at
    # every call like any captured value (capture="input"); otherwise a constant
    values = [np.asarray(v.array) if isinstance(v, Variable) and capture != "input" and
              not isinstance(v.array, Traced) else v for v in values]
    roots = [v.node for v in values if isinstance(v, Variable)]
    order, entries, index = walk(roots)
    users = consumers(order, entries)
    captured = []
    by_source: dict = {}        # what a reader reads -> (captured position, input)

    def leaf(i, n):
        if n in gid:
            return gid[n]
        reader = ctx.readers.get(n) or _variable_reader(n, order, users, i)
        if capture == "const" or (reader.variable is None and n not in ctx.readers
                                   and id(reader()) not in external):
            # nothing outside the trace holds it (a temporary made while
            # tracing): it cannot change between calls, so it is a constant.
            # An array the function reads from outside (`external`: from its
            # closure or globals) is an input, so changing it in place is seen.
            array = reader()
            return g.add_const(np.asarray(array), array.dtype)
        seen = by_source.get(reader.source) if reader.source is not None else None
        if seen is not None:        # read before (a parameter the optimizer reads too)
            k, input_id = seen
            if captured[k].variable is None:
                captured[k] = reader        # keep the one that can take gradients
            return input_id
        captured.append(reader)
        input_id = g.add_input(n.shape, n.dtype, name=f"captured{len(captured) - 1}")
        if reader.source is not None:
            by_source[reader.source] = (len(captured) - 1, input_id)
        return input_id

    if capture == "input":
        for n in ctx.draws:     # first, in the order made: drawn in that order, used or not
            gid[n] = leaf(None, n)
    ids = to_graph(g, order, entries, leaf,
                   constant=lambda c: g.add_const(c.value.item(), c.dtype))
    g.outputs = [ids[index[v.node]] if isinstance(v, Variable) else g.add_const(v, v.dtype)
                 for v in values]
    return g, result, captured, effects, ctx.guards


def _variable_reader(n, order, users, i):
    """A reader for a captured leaf: its Variable's array, or (if the Variable
    is gone) the array a consumer kept."""
    v = n.var()
    if v is not None and not isinstance(v.array, Traced) and v.array is not None:
        return Reader(lambda v=v: v.array, v, ("array", id(v)))
    for j, p in users.get(i, ()):
        saved = order[j].saved
        if saved is not None and saved[p] is not None and not isinstance(saved[p], Traced):
            return Reader(lambda a=saved[p]: a)
    raise TypeError("a traced function uses a traced value from another trace")


def trace(fn, example_arrays, *, name=None):
    """The Graph of `fn` on arrays shaped like `example_arrays` (see compiler.trace)."""
    from .compiler.passes import dce
    g, _, _, _, _ = trace_to_graph(fn, example_arrays, name=name, capture="const")
    return dce(g)


def flatten(tree) -> list:
    """The leaves of nested tuples, lists and dicts (dicts in key order)."""
    if isinstance(tree, (tuple, list)):
        return [leaf for t in tree for leaf in flatten(t)]
    if isinstance(tree, dict):
        return [leaf for k in sorted(tree) for leaf in flatten(tree[k])]
    return [tree]


def unflatten(tree, leaves):
    """Rebuild `tree`'s structure with `leaves` (an iterator) in its places."""
    if isinstance(tree, (tuple, list)):
        return type(tree)(unflatten(t, leaves) for t in tree)
    if isinstance(tree, dict):
        return {k: unflatten(tree[k], leaves) for k in sorted(tree)}
    return next(leaves)
