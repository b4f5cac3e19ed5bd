"""kusari.jit: trace a Python function once per signature, compile, cache.

    @kusari.jit
    def f(a, b):
        return F.sin(a) * F.exp(-b) + a * b ** 2 - F.tanh(a * b)

- Called with NumPy arrays, it returns NumPy arrays.
- Called with Variables, it returns Variables that take part in backward():
  the function is one `call` node whose gradient is its compiled VJP graph,
  itself differentiable.
- Inside the function the whole Python API works on traced values:
  kusari.functions, links (their parameters become inputs, read at each call),
  kusari.grad and backward(), optimizers: a whole training step (forward,
  gradients, update) compiles into one executable. What the function changes
  outside itself (parameters, gradients, optimizer state, step counters) is
  written back after every call, and what it reports (`kusari.report`) is
  written into the reporter current at every call, as eager code would.
- Called with CuPy arrays (or Variables holding them, a model sent with
  `to_device('@cupy:0')`), it compiles for the CuPy backend and runs there,
  on the arrays' device; arguments and the parameters and state it reads
  must be on one device (else an error naming both). Random draws inside
  it are made on the host, as on the CPU, and sent to the device.
- Python scalars and keyword arguments are static: part of the signature,
  baked into the compiled code. Python control flow on traced values raises
  a clear error.

A new signature (argument shapes, dtypes, static values, captured parameter
shapes) compiles again; `kusari.compiler.explain_cache()` says why.
"""
from __future__ import annotations

import functools
import types

import numpy as np

from . import guards, tracing
from .backends import cuda
from .compiler import cache_log, dtypes, gcpause, spine
from .compiler.errors import InvalidType, invalid_in
from .compiler.ops.call import GraphRef
from .compiler.passes import dce
from .runtime import NUMPY
from .tracing import flatten, trace_to_graph, unflatten
from .configuration import state
from .variable import Variable, _check_dtype, _is_array


MAX_SIGNATURES = 256          # compiled signatures kept per jitted function


def jit(fn=None, *, static_argnums=(), name: str | None = None):
    """Compile `fn` (usable as `@jit` or `@jit(static_argnums=...)`)."""
    if fn is None:
        return lambda f: Jitted(f, static_argnums, name)
    return Jitted(fn, static_argnums, name)


def _type(shape, dtype) -> str:
    return f"{dtypes.short(dtype)}[{','.join(map(str, shape))}]"


def _device_id(a):
    """The id of the GPU holding array `a`; None for a host array."""
    return None if type(a) is np.ndarray or not cuda.is_cupy_array(a) else a.device.id


def _where(device) -> str:
    return "@numpy" if device is None else f"@cupy:{device}"


def _at(a) -> str:
    """` @cupy:N` for a device array, nothing for a host one (signatures)."""
    device = _device_id(a)
    return "" if device is None else " " + _where(device)


class _Entry:
    """One compiled signature of a jitted function."""

    def __init__(self, graph, executable, result, captured, captured_types, effects,
                 n_args, donated=(), checks=(), backend=NUMPY, device=None, placed=()):
        self.graph = graph                  # traced graph (before optimization)
        self.backend = backend
        self.device = device                # the GPU it runs on, None on the host
        self.placed = placed                # captured positions that must be on `device`
        # what the trace depended on that is not an input (kusari.guards): the
        # structure version, and guards checked before every call
        self.version = guards.version()
        self.checks = checks
        self.executable = executable
        # input positions whose arrays the executable may write in place (the
        # parameters and optimizer state an update replaces); `plain` is the
        # executable that writes none, for calls where one of those arrays
        # is also another input or read-only
        self.donated = donated
        self._plain = None
        self.result = result                # fn's return value: its structure
        self.n_results = len(flatten(result))
        self.captured = captured            # readers of captured inputs
        self.captured_avals = captured_types
        self.effects = effects              # (kind, target, key) per effect output
        self.n_args = n_args
        self._ref = None
        self.single = self.n_results == 1 and not isinstance(result, (tuple, list, dict))
        self.reports = any(e[0] == "report" for e in effects)
        self.signature = ()

    @property
    def ref(self) -> GraphRef:
        if self._ref is None:
            self._ref = GraphRef(self.graph, self.backend)
        return self._ref

    def captured_arrays(self) -> list:
        return [read() for read in self.captured]

    def run(self, inputs: list):
        """The executable's outputs for `inputs` (arguments, then captured);
        None where an array the function writes is also another input (an
        argument that is a parameter's array, tied weights): the compiled code
        would read it before the write, eager code after, so the caller runs
        the function eagerly."""
        if self.donated and _aliased(inputs, self.donated):
            return None
        if self.device is not None:   # (runs on its arrays' device; writes no input)
            return self.executable.fn(*inputs)
        if self.donated and not all(type(inputs[i]) is np.ndarray and
                                    inputs[i].flags.writeable for i in self.donated):
            if self._plain is None:
                self._plain = spine.compile(self.graph, NUMPY, purpose=None)
            return self._plain.fn(*inputs)
        return self.executable.fn(*inputs)

    def stale(self, arrays) -> str | None:
        """Why the compiled code no longer fits: a guard that fails, or a
        captured value of another shape or dtype."""
        return self.stale_guards() or self.stale_types(arrays)

    def stale_guards(self) -> str | None:
        """Why the compiled code no longer fits, from its guards alone (known
        before any captured reader runs: a reader may draw random numbers)."""
        if self.version != guards.version():
            return f"the model or optimizer changed ({guards.last_change()})"
        for check in self.checks:
            why = check.failed()
            if why is not None:
                return why
        return None

    def stale_types(self, arrays) -> str | None:
        """A captured value (`arrays`, read for this call) of another shape
        or dtype than the compiled code takes, or on another device (a model
        sent to the GPU since)."""
        for i, (a, (shape, dtype)) in enumerate(zip(arrays, self.captured_avals)):
            if a.shape != shape or a.dtype != dtype:
                return f"captured input {i} is {_type(a.shape, a.dtype)} " \
                       f"(was {_type(shape, dtype)})"
            device = None if type(a) is np.ndarray else _device_id(a)
            if device != self.device and i in self.placed:
                return f"captured input {i} is on {_where(device)} " \
                       f"(was {_where(self.device)})"
        return None


class Lowered:
    """A jitted function's compiled form for one signature (see Jitted.lower)."""

    def __init__(self, entry: _Entry):
        self._entry = entry

    @property
    def graph(self):
        """The traced graph: arguments, then captured inputs; results, then effects."""
        return self._entry.graph

    @property
    def text(self) -> str:
        return str(self._entry.graph)

    @property
    def optimized(self) -> str:
        return str(self._entry.executable.graph)

    @property
    def source(self) -> str:
        return self._entry.executable.source

    def as_text(self) -> str:
        return self.text

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"<kusari Lowered {self._entry.graph.name}>"


class Jitted:
    """A function compiled per signature (see the module docstring)."""

    def __init__(self, fn, static_argnums=(), name=None, differentiable_args=False):
        self.fn = fn
        # trace every argument as needing a gradient (functional code such as the
        # language's grad), rather than following the Variables' flags
        self.differentiable_args = differentiable_args
        self.static_argnums = frozenset(
            (static_argnums,) if isinstance(static_argnums, int) else static_argnums)
        self.name = name or getattr(fn, "__name__", "f").replace("<lambda>", "lambda")
        self._entries: dict = {}      # call key -> _Entry, the oldest dropped first
        self._last = None
        functools.update_wrapper(self, fn)

    def __get__(self, obj, objtype=None):
        """As a method (`@kusari.jit def forward(self, x)`): a jitted function
        bound to `obj`, kept on `obj` itself, so its compiled versions live
        and die with the instance (the attributes it reads are guarded)."""
        if obj is None:
            return self
        key = f"_kusari_jit_{id(self)}"
        bound = obj.__dict__.get(key) if hasattr(obj, "__dict__") else None
        if bound is None:
            bound = Jitted(types.MethodType(self.fn, obj),
                           tuple(i - 1 for i in self.static_argnums if i > 0),
                           self.name, self.differentiable_args)
            if hasattr(obj, "__dict__"):
                obj.__dict__[key] = bound
        return bound

    # -- signatures -------------------------------------------------------------
    def _signature(self, args, kwargs):
        key, traced = [], []
        # an array and a Variable trace alike; only a Variable that needs no
        # gradient differs (backward inside the function skips it)
        for i, a in enumerate(args):
            label = f"argument {i}"
            if i in self.static_argnums:
                key.append((label, _Static(_hashable(a, label))))
            elif isinstance(a, Variable):
                key.append((label, _type(a.shape, a.dtype) + _at(a.array) +
                            ("" if a.requires_grad else " (no grad)")))
                traced.append(i)
            elif isinstance(a, np.generic):     # a scalar: weakly typed, as eagerly
                key.append((label, _type((), a.dtype) + " (scalar)"))
                traced.append(i)
            elif _is_array(a):
                a = _native(a)
                key.append((label, _type(a.shape, a.dtype) + _at(a)))
                traced.append(i)
            else:
                key.append((label, _Static(_hashable(a, label))))
        for k in sorted(kwargs):
            key.append((f"keyword {k}", _Static(_hashable(kwargs[k], f"keyword {k}"))))
        key.extend(guards.config_signature())
        return tuple(key), traced

    def _key(self, args, kwargs):
        """The cache key of a call (cheap: shapes, dtype objects, static
        values) and the positions of its traced arguments. `_signature` is
        the same key in words, made only when something is compiled."""
        key, traced = [], []
        static = self.static_argnums
        for i, a in enumerate(args):
            t = type(a)
            if i in static:
                key.append(_Static(_hashable(a, f"argument {i}")))
            elif t is np.ndarray:
                key.append((a.shape, a.dtype, "array"))
                traced.append(i)
            elif isinstance(a, Variable):
                key.append((a.shape, a.dtype, a.requires_grad, _device_id(a._array)))
                traced.append(i)
            elif isinstance(a, np.generic):
                key.append(((), a.dtype, "scalar"))
                traced.append(i)
            elif cuda.is_cupy_array(a):
                key.append((a.shape, a.dtype, "array", a.device.id))
                traced.append(i)
            elif _is_array(a):
                a = np.asarray(a)
                key.append((a.shape, a.dtype.newbyteorder("=") if not a.dtype.isnative
                            else a.dtype, "array"))
                traced.append(i)
            else:
                key.append(_Static(_hashable(a, f"argument {i}")))
        if kwargs:
            key.append(tuple((k, _Static(_hashable(kwargs[k], f"keyword {k}")))
                             for k in sorted(kwargs)))
        key.append(guards.config_key())
        return tuple(key), traced

    def entry(self, args, kwargs=None):
        """The compiled entry for arguments like `args` (compiling if needed)."""
        self(*args, **(kwargs or {}))
        return self._entries[self._key(args, kwargs or {})[0]]

    def lower(self, *args, **kwargs) -> "Lowered":
        """What a call with arguments like these runs, without running it:
        `.graph` (the traced IR), `.text` (it as text), `.optimized` (the IR
        after the optimizer), `.source` (the generated code), as JAX's
        `jit(f).lower(x)`. Traces and compiles if no compiled version fits."""
        key, traced = self._key(args, kwargs)
        entry = self._entries.get(key)
        if entry is None or entry.stale(entry.captured_arrays()):
            entry = self._new_entry(key, args, kwargs, traced, "lower()", with_types=True)
        return Lowered(entry)

    def __call__(self, *args, **kwargs):
        if state.debug:
            return self._run_eagerly(args, kwargs)
        key, traced = self._key(args, kwargs)
        entry = self._entries.get(key)
        why = None
        if entry is not None:
            # the guards before the readers: when one fails, the new entry's
            # readers are the ones that run (a random draw is made once a call)
            why = entry.stale_guards()
            if why is None:
                captured = entry.captured_arrays() if entry.captured else ()
                why = entry.stale_types(captured)
        if entry is None or why:
            entry = self._new_entry(key, args, kwargs, traced, why)
            captured = entry.captured_arrays()
        self._last = entry
        for i in traced:
            if isinstance(args[i], Variable):
                return self._run_variables(entry, [args[i] for i in traced], captured)
        outs = entry.run([a if type(a) is np.ndarray and a.dtype.isnative else _native(a)
                          for a in (args[i] for i in traced)] + list(captured))
        if outs is None:         # arrays it writes alias its inputs: as eager code does
            return self._run_eagerly(args, kwargs)
        if entry.effects:
            self._apply_effects(entry, outs[entry.n_results:])
        if entry.single:
            o = outs[0]
            return o if type(o) is np.ndarray else _as_array(o)
        return unflatten(entry.result, iter(_as_array(o) for o in outs[:entry.n_results]))

    def _run_eagerly(self, args, kwargs):
        """Under config.debug: the function itself, op by op, with the eager
        checks (a NaN or inf in any op raises, naming it). Called with
        arrays, it returns arrays, as the compiled version does."""
        out = self.fn(*args, **kwargs)
        if any(isinstance(a, Variable) for a in args):
            return out
        return unflatten(out, iter(_as_array(o.array if isinstance(o, Variable) else o)
                                   for o in flatten(out)))

    # -- compiling --------------------------------------------------------------
    def _new_entry(self, key, args, kwargs, traced, why: str | None,
                   with_types: bool = False) -> _Entry:
        """Trace and compile for this signature, keep the entry under `key`
        (the oldest dropped past MAX_SIGNATURES). `why` is the reason (the
        guard that failed), or None: what differs from the last call, with
        the argument types (`with_types` adds them to a given reason)."""
        signature = self._signature(args, kwargs)[0]
        if why is None:
            why = "first call" if self._last is None else \
                cache_log.diff_signature(signature, self._last.signature)
            with_types = True
        if with_types:
            why += " " + cache_log.describe_types(
                [str(t) for label, t in signature if not label.startswith("config.")])
        entry = self._compile(args, kwargs, traced, why)
        entry.signature = signature
        self._entries[key] = entry
        if len(self._entries) > MAX_SIGNATURES:
            self._entries.pop(next(iter(self._entries)))
        return entry

    def _compile(self, args, kwargs, traced, why: str) -> _Entry:
        cache_log.record("jit", self.name, why)
        with gcpause.paused():
            return self._compile_paused(args, kwargs, traced)

    def _compile_paused(self, args, kwargs, traced) -> _Entry:
        arrays = [args[i].array if isinstance(args[i], Variable) else _native(args[i])
                  for i in traced]
        # (the trace reads shapes and dtypes: a device array's stand-in is a view)
        examples = [np.broadcast_to(np.zeros((), a.dtype), a.shape)
                    if _device_id(a) is not None else a for a in arrays]
        requires = [args[i].requires_grad if isinstance(args[i], Variable)
                    and not self.differentiable_args else True for i in traced]

        def bound(*values):
            full = list(args)
            for i, v in zip(traced, values):
                full[i] = v
            return self.fn(*full, **kwargs)

        static = [(i, a) for i, a in enumerate(args) if i not in traced]
        # (a wrapper that calls the user's function names it `_guard_source`:
        # its closure, globals and defaults are what the trace reads)
        checks, external = guards.source_guards(
            getattr(self.fn, "_guard_source", self.fn), static)
        for a in examples:
            _check_dtype(a)
        # a NumPy scalar argument takes the dtype of the array it meets, as it
        # does in eager code (np.float64(0.5) * a float32 Variable is float32)
        weak = [k for k, i in enumerate(traced) if isinstance(args[i], np.generic)]
        g, result, captured, effects, found = trace_to_graph(
            bound, examples, name=self.name, capture="input", requires_grad=requires,
            external=external, weak=weak)
        checks += found
        effects = _drop_array_grads(g, effects, len(flatten(result)),
                                    [isinstance(args[i], Variable) for i in traced])
        dce(g)
        # (from the graph: a reader may draw random numbers, read it only to run)
        captured_types = [(g.shape(n), g.dtype(n)) for n in g.inputs[len(traced):]]
        # effect outputs follow the results, in the order of the effects that
        # have a value (see trace_to_graph)
        donate = _donations(effects, captured, len(flatten(result)), len(traced))
        placed = _placed(captured, captured_types)
        device = self._device(arrays, traced, captured, placed)
        if device is None:
            exe = spine.compile(g, NUMPY, spine.Options(donate=donate), purpose=None)
            backend = NUMPY
        else:
            from .runtime.cupy_backend import cupy_backend
            backend = cupy_backend()
            with backend.cupy.cuda.Device(device):
                exe = spine.compile(g, backend, spine.Options(), purpose=None)
            donate = ()
        return _Entry(g, exe, result, captured, captured_types,
                      [(kind, target, k, value is not None)
                       for kind, target, k, value in effects], len(traced),
                      tuple(sorted({i for _, i in donate})), tuple(checks),
                      backend, device, placed)

    def _device(self, arrays, traced, captured, placed):
        """The GPU the arguments and the captured arrays in `placed` are on
        (None: the host); two places among them are an error naming both."""
        found = {}
        for i, a in zip(traced, arrays):
            found.setdefault(_device_id(a), f"argument {i}")
        for k in placed:
            found.setdefault(_device_id(captured[k]()), _captured_name(captured[k], k))
        if len(found) < 2:
            return next(iter(found), None)
        (d0, what0), (d1, what1) = list(found.items())[:2]
        raise invalid_in(f"kusari.jit {self.name}", InvalidType(
            f"its arguments and the parameters and state it reads on one device "
            f"({what0} is on {_where(d0)})",
            f"{what1} on {_where(d1)}; send the model and the data to one device "
            "(to_device, cuda.to_gpu)"))

    # -- running ------------------------------------------------------------------
    def _run_variables(self, entry: _Entry, variables, captured):
        """Run as differentiable `call` nodes: gradients reach the arguments
        and the captured parameters."""
        from .function_node import apply_call
        inputs = [v if isinstance(v, Variable) else Variable(_as_array(v),
                                                             requires_grad=False)
                  for v in variables]
        send = entry.backend.cupy.asarray if entry.device is not None else None
        ctx = tracing.active() if tracing.TRACING else None
        for k, read in enumerate(entry.captured):
            if read.variable is not None:
                inputs.append(read.variable)
            elif ctx is not None:        # inside another trace: read at its every call
                shape, dtype = entry.captured_avals[k]
                inputs.append(ctx.leaf(read.read, shape, dtype, read.source))
            else:                        # (read once, by the staleness check:
                a = captured[k]                                           # draws too)
                if send is not None and k not in entry.placed:   # a draw, a number
                    with cuda.get_device_from_array(inputs[0].array):
                        a = send(a)
                inputs.append(Variable(a, requires_grad=False))
        outs = apply_call(entry.ref, tuple(inputs))
        if ctx is not None:
            _traced_effects(ctx, entry, outs[entry.n_results:], variables)
        else:
            self._apply_effects(entry, [o.array for o in outs[entry.n_results:]], variables)
        return unflatten(entry.result, iter(outs[:entry.n_results]))

    @staticmethod
    def _apply_effects(entry: _Entry, values, arguments=()) -> None:
        # (an unregistered observer raises before anything is written)
        names = _report_names(entry) if entry.reports else None
        values = iter(values)
        for kind, target, key, has_value in entry.effects:
            if kind == "report":
                target.write(next(values) if has_value else None, names)
                continue
            if kind == "arg_grad":     # a backward inside reached an argument
                value = next(values)
                a = arguments[target] if target < len(arguments) else None
                if isinstance(a, Variable) and a.requires_grad:
                    g = _as_array(value)
                    a._grad = g if a._grad is None else a.grad + g
                    a._grad_var = None
                continue
            if not has_value:                     # a gradient the function cleared
                target._grad = target._grad_var = None
                continue
            value = next(values)
            if kind == "array":
                if value is not target.array:      # (else computed in place)
                    _copyto(target.array, value)
            elif kind == "grad":       # (outputs are fresh arrays: no copy)
                target._grad, target._grad_var = _as_array(value), None
            elif kind == "state":
                if value is not target[key]:
                    _copyto(target[key], value)
            elif kind == "attr":
                name, convert = key
                setattr(target, name, convert(value))

    def __repr__(self):
        return f"<kusari.jit {self.name}: {len(self._entries)} compiled signatures>"


def _traced_effects(ctx, entry: _Entry, outs, arguments) -> None:
    """A jitted step called inside another trace: its effects become effects
    of that trace (written back when the outer function runs)."""
    outs = iter(outs)
    for kind, target, key, has_value in entry.effects:
        if kind == "report":           # reported when the outer function runs
            ctx.effects.append(("report", target, None, next(outs) if has_value else None))
            continue
        if kind == "arg_grad":
            value = next(outs)
            a = arguments[target] if target < len(arguments) else None
            if isinstance(a, Variable) and a.requires_grad:
                tracing.note(a)
                total = value if a._grad is None else a.grad_var + value
                a._grad_var, a._grad = total, total.array
            continue
        if not has_value:
            tracing.note(target)
            target._grad = target._grad_var = None
            continue
        value = next(outs)
        if kind == "array":
            ctx.assign(target, value)
        elif kind == "grad":
            tracing.note(target)
            target._grad_var, target._grad = value, value.array
        elif kind == "state":
            ctx.assign_array(target, key, value)
        elif kind == "attr":
            name, convert = key
            ctx.assign_scalar(target, name, value, convert)


# -- report() inside a traced function ------------------------------------------

class ReportEffect:
    """One value a traced function reports (`kusari.report` inside it): an
    output of the compiled code, written at every call into the reporter
    current then (or the one `Reporter.report` was called on), under the
    observer's name that reporter gives, as eager code would write it."""

    __slots__ = ("reporter", "observer", "key", "constant", "as_array", "name",
                 "requires_grad")

    def __init__(self, reporter, observer, key, constant=None, as_array=False,
                 name=None, requires_grad=True):
        self.reporter = reporter          # None: the current reporter at each call
        self.observer = observer
        self.key = key
        self.constant = constant          # a value that is not traced: written as it is
        self.as_array = as_array          # a traced array (not a Variable) was reported
        self.name = name
        self.requires_grad = requires_grad

    def target(self):
        """The reporter written to now (None: no reporter is current)."""
        if self.reporter is not None:
            return self.reporter
        from .reporter import _get_reporters
        reporters = _get_reporters()
        return reporters[-1] if reporters else None

    def write(self, value, names: dict) -> None:
        reporter = self.target()
        if reporter is None:
            return
        prefix = names.get(id(self))
        if value is None:
            value = self.constant
        elif isinstance(value, Variable):   # a call node's output (Variable arguments)
            if self.as_array:
                value = value.array
            elif not state.keep_graph_on_report:
                value = Variable(value.array, name=self.name,
                                 requires_grad=self.requires_grad)
        else:
            value = _as_array(value)
            if not self.as_array:
                value = Variable(value, name=self.name, requires_grad=self.requires_grad)
        reporter.observation[self.key if prefix is None else f"{prefix}/{self.key}"] = value


def _report_names(entry: _Entry) -> dict:
    """id(ReportEffect) -> its observer's name in the reporter it writes to
    (KeyError, as Reporter.report raises, for an unregistered observer)."""
    names = {}
    for kind, target, _, _ in entry.effects:
        if kind != "report" or target.observer is None:
            continue
        reporter = target.target()
        if reporter is None:
            continue
        try:
            names[id(target)] = reporter._observer_names[id(target.observer)]
        except KeyError:
            raise KeyError("Given observer is not registered to the reporter.") from None
    return names


def trace_report(ctx, reporter, values: dict, observer=None) -> None:
    """`report(values, observer)` met while tracing: each value becomes a
    "report" effect (see ReportEffect). `reporter` is the Reporter whose
    `report` was called, or None for `kusari.report` (the current one at
    each call). An observer the reporter does not know raises at once, as
    it does eagerly."""
    if observer is not None:
        from .reporter import _get_reporters
        now = reporter
        if now is None:
            reporters = _get_reporters()
            now = reporters[-1] if reporters else None
        if now is not None and id(observer) not in now._observer_names:
            raise KeyError("Given observer is not registered to the reporter.")
    for key, value in values.items():
        if isinstance(value, tracing.Traced):       # a traced Variable's .array
            node = getattr(value, "node", None)
            var = node.var() if node is not None else None
            if var is None:
                raise TypeError(f"report of {key!r} inside a traced function: the "
                                "array has no traced Variable; report the Variable")
            ctx.effects.append(("report", ReportEffect(reporter, observer, key,
                                                       as_array=True), None, var))
        elif isinstance(value, Variable):
            ctx.effects.append(("report", ReportEffect(
                reporter, observer, key, name=value.name,
                requires_grad=value.requires_grad), None, value))
        else:                                       # a number, an array, a string
            ctx.effects.append(("report", ReportEffect(reporter, observer, key, value),
                                None, None))


def _drop_array_grads(g, effects, n_results: int, is_variable: list) -> list:
    """Without the gradients a backward inside the function gave arguments
    passed as arrays: nobody can read them (eager code has no Variable to
    hold them), so they are not computed (an array and a Variable argument
    are told apart in the call key)."""
    kept, outputs = [], list(g.outputs[:n_results])
    k = n_results
    for e in effects:
        if e[3] is None:
            kept.append(e)
            continue
        out = g.outputs[k]
        k += 1
        if e[0] == "arg_grad" and not is_variable[e[1]]:
            continue
        kept.append(e)
        outputs.append(out)
    g.outputs = outputs
    return kept


def _donations(effects, captured, n_results: int, n_args: int) -> tuple:
    """(output, input) positions where an effect replaces a captured array
    (a parameter, an optimizer state array): the new value may be computed
    into the old array, as an optimizer updates in place."""
    where = {r.source: n_args + k for k, r in enumerate(captured) if r.source is not None}
    pairs = []
    out = n_results
    for kind, target, key, value in effects:
        if value is None:
            continue
        source = ("array", id(target)) if kind == "array" else \
            ("state", id(target), key) if kind == "state" else None
        if source in where:
            pairs.append((out, where[source]))
        out += 1
    return tuple(pairs)


def _placed(captured, types) -> frozenset:
    """Captured positions that must be on the device the function runs on:
    parameters, gradients, optimizer state and arrays it reads from outside,
    but not its random draws (made on the host) or 0-d values (numbers, step
    counters: sent with the call, as eager ops take them)."""
    return frozenset(k for k, (r, (shape, _)) in enumerate(zip(captured, types))
                     if shape != () and (r.source is None or r.source[0] != "draw"))


def _captured_name(reader, k: int) -> str:
    """A captured input in the user's terms (errors)."""
    v, source = reader.variable, reader.source
    if v is not None:
        return f"parameter {v.name}" if v.name else f"captured input {k}"
    if source is not None and source[0] == "state":
        return f"optimizer state {source[2]!r}"
    return f"captured input {k}"


def _copyto(target, value) -> None:
    """target[...] = value, on whichever device target is."""
    if type(target) is np.ndarray:
        np.copyto(target, value)
    else:
        target[...] = value


def _root(a):
    while (isinstance(a, np.ndarray) or _device_id(a) is not None) and a.base is not None:
        a = a.base
    return a


def _aliased(inputs: list, written: tuple) -> bool:
    """Whether an input the function writes shares memory with another input
    (a parameter's own array passed as an argument, tied weights)."""
    roots = [_root(a) for a in inputs]
    ids = [id(r) for r in roots]
    for i in written:
        if ids.count(ids[i]) > 1:
            return True
    if any(not isinstance(r, (np.ndarray, np.generic)) for r in roots):
        # a view over another buffer (as_strided, frombuffer): ask NumPy
        for i in written:
            for j, b in enumerate(inputs):
                if j != i and isinstance(b, np.ndarray) and isinstance(inputs[i], np.ndarray) \
                        and np.may_share_memory(inputs[i], b):
                    return True
    return False


class _Static:
    """A static argument in a signature (compared by value and type)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        # by type and value all the way down: (2,) is not (2.0,), a NaN is itself
        return isinstance(other, _Static) and guards.same(self.value, other.value)

    def __hash__(self):
        return _static_hash(self.value)

    def __str__(self):
        return f"static {self.value!r}"


def _static_hash(v) -> int:
    if type(v) is tuple:
        return hash(tuple(_static_hash(x) for x in v))
    if isinstance(v, (float, np.floating)) and v != v:
        return hash((type(v), "nan"))
    return hash((type(v), v))


def _hashable(value, where):
    try:
        hash(value)
    except TypeError:
        raise TypeError(f"{where} of a jitted function is a {type(value).__name__}: "
                        "pass arrays, Variables, or hashable static values") from None
    return value


def _native(a):
    """`a` as an array in this machine's byte order (as eager code computes);
    a CuPy array as it is."""
    if cuda.is_cupy_array(a):
        return a
    a = np.asarray(a)
    return a if a.dtype.isnative else a.astype(a.dtype.newbyteorder("="))


def _as_array(a):
    """`a` (an output: an array, a NumPy scalar) as an array on its device."""
    return a if isinstance(a, np.ndarray) or cuda.is_cupy_array(a) else np.asarray(a)
