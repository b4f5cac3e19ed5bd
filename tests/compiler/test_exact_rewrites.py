"""Compiled code computes what eager code computes, bit for bit: every rewrite
the simplifier applies by default is exact for every input, infinities, NaN
and signed zeros included. Each rewrite that was not gets its test here
(eager, compiled and plain NumPy on the inputs where it went wrong); the
inexact ones still run with Options(fast_math=True)."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.compiler import Graph, Options, spine
from kusari.compiler.ir import ArrayConst
from kusari.runtime import NUMPY

INF, NAN = np.inf, np.nan


def same_bits(a, b) -> np.ndarray:
    """Elementwise: equal, signed zeros told apart, NaN equal to NaN."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, a.dtype, b.shape, b.dtype)
    both_nan = np.isnan(a) & np.isnan(b) if a.dtype.kind == "f" else False
    return both_nan | ((a == b) & (np.signbit(a) == np.signbit(b)))


def assert_same_bits(actual, expected, what=""):
    ok = same_bits(actual, expected)
    assert ok.all(), f"{what}: {np.asarray(actual)[~ok]} != {np.asarray(expected)[~ok]}"


def compiled(f, *arrays, fast_math=False):
    g = kusari.trace(f, *arrays)
    out = spine.compile(g, NUMPY, Options(fast_math=fast_math)).fn(*arrays)
    return out[0] if len(out) == 1 else out


def run(g: Graph, *arrays):
    out = kusari.compile(g)(*arrays)
    return out[0] if isinstance(out, tuple) else out


def eager(f, *arrays):
    return f(*[Variable(a) for a in arrays]).array


def check(f, ref, *arrays):
    """eager == compiled == plain NumPy, bit for bit."""
    with np.errstate(all="ignore"):
        want = np.asarray(ref(*arrays))
        assert_same_bits(eager(f, *arrays), want, "eager")
        assert_same_bits(compiled(f, *arrays), want, "compiled")


def differs_with_fast_math(f, *arrays):
    """fast_math applies the rewrite: the compiled result changes."""
    with np.errstate(all="ignore"):
        fast = compiled(f, *arrays, fast_math=True)
        assert not same_bits(fast, eager(f, *arrays)).all()


X = np.array([-2.0, -1.0, -0.0, 0.0, 1.0, 3.0, INF, -INF, NAN, 1e300, 1e-310])


def test_exp_of_log_is_not_x():
    f = lambda x: F.exp(F.log(x))                      # noqa: E731
    check(f, lambda x: np.exp(np.log(x)), X)           # NaN below zero, 0 at -0.0
    differs_with_fast_math(f, X)


def test_log_of_exp_is_not_x():
    f = lambda x: F.log(F.exp(x))                      # noqa: E731
    big = np.array([1000.0, -1000.0, 0.1, NAN])
    check(f, lambda x: np.log(np.exp(x)), big)         # inf and -inf, not 1000
    differs_with_fast_math(f, big)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_times_zero_is_not_zero(dtype):
    x = X.astype(dtype)
    for f, ref in [(lambda v: v * 0.0, lambda a: a * dtype(0)),
                   (lambda v: 0.0 * v, lambda a: dtype(0) * a)]:
        check(f, ref, x)                               # NaN at inf and NaN, -0.0 below 0
        differs_with_fast_math(f, x)


def test_integer_times_zero_is_zero():
    g = kusari.trace(lambda v: v * 0, np.arange(3))
    kusari.compiler.optimize(g)
    assert g.op(g.outputs[0]) == "const"


def test_plus_zero_is_not_x():
    x = np.array([-0.0, 0.0, 1.0, NAN])
    check(lambda v: v + 0.0, lambda a: a + 0.0, x)     # -0.0 + 0.0 is +0.0
    check(lambda v: 0.0 + v, lambda a: 0.0 + a, x)
    differs_with_fast_math(lambda v: v + 0.0, x)
    # x + (-0.0) is x, exactly: simplified
    g = kusari.trace(lambda v: v + (-0.0), x)
    kusari.compiler.optimize(g)
    assert g.outputs[0] == g.inputs[0]
    check(lambda v: v + (-0.0), lambda a: a + (-0.0), x)


def test_minus_zero():
    x = np.array([-0.0, 0.0, 2.0, -INF, NAN])
    check(lambda v: v - 0.0, lambda a: a - 0.0, x)                # exact: simplified
    check(lambda v: v - (-0.0), lambda a: a - (-0.0), x)          # -0.0 - -0.0 is +0.0
    differs_with_fast_math(lambda v: v - (-0.0), x)


def test_zero_minus_x_is_not_minus_x():
    x = np.array([0.0, -0.0, 1.0])
    check(lambda v: 0.0 - v, lambda a: 0.0 - a, x)     # 0 - 0 is +0.0, -(0) is -0.0
    differs_with_fast_math(lambda v: 0.0 - v, x)
    check(lambda v: -0.0 - v, lambda a: -0.0 - a, x)   # exact: -x
    g = kusari.trace(lambda v: -0.0 - v, x)
    kusari.compiler.optimize(g)
    assert g.op(g.outputs[0]) == "neg"


def test_negated_difference_is_not_reversed_difference():
    a = np.array([1.0, 2.0, 0.0, -0.0])
    b = np.array([1.0, 3.0, 0.0, 0.0])
    f = lambda p, q: -(p - q)                          # noqa: E731
    check(f, lambda p, q: -(p - q), a, b)              # a = b: -0.0, not +0.0
    differs_with_fast_math(f, a, b)


def test_minus_a_minus_b_is_not_minus_sum():
    a = np.array([1.0, 2.0])
    b = np.array([-1.0, 3.0])
    f = lambda p, q: (-p) - q                          # noqa: E731
    check(f, lambda p, q: (-p) - q, a, b)              # a = -b: +0.0, not -(0.0)
    differs_with_fast_math(f, a, b)
    # -b - b is -(2 b), exactly, also at zero
    z = np.array([0.0, -0.0, 1.5, INF])
    check(lambda q: (-q) - q, lambda q: (-q) - q, z)


@pytest.mark.parametrize("p", [-2, -3, 3, 4, -4])
def test_small_powers_stay_powers(p):
    # x * x overflows where x ** -2 is a subnormal; x * x * x rounds twice
    x = np.array([1e160, -1e160, 1e-160, 3.3, 0.7, -1.1, 1e103, 1e-80, 1e77, 1e80, -0.0, INF])
    with np.errstate(all="ignore"):
        want = np.array([np.power(v, float(p)) for v in x])
    check(lambda v: v ** p, lambda a: want, x)
    differs_with_fast_math(lambda v: v ** p, x)


def test_power_of_one_half_is_not_sqrt_below_zero_in_fast_math_only():
    x = np.array([-0.0, -INF, 4.0])
    # kusari's pow at exponent 0.5 is sqrt (NumPy's scalar exponent), whatever
    # the exponent's layout: a Python scalar, an array, a folded constant
    check(lambda v: v ** 0.5, lambda a: np.sqrt(a), x)
    half = np.full(3, 0.5)
    check(lambda v: v ** half, lambda a: np.sqrt(a), x)
    check(lambda v: v ** F.broadcast_to(np.array(0.5), (3,)), lambda a: np.sqrt(a), x)


def test_pow_does_not_depend_on_the_exponent_layout():
    """NumPy's own power gives other bits for an array of 2.0s than for the
    scalar 2.0 (x * x); a constant array folded to a scalar once changed
    the result."""
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(4000) * 1e3).astype(np.float32)
    for p in (2.0, -1.0, 0.5):
        arr = np.full(x.shape, p, np.float32)
        with np.errstate(all="ignore"):
            want = x ** p                               # the scalar exponent
        check(lambda v: v ** arr, lambda a: want, x)
        check(lambda v: v ** p, lambda a: want, x)


def test_where_of_two_zeros_keeps_their_signs():
    c = np.array([True, False, True])
    x = np.zeros(3)
    f = lambda cond, v: F.where(cond, v * 0.0 + 0.0, v * 0.0 - 0.0) + \
        F.where(cond, np.zeros(3), np.full(3, -0.0))          # noqa: E731
    g = Graph("w")
    cn = g.add_input((3,), np.bool_)
    out = g.add("where", [cn, g.add_const(0.0, np.float64, (3,)), g.add_const(-0.0, np.float64)])
    g.outputs = [out]
    got = run(g, c)
    assert_same_bits(got, np.where(c, 0.0, -0.0))
    check(f, lambda cond, v: np.where(cond, v * 0.0 + 0.0, v * 0.0 - 0.0) +
          np.where(cond, 0.0, -0.0), c, x)


def test_constant_arrays_of_zeros_keep_their_signs():
    g = Graph("z")
    x = g.add_input((2,), np.float64)
    zeros = g.add_const(ArrayConst(np.array([0.0, -0.0])), np.float64)
    g.outputs = [g.add("mul", [x, zeros])]
    got = run(g, np.array([1.0, 1.0]))
    assert_same_bits(got, np.array([0.0, -0.0]))


def test_mean_of_a_constant_overflows_as_numpy_does():
    g = Graph("m")
    x = g.add_input((), np.float64)
    big = g.add_const(1e308, np.float64, (2, 3))
    g.outputs = [g.add("add", [x, g.add("mean", [big], axis=(0, 1), keepdims=False)])]
    with np.errstate(all="ignore"):
        want = np.mean(np.full((2, 3), 1e308))
    got = run(g, np.array(0.0))
    assert_same_bits(got, np.float64(0.0) + want)
    assert np.isinf(want)


def test_constants_gathered_across_products_only_in_fast_math():
    x = np.array([1e308, -1e308, 3.0])
    f = lambda v: (v * 4.0) * 0.25                     # noqa: E731
    check(f, lambda a: (a * 4.0) * 0.25, x)            # inf, not 1e308
    differs_with_fast_math(f, x)


def test_identities_keep_the_result_dtype():
    """x / 1 for integers is a float; a sum over no axes of int8 is an int64."""
    i = np.array([3, -2], np.int8)
    for op, fn in [("div", np.true_divide), ("mul", np.multiply), ("pow", np.power)]:
        g = Graph("t")
        a = g.add_input((2,), np.int8)
        g.outputs = [g.add(op, [a, g.add_const(1, np.int8)])]
        assert_same_bits(run(g, i), fn(i, np.int8(1)), op)
    g = Graph("s")
    a = g.add_input((2,), np.int8)
    g.outputs = [g.add("sum", [a], axis=(), keepdims=False)]
    assert_same_bits(run(g, i), np.sum(i, axis=()), "sum")


def test_fast_math_is_part_of_the_cache_key():
    g = kusari.trace(lambda v: v * 0.0, X)
    exact = spine.compile(g, NUMPY, Options())
    fast = spine.compile(g, NUMPY, Options(fast_math=True))
    assert exact is not fast
    with np.errstate(all="ignore"):
        assert np.isnan(exact.fn(X)[0][6]) and fast.fn(X)[0][6] == 0
