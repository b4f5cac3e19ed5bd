"""Native CPU kernels: C source from `compiler.codegen.native_gen`, compiled
by the host's C compiler, loaded with ctypes.

A kernel compiles in the background the second time its plan runs (a
kernel that runs once is never compiled: tiered execution), and runs as
native code once loaded; until then, and wherever no C compiler is found,
its NumPy block function runs. Both give the same bits (native_gen says
why), so which one ran never shows in a result.

Compiled libraries are kept on disk, keyed by the hash of their source and
the compiler's flags, in ``$KUSARI_CACHE_DIR/native`` (default
``~/.cache/kusari/native``, or under ``$XDG_CACHE_HOME``); the oldest are
removed past `MAX_FILES`. ``KUSARI_NATIVE=0`` turns native kernels off;
``CC`` names the compiler (default ``cc``).
"""
from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import platform
import queue
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import weakref
from concurrent.futures import Future

from ..compiler.codegen.native_gen import SYMBOL

logger = logging.getLogger("kusari.native")

MAX_FILES = 512           # compiled kernels kept on disk
FLAGS = ["-O3", "-std=c11", "-ffp-contract=off", "-fno-math-errno", "-fPIC", "-shared"]

_lock = threading.Lock()
_state: dict = {}         # "compiler": [path, args...] or "", "flags": list, "failed": reason
_loaded: dict = {}        # source hash -> ctypes function (one per distinct source)
_queue: queue.SimpleQueue | None = None         # (future, key, source) to compile
_pending: weakref.WeakSet = weakref.WeakSet()    # kernels whose compile is under way
_ARGTYPES = [ctypes.c_ssize_t, ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_void_p,
             ctypes.c_int]


def enabled() -> bool:
    """Whether native kernels may be used: KUSARI_NATIVE is not 0 and a C
    compiler is on the PATH."""
    if "compiler" not in _state:
        with _lock:
            if "compiler" not in _state:
                _state["flags"] = FLAGS + _arch_flags()
                off = os.environ.get("KUSARI_NATIVE", "1").lower() in ("0", "off", "no",
                                                                        "false")
                cc = shlex.split(os.environ.get("CC") or "cc") or ["cc"]
                found = shutil.which(cc[0])
                _state["compiler"] = [found, *cc[1:]] if found and not off else ""
    return bool(_state["compiler"]) and "failed" not in _state


def _arch_flags() -> list:
    """Vector instructions the CPU has, as NumPy found them (AVX2 on x86-64)."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return []
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:                                  # NumPy 1.x
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as features
        except ImportError:
            return []
    return ["-mavx2"] if features.get("AVX2") else []


def cache_dir() -> str:
    root = os.environ.get("KUSARI_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "kusari")
    return os.path.join(root, "native")


class Kernel:
    """One generated C kernel: compiled on `request()`, `fn` once loaded."""

    __slots__ = ("source", "key", "fn", "future", "__weakref__")

    def __init__(self, source: str):
        enabled()                                        # reads the flags
        self.source = source
        self.key = hashlib.sha256((source + " ".join(_state.get("flags", FLAGS))
                                   + sys.platform).encode()).hexdigest()[:32]
        self.fn = _loaded.get(self.key)
        self.future: Future | None = None

    def request(self) -> None:
        """Compile (or find on disk) and load in the background."""
        if self.fn is not None or self.future is not None or not enabled():
            return
        future: Future = Future()
        self.future = future
        _pending.add(self)
        future.add_done_callback(self._done)
        _compiler_queue().put((future, self.key, self.source))

    def _done(self, future: Future) -> None:
        _pending.discard(self)
        try:
            self.fn = future.result()
        except Exception as e:                           # noqa: BLE001
            with _lock:
                if "failed" not in _state:
                    _state["failed"] = str(e)
                    logger.warning("native kernels are off: %s", e)

    def wait(self) -> None:
        if self.future is not None:
            self.future.result()


def wait() -> None:
    """Block until every requested kernel is compiled (tests, benchmarks)."""
    for kernel in list(_pending):
        future = kernel.future
        if future is not None:
            try:
                future.result()
            except Exception:                            # noqa: BLE001 (logged)
                pass


def _compiler_queue() -> queue.SimpleQueue:
    """The queue of the one compiling thread, a daemon: a process that is
    done never waits for a compile it no longer needs."""
    global _queue
    with _lock:
        if _queue is None:
            _queue = queue.SimpleQueue()
            threading.Thread(target=_compile_forever, args=(_queue,), daemon=True,
                             name="kusari-cc").start()
        return _queue


def _compile_forever(jobs: queue.SimpleQueue) -> None:
    while True:
        future, key, source = jobs.get()
        if not future.set_running_or_notify_cancel():
            continue
        try:
            future.set_result(_build(key, source))
        except BaseException as e:                       # noqa: BLE001
            future.set_exception(e)


def _forget_compiler() -> None:
    """In a forked child the compiling thread is gone, and with it what it
    was compiling: a new thread there, and those kernels may ask again."""
    global _queue, _lock
    _queue = None
    _lock = threading.Lock()
    for kernel in list(_pending):
        kernel.future = None
    _pending.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_compiler)


def cache_dir() -> str:
    root = os.environ.get("KUSARI_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "kusari")
    return os.path.join(root, "native")


def _build(key: str, source: str):
    fn = _loaded.get(key)
    if fn is not None:
        return fn
    directory = cache_dir()
    path = os.path.join(directory, f"k{key}.so")
    for attempt in (0, 1):
        if attempt or not os.path.exists(path):
            _compile(directory, path, source)
        try:
            lib = ctypes.CDLL(path)
            os.utime(path)                 # recently used: the last to be pruned
            break
        except OSError:
            if attempt:                    # (another process pruned it meanwhile:
                raise                      # compile it again, once)
    fn = getattr(lib, SYMBOL)
    fn.argtypes = _ARGTYPES
    fn.restype = ctypes.c_ssize_t
    if len(_loaded) < 4096:        # (a library once loaded stays mapped: ctypes
        _loaded[key] = fn          # has no safe unload while a plan may hold it)
    return fn


def _compile(directory: str, path: str, source: str) -> None:
    os.makedirs(directory, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        src = os.path.join(tmp, "kernel.c")
        with open(src, "w") as f:
            f.write(source)
        out = os.path.join(tmp, "kernel.so")
        done = subprocess.run([*_state["compiler"], *_state["flags"], src, "-o", out, "-lm"],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(_state['compiler'])} failed on a generated "
                               f"kernel: {done.stderr.strip()[:2000]}")
        os.replace(out, path)          # whole, or not there: other processes read it
    _prune(directory)


def _prune(directory: str) -> None:
    try:
        files = [os.path.join(directory, f) for f in os.listdir(directory)
                 if f.endswith(".so")]
        if len(files) <= MAX_FILES:
            return
        files.sort(key=os.path.getmtime)
        for f in files[:len(files) - MAX_FILES]:
            os.unlink(f)
    except OSError:
        pass
