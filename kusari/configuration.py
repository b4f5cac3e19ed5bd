"""Chainer's configuration: `kusari.config`, `kusari.global_config`, `using_config`.

A `GlobalConfig` keeps its values as class attributes of a
`threading.local` subclass; a `LocalConfig` is an instance of that class, so
reading a flag finds this thread's value and falls back to the global one in
one attribute lookup, and setting one affects this thread only. The hot path
of every op (`state.enable_backprop`) reads kusari's own pair
(`global_config`, `config`) through `state`, the thread-local instance.
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
import warnings

import numpy as np


class _Mixed16:
    """`kusari.mixed16`: the dtype of 16/32-bit mixed precision."""

    dtype = np.dtype(np.float16)

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__

    def __repr__(self):
        return "dtype('mixed16')"


mixed16 = _Mixed16()


def _env_flag(name: str, default: str) -> bool:
    return bool(int(os.environ.get(name, default)))


def _env_dtype():
    name = os.environ.get("CHAINER_DTYPE", "float32")
    if name in ("float16", "float32", "float64"):
        return np.dtype(name)
    if name == "mixed16":
        return mixed16
    raise TypeError(f'incorrect dtype name in CHAINER_DTYPE: "{name}". '
                    "Only float16/32/64 are allowed.")


class _State(threading.local):
    train = True
    enable_backprop = True
    type_check = _env_flag("CHAINER_TYPE_CHECK", "1")
    debug = _env_flag("CHAINER_DEBUG", "0")
    dtype = _env_dtype()
    keep_graph_on_report = _env_flag("CHAINER_KEEP_GRAPH_ON_REPORT", "0")
    lazy_grad_sum = _env_flag("CHAINER_LAZY_GRAD_SUM", "0")
    use_cudnn = os.environ.get("CHAINER_USE_CUDNN", "auto")
    use_cudnn_tensor_core = "auto"
    cudnn_deterministic = False
    cudnn_fast_batch_normalization = _env_flag(
        "CHAINER_CUDNN_FAST_BATCH_NORMALIZATION", "0")
    warn_nondeterministic = False
    autotune = False
    use_ideep = os.environ.get("CHAINER_USE_IDEEP", "never")
    use_static_graph = True
    in_recomputing = False
    schedule_func = None
    compute_mode = None
    _will_recompute = False
    # kusari's own: backward() runs a graph structure eagerly (each op's
    # gradient on arrays, nothing compiled) until it has seen it this many
    # times, then compiles, fuses and caches it. 1 compiles at first sight.
    compile_threshold = 2
    # kusari's own: StandardUpdater runs its update (forward, cleargrads,
    # backward, optimizer.update) as one step compiled by kusari.jit once a
    # batch of the same shapes and dtypes has come compile_threshold times
    # (falling back to the eager step for good when the step cannot be
    # traced). False: always the eager step. KUSARI_COMPILE_UPDATES=0 sets it.
    compile_updates = _env_flag("KUSARI_COMPILE_UPDATES", "1")


state = _State()
_UNSET = object()
# the names users set beyond the built-in flags (chainer.config.user_flag = ...):
# kusari.jit keys its compiled versions on their values too
user_flags: list = []


def _note_flag(name: str) -> None:
    if not hasattr(_State, name) and name not in user_flags:
        user_flags.append(name)


def _names(cls) -> list:
    return [k for k in vars(cls) if not (k.startswith("__") and k.endswith("__"))]


def _print_attrs(obj, keys, file) -> None:
    if not keys:
        return
    width = max(len(k) for k in keys)
    for k in keys:
        file.write(f"{k} {' ' * (width - len(k))}{getattr(obj, k)}\n")


class GlobalConfig:
    """Process-wide configuration values (Chainer's `chainer.global_config`);
    a new GlobalConfig() starts empty."""

    def __init__(self, _store=None):
        if _store is None:
            _store = type("_GlobalState", (threading.local,), {})
        object.__setattr__(self, "_store", _store)

    def __getattr__(self, name):
        try:
            return getattr(self._store, name)
        except AttributeError:
            raise AttributeError(f"configuration {name!r} is not set") from None

    def __setattr__(self, name, value):
        if self._store is _State:
            _note_flag(name)
        setattr(self._store, name, value)

    def __delattr__(self, name):
        delattr(self._store, name)

    def show(self, file=sys.stdout):
        """Print every value, one 'name value' per line."""
        _print_attrs(self, sorted(_names(self._store)), file)


class LocalConfig:
    """This thread's configuration (Chainer's `chainer.config`): a value set
    here hides the global one in this thread only; reading an unset one reads
    the global value."""

    def __init__(self, global_config, _local=None):
        object.__setattr__(self, "_global", global_config)
        object.__setattr__(self, "_local",
                           _local if _local is not None else global_config._store())

    def __getattr__(self, name):
        try:
            return getattr(self._local, name)
        except AttributeError:
            raise AttributeError(f"configuration {name!r} is not set") from None

    def __setattr__(self, name, value):
        if self._local is state:
            _note_flag(name)
        setattr(self._local, name, value)

    def __delattr__(self, name):
        delattr(self._local, name)

    def show(self, file=sys.stdout):
        """Print every value this thread sees, one 'name value' per line."""
        keys = set(_names(self._global._store)) | set(vars(self._local))
        _print_attrs(self, sorted(keys), file)


global_config = GlobalConfig(_State)
config = LocalConfig(global_config, state)


@contextlib.contextmanager
def using_config(name: str, value, config: LocalConfig = config):
    """Set configuration `name` to `value` within a `with` block (this thread)."""
    local = config._local
    old = vars(local).get(name, _UNSET)
    setattr(config, name, value)
    try:
        yield
    finally:
        if old is _UNSET:
            with contextlib.suppress(AttributeError):
                delattr(local, name)
        else:
            setattr(local, name, old)


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
    """Deprecated: `with DebugMode(True):` is `using_config('debug', True)`."""

    def __init__(self, debug: bool):
        warnings.warn("chainer.DebugMode is deprecated. Use "
                      'chainer.using_config("debug", ...) instead.', DeprecationWarning)
        self._cm = using_config("debug", debug)

    def __enter__(self):
        self._cm.__enter__()

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def get_dtype(dtype=None, map_mixed16=None) -> np.dtype:
    """`dtype` as a NumPy dtype, or the configured default (`config.dtype`);
    mixed16 means float16 unless `map_mixed16` says otherwise."""
    if dtype is None:
        dtype = state.dtype
    if dtype is mixed16:
        return np.dtype(np.float16 if map_mixed16 is None else map_mixed16)
    return np.dtype(dtype)


def get_compute_mode():
    return state.compute_mode
