"""First and second derivatives of every registry op and every public
function at special points: 0, -0.0, +-inf, NaN, huge (1e30, 3e38, 1e300),
tiny (1e-30, 1e-45, subnormals). Where the forward is finite, the
derivatives must be Chainer's (or the closed form where Chainer's rule is
NaN there), in both tiers: eager (op by op) and compiled. Where the forward
is NaN or infinite, the gradient may be too.

The table is tests/functions/special_cases.py; an op or function without an
entry there fails here."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from tests.functions.special_cases import CASES, Case, Expected, points
from tests.helpers import COMPILED, EAGER
from tests.test_coverage import public_functions, registry_ops

DTYPES = [np.float32, np.float64]
TIERS = {"eager": EAGER, "compiled": COMPILED}


def test_every_op_and_function_has_special_points():
    missing = [n for n in public_functions() + registry_ops() if n not in CASES]
    assert not missing, (f"no special-point entry for {missing}: add each to CASES in "
                         "tests/functions/special_cases.py")


def agree(actual, expected, dtype) -> np.ndarray:
    if isinstance(expected, Expected) and expected.also is not None:
        return _agree(actual, expected, dtype) | _agree(actual, expected.also, dtype)
    return _agree(actual, expected, dtype)


def _agree(actual, expected, dtype) -> np.ndarray:
    """Equal to a few units in the last place (of the value, or of the terms
    it sums where the reference gives their size); NaN where NaN is expected,
    the same infinity; differences below the smallest normal number
    (subnormal rounding) and signs of zero are not counted."""
    info = np.finfo(dtype)
    scale, overflow = 0.0, False
    if isinstance(expected, Expected):
        expected, scale, overflow = expected.value, expected.scale, expected.overflow
    a = np.asarray(actual, np.float64) if dtype == np.float32 else np.asarray(actual)
    e = np.asarray(expected, a.dtype)
    with np.errstate(all="ignore"):
        size = np.maximum(np.abs(e), scale)
        close = np.abs(a - e) <= 16 * info.eps * size + 16 * info.tiny
    return (np.isnan(a) & np.isnan(e)) | (np.isinf(e) & (a == e)) | \
        (np.isfinite(e) & np.isfinite(a) & close) | (overflow & ~np.isfinite(a))


def as_tuple(y):
    return tuple(y) if isinstance(y, (tuple, list)) else (y,)


def variables(xs):
    return [Variable(x.copy(), requires_grad=x.dtype.kind == "f") for x in xs]


def first(case: Case, xs, ws, threshold):
    with kusari.using_config("compile_threshold", threshold):
        vs = variables(xs)
        ys = as_tuple(case.fn(*vs))
        diff = [v for v in vs if v.dtype.kind == "f"]
        gs = kusari.grad(list(ys), diff, grad_outputs=[Variable(w) for w in ws])
    return [np.zeros(v.shape, v.dtype) if g is None else g.array for v, g in zip(diff, gs)]


def second(case: Case, xs, ws, directions, threshold):
    with kusari.using_config("compile_threshold", threshold):
        vs = variables(xs)
        ys = as_tuple(case.fn(*vs))
        diff = [v for v in vs if v.dtype.kind == "f"]
        gs = kusari.grad(list(ys), diff, grad_outputs=[Variable(w) for w in ws],
                         enable_double_backprop=True)
        total = None
        for g, d in zip(gs, directions):
            if g is not None:
                term = F.sum(g * d)
                total = term if total is None else total + term
        if total is None:
            return [np.zeros(v.shape, v.dtype) for v in diff]
        gs = kusari.grad([total], diff)
    return [np.zeros(v.shape, v.dtype) if g is None else g.array for v, g in zip(diff, gs)]


def describe(xs, bad) -> str:
    floats = [x for x in xs if x.dtype.kind == "f" and x.shape == bad.shape]
    return ", ".join(f"x{i}={x[bad][:6]}" for i, x in enumerate(floats))


def check_case(name, dtype):
    case = CASES[name]
    xs = case.inputs(dtype)
    with np.errstate(all="ignore"):
        ys = [np.asarray(y.array) for y in as_tuple(case.fn(*[Variable(x) for x in xs]))]
    if case.no_grad:
        floats = [v for v in variables(xs) if v.dtype.kind == "f"]
        out = as_tuple(case.fn(*floats))
        total = sum(F.sum(F.cast(y, floats[0].dtype) if y.dtype.kind != "f" else y) for y in out)
        for g in kusari.grad([total], floats):
            assert g is None or not np.any(g.array), f"{name}: a gradient flows back"
        return
    diff = [x for x in xs if x.dtype.kind == "f"]
    ws = case.ws(ys) if case.ws else [np.ones(y.shape, y.dtype) for y in ys]
    vs = case.vs(diff) if case.vs else [np.ones(x.shape, x.dtype) for x in diff]
    masks = case.defined(xs, ys) if case.defined else [np.ones(x.shape, bool) for x in diff]
    masks2 = case.defined2(xs, ys) if case.defined2 else masks
    with np.errstate(all="ignore"):
        want1 = case.d1(xs, ws, vs)
        want2 = case.d2(xs, ws, vs) if case.d2 else [np.zeros(x.shape, dtype) for x in diff]
    for tier, threshold in TIERS.items():
        with np.errstate(all="ignore"):
            got1 = first(case, xs, ws, threshold)
            got2 = second(case, xs, ws, vs, threshold)
        for order, got, want, ms in (("d1", got1, want1, masks), ("d2", got2, want2, masks2)):
            for k, (g, w, m) in enumerate(zip(got, want, ms)):
                value = w.value if isinstance(w, Expected) else w
                assert g.shape == value.shape, f"{name} {order}/dx{k}: {g.shape} != {value.shape}"
                bad = m & ~agree(g, w, dtype)
                assert not bad.any(), (f"{name} {order}/dx{k} ({tier}, {np.dtype(dtype).name}) "
                                       f"at {describe(xs, bad)}: got {g[bad][:6]}, "
                                       f"want {value[bad][:6]}")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", sorted(CASES))
def test_derivatives_at_special_points(name, dtype):
    check_case(name, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("p", [-1, -2])
def test_negative_powers_at_zero_and_infinity(p, dtype):
    """x ** -1 and x ** -2 at +-0 and +-inf, where the forward is infinite
    or zero: Chainer's p x^(p-1) and p (p-1) x^(p-2), to the second order,
    eager and compiled."""
    x = np.array([0.0, -0.0, np.inf, -np.inf], dtype)
    with np.errstate(all="ignore"):
        want1 = p * x ** float(p - 1)
        want2 = p * (p - 1) * x ** float(p - 2)
    case = Case(lambda v: v ** p, lambda dt: [x], None)
    ones = [np.ones(4, dtype)]
    for tier, threshold in TIERS.items():
        with np.errstate(all="ignore"):
            (g1,), (g2,) = first(case, [x], ones, threshold), second(case, [x], ones, ones,
                                                                     threshold)
        np.testing.assert_array_equal(g1, want1, err_msg=f"d1 ({tier})")
        np.testing.assert_array_equal(g2, want2, err_msg=f"d2 ({tier})")
        assert (np.signbit(g1) == np.signbit(want1)).all() and \
            (np.signbit(g2) == np.signbit(want2)).all(), (tier, g1, g2)


def test_points_include_what_issue_9_names():
    p32 = points(np.float32)
    for v in (0.0, np.inf, -np.inf, 1e30, np.float32(3e38), np.float32(1e-30),
              np.float32(1e-45)):
        assert np.any(p32 == v)
    assert np.isnan(p32).any() and np.any((p32 == 0) & np.signbit(p32))


@pytest.mark.parametrize("tier", sorted(TIERS))
def test_issue_9_examples(tier):
    """The gradients issue 9 names, as Chainer gives them."""
    def grad(f, x):
        with kusari.using_config("compile_threshold", TIERS[tier]):
            v = Variable(np.array(x))
            y = f(v)
            y.grad = np.ones_like(y.array)
            y.backward()
        return v.grad
    np.testing.assert_array_equal(grad(F.prod, [2.0, 0.0, 3.0]), [0, 6, 0])
    np.testing.assert_array_equal(grad(F.softplus, [0.0, -0.0]), [0.5, 0.5])
    np.testing.assert_array_equal(grad(F.elu, [1000.0, 1e30, 0.0]), [1, 1, 1])
    np.testing.assert_array_equal(grad(lambda v: F.elu(v, 0.5), [0.0, 1e300]), [0.5, 1])
    np.testing.assert_array_equal(grad(lambda v: F.leaky_relu(v, 0.1), [0.0, -0.0, 1.0]),
                                  [0.1, 0.1, 1.0])
