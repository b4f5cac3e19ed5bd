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
