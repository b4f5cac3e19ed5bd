"""Eager F.sum of a large contiguous float array over all its axes runs on
the worker threads, split where NumPy's pairwise summation splits: the same
bits as np.sum, and the same floating-point warnings and errors; where this
NumPy sums otherwise (NumPy 1's buffered order) it is np.sum itself."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import kusari.functions as F
from kusari import Variable, function_node
from kusari.runtime import blocked


@pytest.fixture(params=[2, 3, 4])
def threads(request, monkeypatch):
    monkeypatch.setattr(blocked, "PER_THREAD", 1 << 10)
    monkeypatch.setattr(function_node, "EAGER_PARALLEL", 1 << 12)
    blocked.set_workers(request.param)
    calls = []
    real = blocked.parallel_sum

    def counted(*a):
        out = real(*a)
        calls.append(out is not None)
        return out
    monkeypatch.setattr(function_node, "parallel_sum", counted)
    yield calls
    blocked.set_workers(None)


def _same(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(100_003,), (64, 1000), (3, 7, 4099), (1 << 15,)])
def test_bits_of_np_sum(threads, dtype, shape):
    rng = np.random.default_rng(sum(shape))
    x = (rng.standard_normal(shape) * rng.uniform(1, 1e4, shape)).astype(dtype)
    _same(F.sum(Variable(x)).array, np.sum(x))
    _same(F.sum(Variable(x), keepdims=True).array, np.sum(x, keepdims=True))
    _same(F.sum(Variable(x), axis=tuple(range(x.ndim))).array, np.sum(x))
    if blocked._numpy_sums_pairwise():
        assert all(threads) and len(threads) == 3


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_special_values(threads, dtype):
    n = 50_000
    cases = [np.full(n, -0.0, dtype), np.zeros(n, dtype)]
    for positions, values in [([3], [np.nan]), ([n - 1], [np.inf]), ([0, n // 2], [np.inf, -np.inf]),
                              ([7, 40_000], [np.finfo(dtype).tiny, -np.finfo(dtype).max])]:
        x = np.ones(n, dtype)
        x[positions] = values
        cases.append(x)
    for x in cases:
        with np.errstate(all="ignore"):
            _same(F.sum(Variable(x)).array, np.sum(x))


def _caught(f, **state):
    with warnings.catch_warnings(record=True) as w, np.errstate(**state):
        warnings.simplefilter("always")
        try:
            out = f()
        except FloatingPointError as e:
            return None, [], str(e)
    return np.asarray(out).tobytes(), [str(m.message) for m in w], None


@pytest.mark.parametrize("state", [{"all": "warn"}, {"all": "raise"}, {"all": "ignore"},
                                   {"over": "raise", "invalid": "warn"}])
def test_errors_as_numpy_reports_them(threads, state):
    n = 60_000
    inf_minus_inf = np.ones(n, np.float32)
    inf_minus_inf[[5, n - 5]] = [np.inf, -np.inf]
    overflow = np.full(n, 3e38, np.float32)
    # each half finite, their sum overflowing only where the halves add
    halves = np.zeros(n, np.float32)
    halves[[0, n - 1]] = 3e38
    for x in (inf_minus_inf, overflow, halves):
        assert _caught(lambda: F.sum(Variable(x)).array, **state) == \
            _caught(lambda: np.sum(x), **state)


def test_what_it_leaves_to_numpy(threads):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 200)).astype(np.float32)
    _same(F.sum(Variable(x), axis=0).array, np.sum(x, axis=0))           # one axis
    t = x.T                                                               # not contiguous
    _same(F.sum(Variable(t)).array, np.sum(t))
    i = rng.integers(0, 100, 60_000)                                      # integers
    _same(F.sum(Variable(i)).array, np.sum(i))
    assert threads == [False, False, False]    # each left to NumPy


def test_a_numpy_that_sums_otherwise_sums_itself(threads, monkeypatch):
    monkeypatch.setattr(blocked, "_pairwise", [False])
    x = np.random.default_rng(1).standard_normal(80_000).astype(np.float32)
    _same(F.sum(Variable(x)).array, np.sum(x))
    assert threads == [False]
