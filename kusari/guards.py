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

from .configuration import state, user_flags

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
                "lazy_grad_sum", "keep_graph_on_report", "in_recomputing", "use_cudnn",
                "cudnn_deterministic", "autotune", "use_ideep", "use_static_graph")


def _hashable(v):
    try:
        hash(v)
        return v
    except TypeError:
        return ("unhashable", id(v))


def config_key() -> tuple:
    s = state
    key = (s.train, s.enable_backprop, s.type_check, s.debug, s.dtype, s.lazy_grad_sum,
           s.keep_graph_on_report, s.in_recomputing, s.use_cudnn, s.cudnn_deterministic,
           s.autotune, s.use_ideep, s.use_static_graph)
    if user_flags:     # flags users added (chainer.config.user_flag = ...)
        key += tuple(_hashable(getattr(s, n, None)) for n in user_flags)
    return key


def config_signature() -> tuple:
    """The configuration as (label, value) pairs, for explain_cache()."""
    names = CONFIG_FLAGS + tuple(user_flags)
    return tuple((f"config.{k}", repr(getattr(state, k, None))) for k in names)


# -- values -------------------------------------------------------------------------

_PLAIN = (type(None), bool, int, float, complex, str, bytes, np.generic)
MISSING = object()


def _is_nan(v) -> bool:
    try:
        return isinstance(v, (float, np.floating, complex, np.complexfloating)) and v != v
    except TypeError:
        return False


def same(a, b) -> bool:
    """Whether two plain values are the same value of the same type:
    2 != 2.0 != True, -0.0 != 0.0, NaN == NaN, np.float32(2) != np.float64(2)."""
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


MAX_DEPTH = 3           # how deep the walk goes into containers and attributes
MAX_ITEMS = 64          # items of one container it looks at


def _skip(value) -> bool:
    """Values never rebound in practice, or read-only code: not guarded."""
    return isinstance(value, (types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
                              types.MethodType, type, np.ufunc, classmethod, staticmethod,
                              property))


def _attribute(read, name):
    return lambda: getattr(read(), name)


def _add_value_guards(out: list, what: str, read, value, names=frozenset(),
                      depth: int = 0) -> None:
    """Guards for one value the function reads, and for what it reads inside
    it: the items of dicts, lists and tuples, and the attributes the code
    names (`args.scale`, `Cfg.scale`, `other_module.SCALE`), a few levels
    deep."""
    from .link import Link
    if depth > MAX_DEPTH:
        return
    if isinstance(value, np.ndarray):
        out.append(Guard(what, read, value, identity=True))
        out.append(External(value))
        return
    if is_plain(value):
        out.append(Guard(what, read, value))
        return
    if isinstance(value, (types.ModuleType, type)):
        # not rebound: but the attributes the code reads from it may change
        for n in sorted(names):
            try:
                v = inspect_attr(value, n)
            except AttributeError:
                continue
            if not _skip(v):
                _add_value_guards(out, f"{what}.{n}", _attribute(read, n), v, names, depth + 1)
        return
    if _skip(value):
        out.append(Guard(what, read, value, identity=True))
        return
    out.append(Guard(what, read, value, identity=True))
    if type(value) is dict:
        keys = tuple(value)
        if is_plain(keys):
            out.append(Guard(f"the keys of {what}", lambda read=read: tuple(read()), keys))
        for k, v in list(value.items())[:MAX_ITEMS]:
            if is_plain(k):
                _add_value_guards(out, f"{what}[{k!r}]", lambda read=read, k=k: read()[k], v,
                                  names, depth + 1)
    elif type(value) in (list, tuple):
        out.append(Guard(f"len({what})", lambda read=read: len(read()), len(value)))
        for i, v in enumerate(value[:MAX_ITEMS]):
            _add_value_guards(out, f"{what}[{i}]", lambda read=read, i=i: read()[i], v,
                              names, depth + 1)
    elif isinstance(value, Link):
        link_guards(out, what, value, names, depth)
        _object_guards(out, what, read, value, names, depth)      # class attributes
    else:
        _object_guards(out, what, read, value, names, depth)


def inspect_attr(obj, name):
    """`obj.name` without running properties (a class or module attribute)."""
    d = getattr(obj, "__dict__", None)
    if d is not None and name in d:
        v = d[name]
    else:
        v = getattr(obj, name)
    if isinstance(v, (property, types.MemberDescriptorType, types.GetSetDescriptorType)):
        raise AttributeError(name)
    return v


def _object_guards(out: list, what: str, read, obj, names, depth: int) -> None:
    """The attributes the code names of a plain object (its own, or its
    class's): `args.scale`, `self.s`."""
    for n in sorted(names):
        if n.startswith("__"):
            continue
        own = getattr(obj, "__dict__", {})
        if n in own:
            v = own[n]
        else:
            try:
                inspect_attr(type(obj), n)     # a class attribute, not a property
                v = getattr(obj, n)            # (through its descriptor: opt.lr)
            except Exception:                  # noqa: BLE001 - not readable: not guarded
                continue
        if not _skip(v):
            _add_value_guards(out, f"{what}.{n}", _attribute(read, n), v, names, depth + 1)


class External:
    """Not a guard: an array the function reads from outside (its closure,
    globals, a link's attribute), which the trace makes an input."""

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array


def link_guards(out: list, what: str, link, names=frozenset(), depth: int = 0) -> None:
    """For a link and every link below it: the plain attributes (guarded;
    persistent values are not: they are read at every call), the array
    attributes, persistent values included (inputs), and what is inside
    their dict and list attributes."""
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
            elif is_plain(v):
                if k not in persistent:
                    out.append(Guard(f"{where}.{k}", read, v))
            elif type(v) in (dict, list, tuple):
                _add_value_guards(out, f"{where}.{k}", read, v, names, depth + 1)
            elif _is_state_variable(v):         # a recurrent link's state (LSTM.c):
                out.append(Guard(f"{where}.{k}", read, v, identity=True))  # rebinding retraces


def _is_state_variable(v) -> bool:
    """A Variable held by a link that is not one of its parameters (parameters
    are registered: rebinding one is a structural change already)."""
    from .variable import Parameter, Variable
    return isinstance(v, Variable) and not isinstance(v, Parameter)


def _global_names(code) -> set:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _global_names(c)
    return names


def source_guards(fn, static_args=()) -> tuple[list, dict]:
    """Guards for what `fn`'s own code reads from its closure, its module's
    globals, its default arguments and (for a method) `self`, and for links
    among `static_args`; and the arrays found there (id -> array), which are
    inputs."""
    out: list = []
    func = getattr(fn, "__func__", fn)
    code = getattr(func, "__code__", None)
    names = _global_names(code) if code is not None else frozenset()
    if code is not None:
        for name, cell in zip(code.co_freevars, func.__closure__ or ()):
            try:
                value = cell.cell_contents
            except ValueError:          # not bound yet
                continue
            _add_value_guards(out, name, lambda cell=cell: cell.cell_contents, value, names)
        g = func.__globals__
        for name in sorted(names):
            if name in g:
                _add_value_guards(out, name, _describe_read(g, name), g[name], names)
        if func.__defaults__:
            _add_value_guards(out, "the default arguments", lambda: func.__defaults__,
                              func.__defaults__, names)
    owner = getattr(fn, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        _add_value_guards(out, "self", lambda: owner, owner, names)
    from .link import Link
    params = code.co_varnames[:code.co_argcount] if code is not None else ()
    for i, a in static_args:
        label = params[i] if i < len(params) else f"argument {i}"
        if isinstance(a, Link):
            link_guards(out, label, a, names)
            _object_guards(out, label, lambda a=a: a, a, names, 0)   # class attributes
        elif not is_plain(a) and not _skip(a):
            _object_guards(out, label, lambda a=a: a, a, names, 0)
    arrays = {id(e.array): e.array for e in out if type(e) is External}
    return [e for e in out if type(e) is Guard], arrays
