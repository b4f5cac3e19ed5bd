"""Reporting values from inside a model (Chainer's reporter).

`report({"loss": loss}, observer)` stores values in the current Reporter, if
any; outside a reporter scope it does nothing, as in Chainer.
"""
from __future__ import annotations

import contextlib
import threading

import numpy as np

_local = threading.local()


def _reporters() -> list:
    if not hasattr(_local, "reporters"):
        _local.reporters = []
    return _local.reporters


class Reporter:
    """Collects reported values under observer-prefixed names."""

    def __init__(self):
        self._observer_names: dict = {}
        self.observation: dict = {}

    def __enter__(self):
        _reporters().append(self)
        return self

    def __exit__(self, *exc):
        _reporters().pop()
        return False

    @contextlib.contextmanager
    def scope(self, observation: dict):
        old = self.observation
        self.observation = observation
        with self:
            yield
        self.observation = old

    def add_observer(self, name: str, observer) -> None:
        self._observer_names[id(observer)] = name

    def add_observers(self, prefix: str, observers) -> None:
        for name, observer in observers:
            self._observer_names[id(observer)] = prefix + name

    def report(self, values: dict, observer=None) -> None:
        from .variable import Variable
        if observer is not None:
            name = self._observer_names.get(id(observer))
            if name is None:
                raise KeyError("the observer is not registered to the reporter")
            values = {f"{name}/{k}": v for k, v in values.items()}
        for k, v in values.items():
            if isinstance(v, Variable):
                v = v.array
            self.observation[k] = v


def get_current_reporter() -> Reporter:
    return _reporters()[-1]


def report(values: dict, observer=None) -> None:
    """Report `values` to the current reporter (no-op without one)."""
    if _reporters():
        get_current_reporter().report(values, observer)


@contextlib.contextmanager
def report_scope(observation: dict):
    with get_current_reporter().scope(observation):
        yield


class Summary:
    """Running mean and variance of reported scalars."""

    def __init__(self):
        self._x = 0.0
        self._x2 = 0.0
        self._n = 0

    def add(self, value, weight=1) -> None:
        value = float(np.asarray(getattr(value, "array", value)))
        self._x += weight * value
        self._x2 += weight * value * value
        self._n += weight

    def compute_mean(self) -> float:
        return self._x / self._n

    def make_statistics(self):
        mean = self._x / self._n
        var = self._x2 / self._n - mean * mean
        return mean, float(np.sqrt(max(var, 0.0)))


class DictSummary:
    """A Summary per key of reported dicts."""

    def __init__(self):
        self._summaries: dict = {}

    def add(self, d: dict) -> None:
        for k, v in d.items():
            self._summaries.setdefault(k, Summary()).add(v)

    def compute_mean(self) -> dict:
        return {k: s.compute_mean() for k, s in self._summaries.items()}
