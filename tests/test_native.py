"""Native CPU kernels (compiler.codegen.native_gen, runtime.native): a fused
group of the registry's `native` ops runs as one C loop once compiled, and
gives NumPy's bits and NumPy's floating-point errors (warnings, raises) on
every input, special values included; in-place (donated) outputs stay
correct when a tile stops on a flag; without a compiler, or with
KUSARI_NATIVE=0, the NumPy blocks run."""
from __future__ import annotations

import itertools
import shutil
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kusari.compiler import ir, ops, spine
from kusari.compiler.codegen import native_gen, numpy_gen
from kusari.runtime import NUMPY, blocked, native

pytestmark = pytest.mark.skipif(not native.enabled(),
                                reason="no C compiler on the PATH (or KUSARI_NATIVE=0): "
                                       "native kernels are off")

NATIVE_OPS = sorted(name for name, opdef in ops.REGISTRY.items() if opdef.native)
DTYPES = [np.float32, np.float64]


@pytest.fixture(autouse=True)
def _setup(monkeypatch, tmp_path):
    monkeypatch.setenv("KUSARI_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(numpy_gen, "BLOCKED_MIN", 1)      # every fused group blocked
    monkeypatch.setattr(blocked, "MIN_BLOCK", 256)
    monkeypatch.setattr(blocked, "MAX_BLOCK", 256)
    monkeypatch.setattr(blocked, "PER_THREAD", 64)          # and split over threads
    blocked.set_workers(2)
    yield
    blocked.set_workers(None)


def _specials(dtype):
    info = np.finfo(dtype)
    return np.array([0.0, -0.0, 1.0, -1.0, 0.5, -3.0, np.inf, -np.inf, np.nan, info.max,
                     -info.max, info.tiny, info.tiny / 4, -info.tiny / 8, info.eps, 1e30,
                     2.0, 7.0, -0.25, 1e-30], dtype)


def _plans(exe):
    return [v for k, v in exe.fn.__globals__.items() if k.startswith("_plan")]


def _compile(g, donate=()):
    exe = spine.compile(g, NUMPY, spine.Options(donate=tuple(donate)))
    plans = _plans(exe)
    assert plans and all(p.native is not None for p in plans), exe.source
    return exe


def _load(exe):
    for p in _plans(exe):
        p.native.request()
    native.wait()
    assert all(p.native.fn is not None for p in _plans(exe))


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view(np.uint32 if a.dtype == np.float32 else np.uint64)


def _chain(op, dtype, n):
    """op applied to inputs, then `* 1` and `+ 0` around it: a group of three
    native ops (x * 1 is x exactly; y + (-0.0) is y, signed zeros included)."""
    g = ir.Graph(op)
    arity = len(ops.get(op).arg_names)
    xs = [g.add_input((n,), dtype) for _ in range(arity)]
    one = g.add_const(1.0, dtype)
    y = g.add(op, [g.add("mul", [x, one]) for x in xs])
    g.outputs = [g.add("add", [y, g.add_const(-0.0, dtype)])]
    return g, arity


def _run_both(g, args, errstate):
    """(NumPy blocks' outcome, native outcome): result bits, warnings, error."""
    exe = _compile(g)
    kernels = {p: p.native for p in _plans(exe)}
    outcomes = []
    for loaded in (False, True):
        for p, kernel in kernels.items():            # the NumPy blocks, then C
            p.native = kernel if loaded else None
        if loaded:
            _load(exe)
        with warnings.catch_warnings(record=True) as caught, np.errstate(**errstate):
            warnings.simplefilter("always")
            try:
                out, error = exe.fn(*[a.copy() for a in args])[0], None
            except FloatingPointError as e:
                out, error = None, str(e)
        # the warnings in order, each with the file it points at
        outcomes.append((None if out is None else _bits(out).tolist(),
                         [(str(w.message), w.filename) for w in caught], error))
    return outcomes


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", NATIVE_OPS)
def test_native_ops_give_numpys_bits_on_special_values(op, dtype):
    s = _specials(dtype)
    arity = len(ops.get(op).arg_names)
    g, _ = _chain(op, dtype, len(s) ** arity)
    args = [np.array(c, dtype) for c in zip(*itertools.product(s, repeat=arity))]
    want = ops.get(op).impl(*args)
    with np.errstate(all="ignore"):
        (np_bits, _, _), (c_bits, _, _) = _run_both(g, args, {"all": "ignore"})
    assert c_bits == np_bits == _bits(want.astype(dtype)).tolist()


@pytest.mark.parametrize("state", [{"all": "warn"}, {"all": "raise"},
                                   {"divide": "raise", "invalid": "warn"},
                                   {"over": "warn", "under": "warn"}])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", NATIVE_OPS)
def test_native_ops_report_numpys_floating_point_errors(op, dtype, state):
    s = _specials(dtype)
    arity = len(ops.get(op).arg_names)
    g, _ = _chain(op, dtype, len(s) ** arity)
    args = [np.array(c, dtype) for c in zip(*itertools.product(s, repeat=arity))]
    numpy_blocks, compiled = _run_both(g, args, state)
    assert compiled == numpy_blocks


def _adam_like(n, dtype):
    """p, m updated in place (donated): m += 0.1 (g - m); p -= lr m / sqrt(v)."""
    g = ir.Graph("update")
    p, m, grad, v = (g.add_input((n,), dtype) for _ in range(4))
    lr = g.add_input((), dtype)
    m_new = g.add("add", [m, g.add("mul", [g.add_const(0.1, dtype),
                                           g.add("sub", [grad, m])])])
    step = g.add("div", [g.add("mul", [lr, m_new]), g.add("sqrt", [v])])
    g.outputs = [g.add("sub", [p, step]), m_new]
    return g


@pytest.mark.parametrize("where", ["none", "first", "middle", "last"])
def test_in_place_outputs_survive_a_tile_that_stops_on_a_flag(where):
    n = 5000
    rng = np.random.default_rng(1)
    p, m, grad = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
    v = rng.uniform(0.5, 2, n).astype(np.float32)
    at = {"none": None, "first": 3, "middle": n // 2 + 7, "last": n - 1}[where]
    if at is not None:
        v[at] = 0.0                                    # divide by zero: inf, warned
    lr = np.float32(0.01)
    m_want = m + np.float32(0.1) * (grad - m)
    with np.errstate(divide="ignore"):
        p_want = p - lr * m_want / np.sqrt(v)
    exe = _compile(_adam_like(n, np.float32), donate=((0, 0), (1, 1)))
    _load(exe)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        p_out, m_out = exe.fn(p, m, grad, v, np.asarray(lr))
    assert p_out is p and m_out is m                   # written in place
    np.testing.assert_array_equal(m, m_want)
    np.testing.assert_array_equal(p, p_want)
    assert [str(w.message) for w in caught] == \
        ([] if at is None else ["divide by zero encountered in divide"])


def test_a_numpy_scalar_operand_is_read_as_its_dtype():
    g = _adam_like(3000, np.float64)
    exe = _compile(g)
    _load(exe)
    rng = np.random.default_rng(2)
    p, m, grad = (rng.standard_normal(3000) for _ in range(3))
    v = rng.uniform(0.5, 2, 3000)
    want = exe.fn(p.copy(), m.copy(), grad, v, np.asarray(0.25))
    got = exe.fn(p.copy(), m.copy(), grad, v, np.float64(0.25))
    for w, o in zip(want, got):
        np.testing.assert_array_equal(o, w)


def test_groups_outside_the_native_ops_stay_numpy():
    g = ir.Graph("mixed")
    x = g.add_input((4096,), np.float32)
    g.outputs = [g.add("add", [g.add("exp", [x]), g.add("mul", [x, x])])]
    exe = spine.compile(g, NUMPY, spine.Options())
    assert all(p.native is None for p in _plans(exe))
    assert native_gen.c_kernel is not None


def test_off_switch(monkeypatch):
    monkeypatch.setattr(native, "_state", {})
    monkeypatch.setenv("KUSARI_NATIVE", "0")
    assert not native.enabled()
    monkeypatch.setattr(native, "_state", {})
    monkeypatch.setenv("KUSARI_NATIVE", "1")
    monkeypatch.setenv("CC", "no-such-compiler-kusari")
    assert not native.enabled()


def test_a_kernel_compiles_only_the_second_time_its_plan_runs():
    g = _adam_like(3000, np.float32)
    exe = _compile(g)
    plan = _plans(exe)[0]
    rng = np.random.default_rng(3)
    args = [rng.standard_normal(3000).astype(np.float32) for _ in range(3)] + \
        [rng.uniform(1, 2, 3000).astype(np.float32), np.asarray(np.float32(0.5))]
    exe.fn(*[a.copy() for a in args])
    assert plan.native.future is None
    exe.fn(*[a.copy() for a in args])
    assert plan.native.future is not None
    native.wait()
    first = exe.fn(*[a.copy() for a in args])
    assert plan.native.fn is not None
    with np.errstate(all="ignore"):
        m = args[1] + np.float32(0.1) * (args[2] - args[1])
        want = args[0] - args[4] * m / np.sqrt(args[3])
    np.testing.assert_array_equal(first[0], want)


_BINARY = [n for n in NATIVE_OPS if len(ops.get(n).arg_names) == 2]
_UNARY = [n for n in NATIVE_OPS if len(ops.get(n).arg_names) == 1]


@st.composite
def _native_graph(draw):
    dtype = draw(st.sampled_from(DTYPES))
    n = draw(st.integers(1, 3000))
    g = ir.Graph("random")
    values = [g.add_input((n,), dtype) for _ in range(draw(st.integers(1, 3)))]
    values.append(g.add_input((), dtype))
    for _ in range(draw(st.integers(3, 14))):
        if draw(st.booleans()):
            op = draw(st.sampled_from(_BINARY))
            a, b = draw(st.sampled_from(values)), draw(st.sampled_from(values))
            if draw(st.booleans()):
                b = g.add_const(draw(st.sampled_from([0.5, -2.0, 3.0, 1e-3])), dtype)
            args = [a, b]
        else:
            args = [draw(st.sampled_from(values))]
            op = draw(st.sampled_from(_UNARY))
        if all(g.shape(a) == () for a in args):
            args[0] = values[0]
        values.append(g.add(op, args))
    g.outputs = [values[-1]] + draw(st.lists(st.sampled_from(values[-4:]), max_size=2))
    g.outputs = [o for o in dict.fromkeys(g.outputs) if g.shape(o) == (n,)] or [values[-1]]
    return g


@settings(max_examples=25, deadline=None)
@given(_native_graph(), st.integers(0, 2**31 - 1))
def test_random_groups_of_native_ops_give_numpys_bits(g, seed):
    rng = np.random.default_rng(seed)
    xs = [rng.uniform(-3, 3, g.shape(i)).astype(g.dtype(i)) for i in g.inputs]
    exe = spine.compile(g, NUMPY, spine.Options())
    kernels = {p: p.native for p in _plans(exe)}
    with np.errstate(all="ignore"):
        for p in kernels:
            p.native = None
        want = [np.array(o) for o in exe.fn(*xs)]
        for p, kernel in kernels.items():
            p.native = kernel
            if kernel is not None:
                kernel.request()
        native.wait()
        got = exe.fn(*xs)
    for w, o in zip(want, got):
        assert _bits(o).tolist() == _bits(w).tolist()


def test_the_generated_c_compiles_without_warnings(tmp_path):
    cc = shutil.which("cc")
    if cc is None:
        pytest.skip("no cc")
    g = _adam_like(100, np.float32)
    exe = _compile(g)
    for name, value in exe.fn.__globals__.items():
        if name.startswith("_c"):
            src = tmp_path / "k.c"
            src.write_text(value)
            import subprocess
            done = subprocess.run([cc, *native.FLAGS, "-Wall", "-Wextra", "-Werror",
                                   str(src), "-o", str(tmp_path / "k.so")],
                                  capture_output=True, text=True)
            assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("state", [{"all": "warn"}, {"all": "raise"},
                                   {"over": "raise", "invalid": "warn"}])
def test_warnings_in_numpys_order_and_number_across_blocks(monkeypatch, threads, state):
    # real proportions: tiles of 1024 inside blocks of 4096, over 1-3 threads
    monkeypatch.setattr(blocked, "MIN_BLOCK", 4096)
    monkeypatch.setattr(blocked, "MAX_BLOCK", 4096)
    monkeypatch.setattr(blocked, "PER_THREAD", 4096)
    blocked.set_workers(threads)
    n = 6 * 4096 + 100
    g = ir.Graph("sqrt2")
    x = g.add_input((n,), np.float32)
    g.outputs = [g.add("sqrt", [g.add("mul", [x, g.add_const(2.0, np.float32)])])]
    for marks in ([(1100, -1.0), (4096 + 10, 3e38)],          # two blocks, two ops
                  [(1100, -1.0), (4096 + 10, -1.0)],          # the same message twice
                  [(5000, 3e38), (5001, -1.0), (n - 1, -1.0)],
                  [(3 * 4096 + 1023, -1.0), (3 * 4096 + 1024, 3e38)]):
        a = np.ones(n, np.float32)
        for at, v in marks:
            a[at] = v
        numpy_blocks, compiled = _run_both(g, [a], state)
        assert compiled == numpy_blocks


def test_arrays_that_do_not_fit_the_kernel_go_to_numpy():
    n = 3000
    exe = _compile(_adam_like(n, np.float32), donate=((0, 0), (1, 1)))
    _load(exe)
    rng = np.random.default_rng(4)
    p, m, grad = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
    v = rng.uniform(1, 2, n).astype(np.float32)
    lr = np.asarray(np.float32(0.5))
    # a 0-d gradient where the graph has n elements: NumPy broadcasts it
    p1, m1 = p.copy(), m.copy()
    out = exe.fn(p1, m1, np.asarray(np.float32(0.25)), v, lr)
    want_m = m + np.float32(0.1) * (np.float32(0.25) - m)
    np.testing.assert_array_equal(out[1], want_m)
    # a donated buffer too small or read-only: NumPy's error, nothing written past it
    with pytest.raises(ValueError):
        exe.fn(np.zeros(1, np.float32), m.copy(), grad, v, lr)
    frozen = p.copy()
    frozen.flags.writeable = False
    with pytest.raises(ValueError):
        exe.fn(frozen, m.copy(), grad, v, lr)
    np.testing.assert_array_equal(frozen, p)


def test_a_fork_while_compiling_lets_the_child_compile_again():
    kernel = native.Kernel(native_gen.c_kernel.__doc__ or "")   # (any source: never built)
    stuck = native.Future()
    kernel.future = stuck
    native._pending.add(kernel)
    native._forget_compiler()              # what a forked child runs
    assert kernel.future is None and kernel not in native._pending


def test_the_process_does_not_wait_for_a_compile_at_exit(tmp_path):
    import os
    import subprocess
    import sys
    import textwrap
    import time
    slow = tmp_path / "slowcc"
    slow.write_text("#!/bin/sh\nsleep 60\n")
    slow.chmod(0o755)
    script = textwrap.dedent("""
        import numpy as np
        from kusari.compiler import ir, spine
        from kusari.runtime import NUMPY
        g = ir.Graph("u")
        x = g.add_input((300000,), np.float32)
        g.outputs = [g.add("mul", [x, x])]
        exe = spine.compile(g, NUMPY, spine.Options())
        a = np.ones(300000, np.float32)
        for _ in range(3):
            exe.fn(a)
    """)
    env = dict(os.environ, CC=str(slow), KUSARI_CACHE_DIR=str(tmp_path / "cache"))
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], env=env, timeout=50,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - start < 30
