"""`static_graph`: a Chain's forward as a static graph (Chainer's
`chainer.graph_optimizations.static_graph`), built on kusari.jit.

    class MLP(chainer.Chain):
        @static_graph
        def __call__(self, x):
            return self.l2(F.relu(self.l1(x)))

For each schedule (as Chainer keys them: train or test mode, the shapes and
dtypes of the array arguments; in kusari also the other arguments' values),
the first call runs the define-by-run code as it is and records what the
`@static_code` functions it calls return; the calls after it run the method
through kusari.jit: traced once per signature (gradient flags and the rest of
`chainer.config` included), compiled and fused, then replayed. Arrays among the
arguments (also in nested lists and tuples) are made Variables, as Chainer
does, and the results are Variables whose gradients reach the arguments and
the chain's parameters through backward(), as eager code's do. Parameters and
persistent values (BatchNormalization's running statistics) are read at every
call and what the method changes in them is written back.

The decorator's arguments, as in Chainer 7.8.1:
- force_test_define_by_run (False): with `chainer.config.train` False, run the
  define-by-run code at every call.
- minimize_cache_size (False): forget the compiled signatures whenever
  `chainer.config.train` changes.
- verbosity_level (0): 1 prints a line when a signature runs define-by-run or
  is compiled; 2 also a line at every call.
- enable_double_backprop (False): accepted. kusari's compiled calls always
  differentiate again (their gradient is compiled IR), so a gradient of a
  gradient through a static chain is there either way.
With `chainer.config.use_static_graph` False, the method runs as written and
nothing is attached to the chain.

While the define-by-run code runs or is traced, `chainer.config.schedule_func`
is the chain's StaticScheduleFunction (None elsewhere), as in Chainer.

The chain gets Chainer's attributes: `chain.schedule_manager` (a
ScheduleManager: the schedules per signature, `end_forward()`) and
`chain.static_schedule` (the StaticScheduleFunction of the last call's
signature, whose `lower()` shows the traced graph and the generated code).

Differences from Chainer, deliberate: a static chain called inside another
static chain's forward is part of the outer one's graph (Chainer refuses to
nest them); a schedule may be used any number of times within an iteration
(compiled calls are reentrant; `end_forward()` is accepted and has nothing to
reset); a method whose Python code reads a value that has since changed (a
plain attribute of the chain, a flag) is traced again rather than replayed
stale.
"""
from __future__ import annotations

import functools
import re
import warnings
import weakref

import numpy as np

from .. import guards
from ..configuration import state
from ..jit import Jitted
from ..link import Link
from ..variable import Variable
from .static_graph_utilities import _Record, _Replay, current_scope

_OPTIONS = ("force_test_define_by_run", "minimize_cache_size", "verbosity_level",
            "enable_double_backprop")


class StaticScheduleFunction:
    """The schedule of a static chain for one kind of call (Chainer's class
    of this name, kusari's form): the mode ("train" when config.train and
    enable_backprop, else "test"), the array arguments' shapes and dtypes, the
    other arguments' values. Its first call runs the define-by-run code and
    records what the static_code functions return (`is_empty()` until then);
    the next ones run the method through kusari.jit (compiled per gradient
    flag and configuration)."""

    def __init__(self, schedule_manager, verbosity_level=0, enable_double_backprop=False,
                 key_str=""):
        self.schedule_manager = schedule_manager
        self.verbosity_level = verbosity_level
        self.enable_double_backprop = enable_double_backprop
        self.key_str = key_str
        self.records = None           # the static_code calls of the first call
        self.calls = 0                # calls of the chain with this schedule

    # a copied or pickled chain starts with no schedules (they hold compiled
    # code and references to this chain): its next calls make its own
    def __getstate__(self):
        return {"schedule_manager": self.schedule_manager,
                "verbosity_level": self.verbosity_level,
                "enable_double_backprop": self.enable_double_backprop,
                "key_str": self.key_str}

    def __setstate__(self, state_):
        self.__init__(**state_)

    def __deepcopy__(self, memo):
        import copy
        return StaticScheduleFunction(copy.deepcopy(self.schedule_manager, memo),
                                      self.verbosity_level, self.enable_double_backprop,
                                      self.key_str)

    def is_empty(self) -> bool:
        """Whether no call has recorded this schedule yet."""
        return self.records is None

    def lower(self, *args):
        """The compiled form of a call with these arguments (kusari.jit's
        Lowered: `.text`, `.optimized`, `.source`); args as the chain takes
        them, the chain itself excepted."""
        manager = self.schedule_manager
        if manager._jitted is None:
            raise RuntimeError("this static chain has not been called yet")
        tree_id, flat = manager._flatten(args)
        return manager._jitted.lower(manager._chain_ref(), tree_id, *flat)

    def __repr__(self):
        state_ = "empty" if self.is_empty() else \
            f"{len(self.records)} static_code call(s), {self.calls} call(s)"
        return f"<kusari StaticScheduleFunction {self.key_str}: {state_}>"


class ScheduleManager:
    """The schedules of one static chain (Chainer's class of this name)."""

    def __init__(self, minimize_cache_size=True, verbosity_level=0):
        self.schedules: dict = {}       # key string -> [StaticScheduleFunction]
        self.minimize_cache_size = minimize_cache_size
        self.verbosity_level = verbosity_level
        self.prev_train_config = None
        self.forward_over = False
        self._jitted = None             # kusari.jit of the chain's method
        self._written: set = set()      # attributes static_code changes (see _unguard)
        self._chain_ref = None
        self._by_signature: dict = {}   # signature -> StaticScheduleFunction
        self._trees: list = []          # nested argument structures, by number
        self._tree_ids: dict = {}

    def get_schedule(self, in_vars, enable_double_backprop=False):
        """The schedule for a call on `in_vars` (Variables, or the flattened
        arguments) under the current configuration (made empty if there is
        none yet)."""
        return self._schedule(0, tuple(in_vars), enable_double_backprop)

    def _schedule(self, tree_id, flat, enable_double_backprop):
        self.forward_over = False
        if self.minimize_cache_size and state.train != self.prev_train_config:
            self.prev_train_config = state.train
            if self.schedules and self.verbosity_level >= 2:
                print("Clearing schedule cache...")
            self.schedules.clear()
            self._by_signature.clear()
            if self._jitted is not None:
                self._jitted._entries.clear()
        mode = "train" if state.train and state.enable_backprop else "test"
        signature = (mode, tree_id) + tuple(
            (x.shape, x.dtype) if isinstance(x, Variable) else _Plain(x) for x in flat)
        try:
            sched = self._by_signature.get(signature)
        except TypeError:
            raise TypeError(f"an argument of a static chain is a "
                            f"{next(type(x).__name__ for x in flat if _unhashable(x))}: "
                            "pass arrays, Variables, lists and tuples of them, or "
                            "hashable values") from None
        if sched is None:
            key_str = mode + ":" + "".join(f"{x.shape}{x.dtype}" for x in flat
                                           if isinstance(x, Variable))
            sched = self._by_signature[signature] = StaticScheduleFunction(
                self, self.verbosity_level, enable_double_backprop, key_str)
            self.schedules.setdefault(key_str, []).append(sched)
        return sched

    def _flatten(self, args):
        """(structure number, leaves: arrays made Variables): flat arguments
        are their count; nested lists and tuples are numbered as first met."""
        for a in args:
            if type(a) in (list, tuple):
                break
        else:
            return len(args), [_as_variable(a) for a in args]
        flat, tree = _flatten(args)
        tree_id = self._tree_ids.get(tree)
        if tree_id is None:
            self._trees.append(tree)
            tree_id = self._tree_ids[tree] = -len(self._trees)
        return tree_id, [_as_variable(a) for a in flat]

    def _unflatten(self, tree_id, leaves):
        if tree_id >= 0:
            return leaves
        return _unflatten(self._trees[-tree_id - 1], iter(leaves))

    # a copied or pickled chain starts with no schedules (they hold compiled
    # code and references to this chain): its next calls make its own
    def __getstate__(self):
        return {"minimize_cache_size": self.minimize_cache_size,
                "verbosity_level": self.verbosity_level}

    def __setstate__(self, options):
        self.__init__(**options)

    def __deepcopy__(self, memo):
        return ScheduleManager(self.minimize_cache_size, self.verbosity_level)

    def end_forward(self):
        """Chainer's signal that an iteration's forward passes are over. A
        compiled schedule may run any number of times in one iteration, so
        there is nothing to release."""
        self.forward_over = True

    def __repr__(self):
        lines = ["ScheduleManager:"]
        for key_str, scheds in self.schedules.items():
            lines.append(f"key string: {key_str} -> schedule list of length: {len(scheds)}")
            lines.extend(f"  {s!r}" for s in scheds)
        return "\n".join(lines)


class _Plain:
    """A non-array argument in a schedule's signature: by type and value."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return type(other) is _Plain and guards.same(self.value, other.value)

    def __hash__(self):
        return hash((type(self.value), self.value))


def _unhashable(x) -> bool:
    try:
        hash(x)
        return False
    except TypeError:
        return True


def static_graph(*args, **kwargs):
    """Mark a Chain's `__call__` (or forward, or another method) as a static
    graph (see the module docstring). Use as `@static_graph` or
    `@static_graph(verbosity_level=1, ...)`."""
    if len(args) == 1 and not kwargs and callable(args[0]):
        return _wrap(args[0], {})
    if args:
        raise TypeError("static_graph takes the method, or only keyword arguments "
                        f"({', '.join(_OPTIONS)})")
    unknown = sorted(set(kwargs) - set(_OPTIONS))
    if unknown:
        # Chainer 7.8.1 ignores keywords it does not know; so does kusari, aloud
        warnings.warn(f"static_graph: {', '.join(unknown)} has no effect (Chainer 7.8.1's "
                      f"static_graph takes {', '.join(_OPTIONS)})", stacklevel=2)
    return lambda func: _wrap(func, kwargs)


def _wrap(func, options):
    force_test_define_by_run = bool(options.get("force_test_define_by_run", False))
    minimize_cache_size = bool(options.get("minimize_cache_size", False))
    verbosity_level = options.get("verbosity_level", 0)
    enable_double_backprop = bool(options.get("enable_double_backprop", False))
    name = getattr(func, "__qualname__", getattr(func, "__name__", "forward"))
    code = getattr(func, "__code__", None)
    self_name = code.co_varnames[0] if code is not None and code.co_argcount else "self"

    @functools.wraps(func)
    def wrapped(chain, *args, **kwargs):
        if not state.use_static_graph:
            return func(chain, *args, **kwargs)
        if state.train is False and force_test_define_by_run:
            return func(chain, *args, **kwargs)
        if current_scope() is not None:
            # inside another static chain's forward: part of that one's graph
            return func(chain, *args, **kwargs)
        if not isinstance(chain, Link):
            raise TypeError(f"static_graph {name}: the decorated method's first argument "
                            f"must be a Chain (it is a {type(chain).__name__}); decorate "
                            "a Chain's __call__ or forward")
        if verbosity_level >= 2:
            print("Calling static chain...")
        manager = chain.__dict__.get("schedule_manager")
        if not isinstance(manager, ScheduleManager) or (
                manager._chain_ref is not None and manager._chain_ref() is not chain):
            # (a chain's copy shares its attributes: it gets schedules of its own)
            manager = ScheduleManager(minimize_cache_size=minimize_cache_size,
                                      verbosity_level=verbosity_level)
            chain.schedule_manager = manager
        jitted = manager._jitted
        if jitted is None:
            jitted = manager._jitted = Jitted(_call_unflattened(func, manager),
                                              name=f"static_graph {name}")
            manager._chain_ref = weakref.ref(chain)
        tree_id, flat = manager._flatten(args)
        try:
            schedule = manager._schedule(tree_id, flat, enable_double_backprop)
        except TypeError as e:
            raise TypeError(f"static_graph {name}: {e}") from None
        if chain.__dict__.get("static_schedule") is not schedule:
            chain.static_schedule = schedule
        schedule.calls += 1
        outer = state.schedule_func
        state.schedule_func = schedule
        try:
            if schedule.records is None:
                # the first call: define-by-run, what static_code returns recorded
                if verbosity_level >= 1:
                    print(f"static_graph {name}: first call for {schedule.key_str}: "
                          "running the define-by-run code")
                record = _Record(chain)
                with record:
                    out = func(chain, *manager._unflatten(tree_id, flat), **kwargs)
                schedule.records = record.calls
                if not record.written <= manager._written:     # (a new set: see below)
                    manager._written = manager._written | record.written
                return out
            n_compiled = len(jitted._entries)
            with _Replay(schedule.records, name):
                out = jitted(chain, tree_id, *flat, **kwargs)
        finally:
            state.schedule_func = outer
        entry = jitted._last
        if getattr(entry, "_static_graph_written", None) is not manager._written:
            entry.checks = _unguard(entry.checks, self_name, manager._written)
            entry._static_graph_written = manager._written
        if verbosity_level >= 1 and len(jitted._entries) != n_compiled:
            print(f"static_graph {name}: compiled the schedule for {schedule.key_str}")
        return out

    wrapped._static_graph_options = dict(options)
    return wrapped


def _call_unflattened(func, manager):
    def static_forward(chain, tree_id, *leaves, **kwargs):
        return func(chain, *manager._unflatten(tree_id, leaves), **kwargs)
    static_forward._guard_source = func     # kusari.jit guards what func reads
    return static_forward


def _unguard(checks, self_name: str, written: set) -> tuple:
    """The guards of a compiled schedule without those on the chain's
    attributes that its static_code functions change at every call (a
    counter, a log): per-call state, which the schedule does not depend on
    (Chainer's static schedule never reads them again either)."""
    if not written:
        return checks
    roots = [f"{self_name}.{path}" for path in written]
    pattern = re.compile(r"(^|\(|of )(" + "|".join(re.escape(r) for r in roots) +
                         r")($|[\[.)])")
    return tuple(c for c in checks if not pattern.search(c.what))


def _is_array(x) -> bool:
    return isinstance(x, np.ndarray) or type(x).__module__.split(".")[0] == "cupy"


def _as_variable(x):
    """An array argument as a Variable (as Chainer's static_graph makes one)."""
    return Variable(x) if _is_array(x) else x


def _flatten(args):
    """The leaves of nested lists and tuples, and their structure (a hashable
    description: 'x' a leaf, ('list'|'tuple', children) a sequence)."""
    leaves: list = []

    def walk(v):
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, tuple(walk(x) for x in v))
        leaves.append(v)
        return "x"
    tree = walk(tuple(args))
    return leaves, tree


def _unflatten(tree, leaves):
    if tree == "x":
        return next(leaves)
    kind, children = tree
    items = [_unflatten(t, leaves) for t in children]
    return list(items) if kind == "list" else tuple(items)


__all__ = ["ScheduleManager", "StaticScheduleFunction", "static_graph"]
