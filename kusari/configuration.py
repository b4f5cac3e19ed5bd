"""Chainer's configuration: `kusari.config`, `kusari.global_config`, `using_config`.

`config` reads the calling thread's value and falls back to the global one;
setting it affects this thread only. Underneath, the thread-local state is a
`threading.local` subclass whose class attributes are the global values, so
the hot path (`state.enable_backprop` in every op) is one attribute read.
"""
from __future__ import annotations

import contextlib
import sys
import threading

import numpy as np


class _State(threading.local):
    train = True
    enable_backprop = True
    type_check = True
    debug = False
    dtype = np.dtype(np.float32)
    keep_graph_on_report = False
    lazy_grad_sum = False
    use_cudnn = "auto"
    cudnn_deterministic = False
    autotune = False
    use_ideep = "never"
    use_static_graph = True
    in_recomputing = False
    schedule_func = None
    # kusari's own: backward() runs a graph structure eagerly (each op's
    # gradient on arrays, nothing compiled) until it has seen it this many
    # times, then compiles, fuses and caches it. 1 compiles at first sight.
    compile_threshold = 2


state = _State()
_UNSET = object()
# the names users set beyond the built-in flags (chainer.config.user_flag = ...):
# kusari.jit keys its compiled versions on their values too
user_flags: list = []


def _note_flag(name: str) -> None:
    if not hasattr(_State, name) and name not in user_flags:
        user_flags.append(name)


class GlobalConfig:
    """The process-wide defaults (Chainer's `chainer.global_config`)."""

    def __getattr__(self, name):
        try:
            return getattr(_State, name)
        except AttributeError:
            raise AttributeError(f"configuration {name!r} is not set") from None

    def __setattr__(self, name, value):
        _note_flag(name)
        setattr(_State, name, value)

    def __delattr__(self, name):
        delattr(_State, name)

    def show(self, file=sys.stdout):
        for k in sorted(k for k in vars(_State) if not k.startswith("_")):
            file.write(f"{k:<22}{getattr(_State, k)!r}\n")


class LocalConfig:
    """This thread's configuration (Chainer's `chainer.config`)."""

    def __getattr__(self, name):
        try:
            return getattr(state, name)
        except AttributeError:
            raise AttributeError(f"configuration {name!r} is not set") from None

    def __setattr__(self, name, value):
        _note_flag(name)
        setattr(state, name, value)

    def __delattr__(self, name):
        delattr(state, name)

    def show(self, file=sys.stdout):
        names = set(k for k in vars(_State) if not k.startswith("_")) | set(vars(state))
        for k in sorted(names):
            file.write(f"{k:<22}{getattr(state, k)!r}\n")


global_config = GlobalConfig()
config = LocalConfig()


@contextlib.contextmanager
def using_config(name: str, value, config: LocalConfig = config):
    """Set configuration `name` to `value` within a `with` block."""
    old = vars(state).get(name, _UNSET)
    setattr(config, name, value)
    try:
        yield
    finally:
        if old is _UNSET:
            with contextlib.suppress(AttributeError):
                delattr(state, name)
        else:
            setattr(state, name, old)


def no_backprop_mode():
    """Within this block, ops record no graph (`enable_backprop = False`)."""
    return using_config("enable_backprop", False)


def force_backprop_mode():
    """Within this block, ops record the graph even inside no_backprop_mode."""
    return using_config("enable_backprop", True)


def is_debug() -> bool:
    return bool(state.debug)


def set_debug(debug: bool) -> None:
    state.debug = debug


class DebugMode:
    """`with DebugMode(True):` turns on NaN checks and stack recording."""

    def __init__(self, debug: bool):
        self._cm = using_config("debug", debug)

    def __enter__(self):
        self._cm.__enter__()

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)
