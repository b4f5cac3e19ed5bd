"""Kernel caches: hits for the same structure, recompiles (with a reason) for
new shapes and dtypes, never a stale kernel."""
from __future__ import annotations

import numpy as np

import kusari
import kusari.compiler as kc
import kusari.functions as F
from kusari import Variable, backprop
from kusari.compiler import cache_log, explain_cache


def events(kind):
    return [str(e) for e in explain_cache() if e.kind == kind]


def test_backward_plans_hit_and_explain_misses():
    cache_log.clear()
    backprop.clear_plans()
    with kusari.using_config("compile_threshold", 1):    # compile at first sight
        _backward_of_four_structures()
    assert events("backward") == [
        "backward from Sum (4 values): a graph structure not seen before",
        "backward from Sum (4 values): value #0 is float32[4, 3] (was float32[2, 3])",
        "backward from Sum (4 values): value #0 is float64[4, 3] (was float32[4, 3])",
        "backward from Sum (4 values): value #1 is op sin (was op tanh)",
    ]


def test_a_structure_is_compiled_when_seen_again(monkeypatch):
    _compiling_is_free(monkeypatch)     # the count alone decides
    cache_log.clear()
    backprop.clear_plans()
    _backward_of_four_structures()      # (2, 3) twice, then three structures once
    assert events("backward") == [
        "backward from Sum (4 values): a graph structure not seen before"]
    _backward_of_four_structures()      # now each is seen again
    assert len(events("backward")) == 4


def test_a_structure_is_compiled_once_its_eager_runs_cost_a_compile(monkeypatch):
    monkeypatch.setattr(backprop, "COMPILE_FIXED_S", 3600.0)  # compiling costs an hour
    cache_log.clear()
    backprop.clear_plans()
    for _ in range(5):
        _backward_of_four_structures()
    assert events("backward") == []
    _compiling_is_free(monkeypatch)
    _backward_of_four_structures()
    assert len(events("backward")) == 4


def _compiling_is_free(monkeypatch):
    monkeypatch.setattr(backprop, "COMPILE_FIXED_S", 0.0)
    monkeypatch.setattr(backprop, "_compile_rate", [0.0])
    monkeypatch.setattr(backprop, "_compiled", lambda n_values, seconds: None)


def _backward_of_four_structures():
    for shape in [(2, 3), (2, 3), (4, 3)]:
        x = Variable(np.ones(shape, np.float32))
        F.sum(F.tanh(x) * x).backward()
        assert x.grad.shape == shape
    x = Variable(np.ones((4, 3), np.float64))
    F.sum(F.tanh(x) * x).backward()
    assert x.grad.dtype == np.float64
    x = Variable(np.ones((4, 3), np.float64))
    F.sum(F.sin(x) * x).backward()
    np.testing.assert_allclose(x.grad, np.sin(1) + np.cos(1))


def test_compile_caches_by_structure():
    cache_log.clear()
    g1 = kusari.trace(lambda x: F.tanh(x) * 2, np.ones(3, np.float32))
    g2 = kusari.trace(lambda y: F.tanh(y) * 2, np.ones(3, np.float32))   # equal structure
    g3 = kusari.trace(lambda y: F.tanh(y) * 2, np.ones(4, np.float32))   # another shape
    f1, f2, f3 = kusari.compile(g1), kusari.compile(g2), kusari.compile(g3)
    assert f1 is f2 and f3 is not f1
    assert len(events("compile")) == 2
    assert f3(np.ones(4, np.float32)).shape == (4,)


def test_dtype_change_is_never_served_a_stale_kernel():
    f = kusari.jit(lambda x: x * 2 + 1)
    assert f(np.ones(3, np.float32)).dtype == np.float32
    assert f(np.ones(3, np.float64)).dtype == np.float64
    assert f(np.ones(3, np.float16)).dtype == np.float16
    assert len(f._entries) == 3
