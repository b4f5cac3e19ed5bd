"""Guards: what a traced function read that is neither an argument nor an input.

`kusari.jit` reads parameters, persistent values, captured arrays, optimizer
state and hyperparameters afresh at every call (they are inputs of the
compiled code). Everything else the trace depended on is *guarded*: checked
before each call, and a change makes the next call trace again, with
`explain_cache()` naming what changed. Guarded are:

- the configuration flags (`config.train`, `config.enable_backprop`, ...),
  part of every call's key;
- the model and optimizer structure: a parameter or child link added,
  removed or rebound, an optimizer hook added or removed, an optimizer set
  up again. These bump one process-wide version (`changed`), so the check
  per call is one comparison;
- Python values the function's code reads from its closure and its module
  globals, and the plain attributes of links it reads from there or from
  `self`: numbers (by type and value, so 2, 2.0, True, np.float32(2) and a
  NaN are told apart), strings, tuples, and the items of dicts and lists of
  them; other objects (arrays, Variables, links, functions) by identity;
- values the trace made control flow on: a hyperparameter tested for truth
  (`if hp.weight_decay_rate:`), a flag such as `amsgrad`.

Functions the jitted function calls are traced through, but the globals they
read are not guarded (only the jitted function's own code is inspected).
"""
from __future__ import annotations

import math
import types

import numpy as np

from .configuration import state

# -- the structure version ----------------------------------------------------------

_version = [0, "nothing"]


def changed(what: str) -> None:
    """Note a structural change (a link's parameters or children, optimizer
    hooks): every traced function checks the version before running."""
    _version[0] += 1
    _version[1] = what


def version() -> int:
    return _version[0]


def last_change() -> str:
    return _version[1]


# -- the configuration --------------------------------------------------------------

CONFIG_FLAGS = ("train", "enable_backprop", "type_check", "debug", "dtype",
                "lazy_grad_sum", "keep_graph_on_report", "in_recomputing")


def config_key() -> tuple:
    s = state
    return (s.train, s.enable_backprop, s.type_check, s.debug, s.dtype,
            s.lazy_grad_sum, s.keep_graph_on_report, s.in_recomputing)


def config_signature() -> tuple:
    """The configuration as (label, value) pairs, for explain_cache()."""
    return tuple((f"config.{k}", repr(v)) for k, v in zip(CONFIG_FLAGS, config_key()))


# -- values -------------------------------------------------------------------------

_PLAIN = (type(None), bool, int, float, complex, str, bytes, np.generic)
MISSING = object()


class Plain:
    """A value compared by type and value: 2 != 2.0 != True, -0.0 != 0.0,
    NaN == NaN, np.float32(2) != np.float64(2)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return same(self.value, other.value if isinstance(other, Plain) else other)

    def __hash__(self):
        v = self.value
        return hash((type(v), "nan" if _is_nan(v) else v))

    def __repr__(self):
        return repr(self.value)


def _is_nan(v) -> bool:
    try:
        return isinstance(v, (float, np.floating, complex, np.complexfloating)) and v != v
    except TypeError:
        return False


def same(a, b) -> bool:
    """Whether two plain values are the same value of the same type."""
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if _is_nan(a):
        return _is_nan(b)
    if isinstance(a, (float, np.floating)) and a == 0:
        return b == 0 and math.copysign(1.0, a) == math.copysign(1.0, b)
    return bool(a == b)


def is_plain(value) -> bool:
    if isinstance(value, _PLAIN):
        return True
    return type(value) is tuple and all(is_plain(v) for v in value)


class Guard:
    """`read()` must give `expected` (by `same`, or by identity)."""

    __slots__ = ("what", "read", "expected", "identity")

    def __init__(self, what: str, read, expected, identity: bool = False):
        self.what = what
        self.read = read
        self.expected = expected
        self.identity = identity

    def failed(self) -> str | None:
        """Why the guard no longer holds, or None."""
        try:
            now = self.read()
        except Exception:           # a name deleted, a key gone
            now = MISSING
        if self.identity:
            if now is self.expected:
                return None
            return f"{self.what} is another object"
        if same(now, self.expected):
            return None
        shown = "gone" if now is MISSING else repr(now)
        return f"{self.what} changed ({self.expected!r} -> {shown})"


def _describe_read(container, key):
    def read():
        return container[key]
    return read


def _add_value_guards(out: list, what: str, read, value, depth: int = 0) -> None:
    """Guards for one value the function reads."""
    from .link import Link
    if isinstance(value, np.ndarray):
        out.append(Guard(what, read, value, identity=True))
        out.append(External(value))
    elif is_plain(value):
        out.append(Guard(what, read, value))
    elif isinstance(value, (types.ModuleType, type)):
        return                              # modules and classes are not rebound
    elif type(value) is dict and depth == 0:
        out.append(Guard(what, read, value, identity=True))
        for k, v in list(value.items()):
            if is_plain(k):
                _add_value_guards(out, f"{what}[{k!r}]",
                                  lambda read=read, k=k: read()[k], v, 1)
    elif type(value) is list and depth == 0:
        out.append(Guard(what, read, value, identity=True))
        out.append(Guard(f"len({what})", lambda read=read: len(read()), len(value)))
        for i, v in enumerate(value):
            _add_value_guards(out, f"{what}[{i}]", lambda read=read, i=i: read()[i], v, 1)
    else:
        out.append(Guard(what, read, value, identity=True))
        if isinstance(value, Link) and depth == 0:
            link_guards(out, what, value)


class External:
    """Not a guard: an array the function reads from outside (its closure,
    globals, a link's attribute), which the trace makes an input."""

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array


def link_guards(out: list, what: str, link) -> None:
    """For a link and every link below it: the plain attributes (guarded;
    persistent values are not: they are read at every call) and the array
    attributes, persistent values included (inputs)."""
    for path, sub in link.namedlinks():
        where = what + path.replace("/", ".") if path != "/" else what
        persistent = set(getattr(sub, "_persistent", ()))
        for k, v in list(vars(sub).items()):
            if k.startswith("_") or k == "name":
                continue
            read = (lambda sub=sub, k=k: vars(sub)[k])
            if isinstance(v, np.ndarray):       # read at every call; rebinding retraces
                out.append(External(v))
                out.append(Guard(f"{where}.{k}", read, v, identity=True))
            elif k not in persistent and is_plain(v):
                out.append(Guard(f"{where}.{k}", read, v))


def _global_names(code) -> set:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _global_names(c)
    return names


def source_guards(fn, static_args=()) -> tuple[list, dict]:
    """Guards for what `fn`'s own code reads from its closure, its module's
    globals and (for a method) `self`, and for links among `static_args`;
    and the arrays found there (id -> array), which are inputs."""
    out: list = []
    func = getattr(fn, "__func__", fn)
    code = getattr(func, "__code__", None)
    if code is not None:
        for name, cell in zip(code.co_freevars, func.__closure__ or ()):
            try:
                value = cell.cell_contents
            except ValueError:          # not bound yet
                continue
            _add_value_guards(out, name, lambda cell=cell: cell.cell_contents, value)
        g = func.__globals__
        for name in sorted(_global_names(code)):
            if name in g:
                _add_value_guards(out, name, _describe_read(g, name), g[name])
    owner = getattr(fn, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        from .link import Link
        if isinstance(owner, Link):
            link_guards(out, "self", owner)
    from .link import Link
    names = code.co_varnames[:code.co_argcount] if code is not None else ()
    for i, a in static_args:
        if isinstance(a, Link):
            link_guards(out, names[i] if i < len(names) else f"argument {i}", a)
    arrays = {id(e.array): e.array for e in out if type(e) is External}
    return [e for e in out if type(e) is Guard], arrays
