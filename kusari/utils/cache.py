"""`cached_property`: a property computed once per backprop mode."""
from __future__ import annotations

import functools


class cached_property:  # noqa: N801 (Chainer's name)
    """Compute the property once for `enable_backprop` True and once for False
    (a value computed without the graph cannot serve a backward)."""

    def __init__(self, func):
        functools.update_wrapper(self, func)
        self.func = func

    def __get__(self, obj, cls):
        if obj is None:
            return self
        from ..configuration import config
        caches = obj.__dict__.setdefault(self.__name__, {})
        mode = config.enable_backprop
        if mode not in caches:
            caches[mode] = self.func(obj)
        return caches[mode]

    def __set__(self, obj, value):
        raise AttributeError(f"attribute '{self.__name__}' of {value} is readonly")
