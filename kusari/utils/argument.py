"""Keyword-argument parsing with Chainer's messages for removed arguments."""
from __future__ import annotations

import inspect


def check_unexpected_kwargs(kwargs, **unexpected):
    """Raise ValueError(message) for each removed argument found in kwargs."""
    for key, message in unexpected.items():
        if key in kwargs:
            raise ValueError(message)


def parse_kwargs(kwargs, *name_and_values, **unexpected):
    """Pop (name, default) pairs from `kwargs`; anything left is a TypeError
    naming the caller (or the ValueError given for a removed argument)."""
    values = [kwargs.pop(name, default) for name, default in name_and_values]
    if kwargs:
        check_unexpected_kwargs(kwargs, **unexpected)
        caller = inspect.stack()[1][3]
        names = ", ".join(repr(k) for k in sorted(kwargs))
        raise TypeError(f"{caller}() got unexpected keyword argument(s) {names}")
    return tuple(values)


def assert_kwargs_empty(kwargs):
    parse_kwargs(kwargs)
