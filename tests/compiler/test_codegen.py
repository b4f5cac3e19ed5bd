"""Generated NumPy code: executes and matches eager results, blocked or not."""
from __future__ import annotations

import numpy as np

import kusari
import pytest

import kusari.compiler as kc
import kusari.functions as F
from kusari.compiler.codegen import numpy_gen
from kusari.runtime import blocked

EXPR = (lambda a, b: F.sin(a) * F.exp(-b) + a * b ** 2 - F.tanh(a * b),
        lambda a, b: np.sin(a) * np.exp(-b) + a * b ** 2 - np.tanh(a * b))

BLOCK = 4096   # tests force small blocks so odd sizes cross many boundaries


def _clear_caches():
    kc.clear_cache()              # (code generated under other settings)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    _clear_caches()
    monkeypatch.setattr(numpy_gen, "BLOCKED_MIN", 1)
    monkeypatch.setattr(blocked, "MAX_BLOCK", BLOCK)
    monkeypatch.setattr(blocked, "MIN_BLOCK", BLOCK)
    yield
    _clear_caches()


def rand(shape, dtype, seed=0, lo=-1.0, hi=1.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape).astype(dtype)


def compiled(f, *arrays):
    return kusari.compile(kusari.trace(f, *arrays))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17])
def test_fused_expression_odd_sizes(n, dtype):
    a, b = rand(n, dtype, 1), rand(n, dtype, 2)
    f = compiled(EXPR[0], a, b)
    if n:
        assert "run block by block" in f.source
    out = f(a, b)
    assert out.dtype == dtype and out.shape == (n,)
    np.testing.assert_allclose(out, EXPR[1](a, b), rtol=1e-6 if dtype == np.float32 else 1e-14)


@pytest.fixture
def use_threads(monkeypatch):
    """use_threads(n): kernels run on n threads (KUSARI_THREADS) for this test."""
    def use(n):
        monkeypatch.setenv("KUSARI_THREADS", n)
        monkeypatch.setattr(blocked, "PER_THREAD", 1)     # small tests use threads too
        blocked.set_workers(None)
    yield use
    monkeypatch.delenv("KUSARI_THREADS", raising=False)
    blocked.set_workers(None)


@pytest.mark.parametrize("threads", ["1", "2"])
def test_threads_give_the_same_result(threads, use_threads):
    use_threads(threads)
    a, b = rand(5 * BLOCK + 3, np.float64, 3), rand(5 * BLOCK + 3, np.float64, 4)
    np.testing.assert_allclose(compiled(*EXPR[:1], a, b)(a, b), EXPR[1](a, b), rtol=1e-14)


@pytest.mark.parametrize("shapes", [((300, 50), (50,)), ((300, 50), (300, 1)),
                                    ((7, 300, 5), (300, 1)), ((2, 3, 4000), (4000,)),
                                    ((5000, 3), ())], ids=str)
def test_broadcast_operands_are_sliced_right(shapes):
    sa, sb = shapes
    a, b = rand(sa, np.float64, 5), rand(sb, np.float64, 6)
    f = compiled(lambda x, y: F.tanh(x * y) + x, a, b)
    np.testing.assert_allclose(f(a, b), np.tanh(a * b) + a, rtol=1e-14)


def test_non_contiguous_inputs():
    a = rand((400, 60), np.float64, 7)
    f = compiled(lambda x: F.exp(x) * 2 + x, a.T)
    np.testing.assert_allclose(f(a.T), np.exp(a.T) * 2 + a.T, rtol=1e-14)
    f = compiled(lambda x: F.exp(x) * 2 + x, a[::2])
    np.testing.assert_allclose(f(a[::2]), np.exp(a[::2]) * 2 + a[::2], rtol=1e-14)


@pytest.mark.parametrize("op,ref", [(F.sum, np.sum), (F.max, np.max), (F.min, np.min)])
@pytest.mark.parametrize("shape,axis", [((3 * BLOCK + 5,), None), ((300, 70), 0),
                                        ((300, 70), 1), ((300, 70), None),
                                        ((6, 90, 80), (0, 2)), ((6, 90, 80), 1)], ids=str)
@pytest.mark.parametrize("threads", ["1", "2"])
def test_closing_reductions(op, ref, shape, axis, threads, use_threads):
    use_threads(threads)
    x = rand(shape, np.float64, 8)
    f = compiled(lambda v: op(F.tanh(v) * 3, axis=axis), x)
    assert "axis=axes, keepdims=True" in f.source      # the reduction closed the kernel
    # blocked sums add in another order: errors scale with the terms (|t| <= 3)
    np.testing.assert_allclose(f(x), ref(np.tanh(x) * 3, axis=axis), rtol=1e-12,
                               atol=3e-16 * x.size)


def test_sum_to_closes_and_gradients_fuse():
    x = rand((500, 40), np.float32, 9)
    w = rand((40,), np.float32, 10)
    g = kc.grad(kusari.trace(lambda a, b: F.sum(F.tanh(a * b)), x, w))
    f = kusari.compile(g)
    t = np.tanh(x.astype(np.float64) * w)
    gx, gw = f(x, w)
    np.testing.assert_allclose(gx, (1 - t ** 2) * w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gw, ((1 - t ** 2) * x).sum(axis=0), rtol=1e-4)


def test_where_and_comparisons_in_blocks():
    x = rand(3 * BLOCK, np.float32, 11)
    f = compiled(lambda v: F.where(F.greater(v, 0), v * 2, v * -1), x)
    np.testing.assert_allclose(f(x), np.where(x > 0, x * 2, -x))
    g = kc.grad(kusari.trace(lambda v: F.sum(F.relu(v) * v), x))
    np.testing.assert_allclose(kusari.compile(g)(x), np.where(x > 0, 2 * x, 0), rtol=1e-6)


def test_outputs_never_alias_inputs_or_each_other():
    x = rand(10, np.float64, 12)
    g = kusari.trace(lambda v: (v.reshape(2, 5), F.broadcast_to(v, (3, 10)), v * 1, v * 1), x)
    a, b, c, d = kusari.compile(g)(x)
    for arr in (a, b, c, d):
        assert not np.shares_memory(arr, x)
        assert arr.flags.writeable
    assert not np.shares_memory(c, d)


def test_zero_dimensional_outputs_are_arrays():
    f = compiled(lambda v: F.sum(v) * 2, rand(5, np.float32))
    out = f(rand(5, np.float32))
    assert isinstance(out, np.ndarray) and out.shape == ()


def test_arena_reuses_buffers_across_kernels():
    x = rand((40, 30), np.float32, 13)
    w = rand((30, 30), np.float32, 14)
    f = compiled(lambda a, b: F.tanh(F.matmul(F.tanh(F.matmul(F.tanh(a * 2), b) * 2), b)
                                     * 2) + 1, x, w)
    assert f.source.count("np.empty(4800, np.uint8)") == 2      # two slots, four values
    want = np.tanh(np.tanh(np.tanh(x * 2) @ w * 2) @ w * 2) + 1
    np.testing.assert_allclose(f(x, w), want, rtol=1e-5)
    a, b = f(x, w), f(x, w)
    assert not np.shares_memory(a, b)                           # outputs are fresh


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.compiler.strategies import inputs_for, random_graph, reference  # noqa: E402


@settings(max_examples=80)
@given(random_graph(max_ops=16), st.integers(0, 2**31 - 1))
def test_blocked_code_on_random_graphs(g, seed):
    # (the fixture forces every fused kernel through blocks and the arena)
    xs = inputs_for(g, seed)
    got = kusari.compile(g)(*xs)
    got = got if isinstance(got, tuple) else (got,)
    for w, o in zip(reference(g, xs), got):
        np.testing.assert_allclose(o, w, rtol=1e-12, atol=1e-12)
