"""The compile spine: one cache keyed by (structural key, backend, options),
bounded by count and by bytes, every miss explained."""
from __future__ import annotations

import numpy as np

import kusari
import kusari.functions as F
from kusari.compiler import cache_log, explain_cache, spine
from kusari.runtime import NUMPY


def graph(scale: float, n: int = 3):
    return kusari.trace(lambda x: F.tanh(x) * scale, np.ones(n, np.float32))


class Recording:
    """A backend that counts what it generates (delegating to NumPy's)."""

    name = "recording"

    def __init__(self):
        self.generated = 0

    def generate(self, g, options):
        self.generated += 1
        return NUMPY.generate(g, options)


def test_one_entry_per_structure_backend_and_options():
    spine.clear_cache()
    other = Recording()
    a = spine.compile(graph(2.0), NUMPY)
    assert spine.compile(graph(2.0), NUMPY) is a                 # equal structure: a hit
    assert spine.compile(graph(2.0), other) is not a             # another backend
    assert spine.compile(graph(2.0), other) is not a and other.generated == 1
    raw = spine.compile(graph(2.0), NUMPY, spine.Options(optimize=False))
    assert raw is not a                                          # other options
    x = np.linspace(-1, 1, 3).astype(np.float32)
    np.testing.assert_array_equal(a.fn(x)[0], raw.fn(x)[0])


def test_bounded_by_count(monkeypatch):
    spine.clear_cache()
    monkeypatch.setattr(spine, "MAX_EXECUTABLES", 3)
    for k in range(6):
        spine.compile(graph(float(k + 2)), NUMPY)
    assert spine.cache_info()["executables"] == 3


def test_bounded_by_bytes(monkeypatch):
    spine.clear_cache()
    one = spine.compile(graph(2.0, n=1000), NUMPY).nbytes
    assert one > 0
    monkeypatch.setattr(spine, "MAX_BYTES", int(one * 2.5))
    for k in range(6):
        spine.compile(graph(float(k + 3), n=1000), NUMPY)
    info = spine.cache_info()
    assert info["executables"] <= 3 and info["bytes"] <= info["max_bytes"]


def test_every_miss_is_explained():
    spine.clear_cache()
    cache_log.clear()
    spine.compile(graph(2.0), NUMPY, purpose="compile")
    spine.compile(graph(2.0), NUMPY, purpose="compile")          # a hit: nothing logged
    spine.compile(graph(5.0), NUMPY, purpose="compile", why=lambda: "a new scale")
    assert [str(e) for e in explain_cache()] == [
        "compile lambda: a new graph (4 nodes)", "compile lambda: a new scale"]
