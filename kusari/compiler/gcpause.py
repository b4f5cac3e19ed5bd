"""Pausing the cyclic garbage collector while compiling.

Compiling allocates many small, short-lived objects (node dicts, tuples),
which triggers collection passes that find nothing to free and cost a
fifth of compile time. The collector is paused for the duration and
resumed afterwards (nesting is fine: only the outermost pause resumes it).
"""
from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def paused():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def call(fn, *args, **kwargs):
    """fn(*args, **kwargs) with the collector paused: `paused()` without a
    context manager's cost, for hot paths (a backward per training step)."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        return fn(*args, **kwargs)
    finally:
        if was_enabled:
            gc.enable()
