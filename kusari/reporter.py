"""Reporting observed values (Chainer's `chainer.reporter`).

A `Reporter` maps value names to observed values (its `observation`). Code
inside a model calls `report({"loss": loss}, self)`: the current reporter (the
innermost one entered in this thread) stores the values under the observer's
registered name, ``"main/loss"``; with no reporter current it does nothing.
The Trainer gives each iteration a fresh observation dict.

Inside a function compiled by `kusari.jit` (a compiled training step), a
reported value is an output of the compiled code, written at every call into
the reporter current then, under the observer's name it gives: the
observation is what the function run eagerly would report.

A reported Variable is stored as a copy cut from its graph (so the
observation does not keep the iteration's graph alive), unless
``config.keep_graph_on_report`` is set.

`Summary` and `DictSummary` accumulate weighted running sums of scalars
(arrays stay arrays: a float32 value gives float32 means) and serialize them,
so that LogReport's and the best-value triggers' partial statistics survive a
snapshot. This follows Chainer 7.8.1.
"""
from __future__ import annotations

import collections
import contextlib
import copy
import json
import threading
import warnings

import numpy

from . import backend, configuration, tracing
from . import serializer as serializer_module
from . import variable

_thread_local = threading.local()


def _get_reporters() -> list:
    try:
        return _thread_local.reporters
    except AttributeError:
        reporters = _thread_local.reporters = []
        return reporters


class Reporter:
    """Object to which observed values are reported.

    Attributes:
        observation: dict of the observed values, name -> value.
    """

    def __init__(self):
        self._observer_names: dict = {}
        self.observation: dict = {}

    def __enter__(self):
        """Makes this reporter current (in this thread)."""
        _get_reporters().append(self)

    def __exit__(self, exc_type, exc_value, traceback):
        """Makes the previous reporter current again."""
        _get_reporters().pop()

    @contextlib.contextmanager
    def scope(self, observation: dict):
        """Within the block this reporter is current and writes to `observation`."""
        old = self.observation
        self.observation = observation
        self.__enter__()
        try:
            yield
        finally:
            self.__exit__(None, None, None)
            self.observation = old

    def add_observer(self, name: str, observer) -> None:
        """Registers `observer` (told apart by its id) under `name`."""
        self._observer_names[id(observer)] = name

    def add_observers(self, prefix: str, observers) -> None:
        """Registers each ``(name, observer)`` pair under ``prefix + name``."""
        for name, observer in observers:
            self._observer_names[id(observer)] = prefix + name

    def report(self, values: dict, observer=None) -> None:
        """Writes `values` to the observation, their names prefixed by the
        observer's name and a slash when `observer` is given.

        Raises:
            KeyError: `observer` was not registered.
        """
        if tracing.TRACING:
            ctx = tracing.active()
            if ctx is not None:     # inside kusari.jit: written at each call
                from .jit import trace_report
                trace_report(ctx, self, values, observer)
                return
        if observer is None:
            prefix = None
        else:
            try:
                prefix = self._observer_names[id(observer)]
            except KeyError:
                raise KeyError(
                    "Given observer is not registered to the reporter.") from None
        cut = not configuration.config.keep_graph_on_report
        observation = self.observation
        # written straight into the observation: no dict per call
        for key, value in values.items():
            if cut and isinstance(value, variable.Variable):
                value = copy.copy(value)
            observation[key if prefix is None else f"{prefix}/{key}"] = value


def get_current_reporter() -> Reporter:
    """The current reporter (IndexError when none is current)."""
    return _get_reporters()[-1]


def report(values: dict, observer=None) -> None:
    """Reports `values` to the current reporter; does nothing without one."""
    if tracing.TRACING:
        ctx = tracing.active()
        if ctx is not None:     # inside kusari.jit: the reporter current at each call
            from .jit import trace_report
            trace_report(ctx, None, values, observer)
            return
    reporters = _get_reporters()
    if reporters:
        reporters[-1].report(values, observer)


@contextlib.contextmanager
def report_scope(observation: dict):
    """Within the block the current reporter writes to `observation`
    (without entering it again)."""
    current = _get_reporters()[-1]
    old = current.observation
    current.observation = observation
    try:
        yield
    finally:
        current.observation = old


class Summary:
    """Online weighted mean and standard deviation of a sequence of scalars.

    Values (numbers, 0-d NumPy or CuPy arrays, Variables) are summed in their
    own type, so the statistics have the type the values have.
    """

    def __init__(self):
        self._x = 0.0
        self._x2 = 0.0
        self._n = 0

    def add(self, value, weight=1) -> None:
        """Adds `value` with `weight` (a scalar, 0-d array or Variable)."""
        count = weight
        dtype = getattr(value, "dtype", None)
        floating = getattr(dtype, "kind", "") == "f"
        if floating and type(weight) in (int, float):
            # a Python weight takes the value's dtype (Chainer's rule for
            # constants): NumPy 1 would make 1 * a float32 scalar a float64
            weight = dtype.type(weight)
        weighted = weight * value
        if floating and type(self._n) is int and self._n == 0 and \
                type(self._x) is float and self._x == 0.0:
            # the first value sets the type of the sums (0.0 + a float32
            # scalar is a float64 under NumPy 1's promotion too)
            self._x, self._x2 = weighted, weighted * value
        else:
            self._x += weighted
            self._x2 += weighted * value
        self._n += count

    def _count(self):
        """The total weight, in the sums' dtype where it is a Python number
        (NumPy 1 makes a float32 scalar over a Python int a float64)."""
        n, dtype = self._n, getattr(self._x, "dtype", None)
        if type(n) in (int, float) and getattr(dtype, "kind", "") == "f" and \
                abs(n) <= numpy.finfo(dtype).max:
            typed = dtype.type(n)
            if typed == n:                  # (a count float16 cannot hold stays exact)
                return typed
        return n

    def compute_mean(self):
        """The weighted mean."""
        x = self._x
        with backend.using_device(backend.get_device_from_array(x)):
            return x / self._count()

    def make_statistics(self):
        """``(mean, std)``."""
        x, n = self._x, self._count()
        xp = backend.get_array_module(x)
        with backend.using_device(backend.get_device_from_array(x)):
            mean = x / n
            var = self._x2 / n - mean * mean
            if isinstance(var, variable.Variable):
                from . import functions
                return mean, functions.sqrt(var)
            return mean, xp.sqrt(var)

    def serialize(self, serializer) -> None:
        try:
            self._x = serializer("_x", self._x)
            self._x2 = serializer("_x2", self._x2)
            self._n = serializer("_n", self._n)
        except KeyError:
            warnings.warn("The previous statistics are not saved.")


def _is_scalar(value) -> bool:
    """A number, NumPy scalar or 0-d array (numpy.isscalar also takes
    strings, which have no mean)."""
    if isinstance(value, (str, bytes)):
        return False
    return numpy.isscalar(value) or getattr(value, "ndim", -1) == 0


class DictSummary:
    """A `Summary` per key of the dicts added.

    Only scalars, 0-d arrays and Variables of 0-d arrays are accumulated;
    other values are skipped. A ``(value, weight)`` tuple adds `value` with
    that weight, which must be a scalar.
    """

    def __init__(self):
        self._summaries = collections.defaultdict(Summary)

    def add(self, d: dict) -> None:
        summaries = self._summaries
        for k, v in d.items():
            w = 1
            if isinstance(v, tuple):
                v, w = v[0], v[1]
                if isinstance(w, variable.Variable):
                    w = w.array
                if not _is_scalar(w):
                    raise ValueError(f"Given weight to {k} was not scalar.")
            if isinstance(v, variable.Variable):
                v = v.array
            if _is_scalar(v):
                summaries[k].add(v, weight=w)

    def compute_mean(self) -> dict:
        """name -> mean."""
        return {name: s.compute_mean() for name, s in self._summaries.items()}

    def make_statistics(self) -> dict:
        """name -> mean and ``name + '.std'`` -> standard deviation."""
        stats = {}
        for name, summary in self._summaries.items():
            mean, std = summary.make_statistics()
            stats[name] = mean
            stats[name + ".std"] = std
        return stats

    def serialize(self, serializer) -> None:
        # Names may hold slashes, which a serializer's paths cannot: they are
        # kept as a JSON list, each summary under its index.
        if isinstance(serializer, serializer_module.Serializer):
            names = list(self._summaries)
            serializer("_names", json.dumps(names))
            for index, name in enumerate(names):
                self._summaries[name].serialize(serializer["_summaries"][str(index)])
            return
        self._summaries.clear()
        try:
            names = json.loads(serializer("_names", ""))
        except KeyError:
            warnings.warn("The names of statistics are not saved.")
            return
        for index, name in enumerate(names):
            self._summaries[name].serialize(serializer["_summaries"][str(index)])
