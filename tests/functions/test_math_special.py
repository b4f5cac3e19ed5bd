"""Special functions (erf family, normal distribution, lgamma, digamma,
polygamma, zeta): forward against 50-digit references (decimal_reference)
and Python's math module, element by element; first and second derivatives
against finite differences in float16/32/64; special values."""
from __future__ import annotations

import math

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.compiler.ops import gamma_kernels as gk
from kusari.compiler.ops import special_kernels as sk
from tests.functions import decimal_reference as R
from tests.helpers import check_all

DTYPES = [np.float16, np.float32, np.float64]

# name: (kusari function, 50-digit reference, domain for random points)
UNARY = {
    "erf": (F.erf, R.erf, (-3, 3)),
    "erfc": (F.erfc, R.erfc, (-3, 3)),
    "erfcx": (F.erfcx, R.erfcx, (-2, 4)),
    "erfinv": (F.erfinv, R.erfinv, (-0.9, 0.9)),
    "erfcinv": (F.erfcinv, R.erfcinv, (0.1, 1.9)),
    "ndtr": (F.ndtr, R.ndtr, (-3, 3)),
    "log_ndtr": (F.log_ndtr, R.log_ndtr, (-4, 3)),
    "ndtri": (F.ndtri, R.ndtri, (0.05, 0.95)),
    "lgamma": (F.lgamma, R.lgamma, (0.3, 5)),
    "digamma": (F.digamma, R.digamma, (0.3, 5)),
}

COVERS_TABLES = {"test_unary_derivatives": UNARY}
COVERS = {
    "polygamma": "test_polygamma_and_zeta_derivatives",
    "zeta": "test_polygamma_and_zeta_derivatives",
}


def ulp_error(got, want):
    """|got - want| in units of the last place of want (0 where both agree,
    NaN included)."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    with np.errstate(all="ignore"):
        err = np.abs(got - want) / np.maximum(np.spacing(np.abs(want)), 5e-324)
    return np.where(same, 0.0, err)


def points(rng, lo, hi, n=300):
    return np.concatenate([rng.uniform(lo, hi, n), 10.0 ** rng.uniform(-20, 0, 20)])


# -- forward, float64, to the last place ------------------------------------------

WIDE = {   # name: (points, max ulp)
    "erf": (lambda rng: np.concatenate([rng.uniform(-7, 7, 400), 10.0 ** rng.uniform(-300, 0, 50)]), 2),
    "erfc": (lambda rng: np.concatenate([rng.uniform(-7, 27, 400), rng.uniform(26, 30, 20)]), 4),
    "erfcx": (lambda rng: np.concatenate([rng.uniform(-26, 50, 400), 10.0 ** rng.uniform(0, 300, 30)]), 4),
    "ndtr": (lambda rng: rng.uniform(-38, 9, 400), 4),
    "log_ndtr": (lambda rng: np.concatenate([rng.uniform(-60, 40, 400), -(10.0 ** rng.uniform(1, 150, 30))]), 4),
    # (the inverses' references are Newton steps in decimal: fewer points)
    "erfinv": (lambda rng: np.concatenate([rng.uniform(-1, 1, 120), 1 - 10.0 ** rng.uniform(-16, -1, 30)]), 4),
    "erfcinv": (lambda rng: np.concatenate([rng.uniform(0, 2, 100), 10.0 ** rng.uniform(-320, -1, 30)]), 4),
    "ndtri": (lambda rng: np.concatenate([rng.uniform(0, 1, 100), 10.0 ** rng.uniform(-320, -1, 30)]), 4),
    "lgamma": (lambda rng: np.concatenate([rng.uniform(0, 12, 400), 10.0 ** rng.uniform(-300, 300, 50)]), 24),
    "digamma": (lambda rng: np.concatenate([rng.uniform(0, 12, 400), 10.0 ** rng.uniform(-300, 300, 50)]), 8),
}


@pytest.mark.parametrize("name", sorted(WIDE))
def test_float64_forward_to_the_last_place(name):
    """float64 results within a few ulp of the 50-digit reference, over the
    whole range (tails, tiny and huge arguments)."""
    rng = np.random.default_rng(sorted(WIDE).index(name))
    make, max_ulp = WIDE[name]
    x = make(rng)
    got = getattr(F, name)(x).array
    want = R.vec(UNARY[name][1], x)
    err = ulp_error(got, want)
    i = int(np.argmax(err))
    assert err[i] <= max_ulp, f"{name}({x[i]!r}) = {got[i]!r}, want {want[i]!r} ({err[i]} ulp)"


@pytest.mark.parametrize("name", ["lgamma", "digamma"])
def test_negative_arguments_and_roots(name):
    """Below zero (the reflection formula) and near the zeros, where the
    terms cancel: within a few ulp of the terms' size."""
    rng = np.random.default_rng(41)
    x = rng.uniform(-12, 3, 400)
    x = x[np.abs(x - np.rint(x)) > 1e-3]
    got = getattr(F, name)(x).array
    want = R.vec(UNARY[name][1], x)
    scale = np.maximum(np.abs(want), 1.0) if name == "lgamma" else \
        np.maximum(np.abs(want), np.abs(1 / (x - np.rint(x))))
    assert np.all(np.abs(got - want) <= 64 * np.spacing(scale))


def test_roots_of_digamma_and_lgamma():
    """digamma at its positive root and lgamma at 1 and 2 are zero; nearby
    values keep their relative precision."""
    root = 1.4616321449683623
    x = root * (1 + np.array([-1e-3, -1e-9, 0.0, 1e-12, 1e-6]))
    err = ulp_error(F.digamma(x).array, R.vec(R.digamma, x))
    assert err.max() <= 8
    assert F.lgamma(np.array([1.0, 2.0])).array.tolist() == [0.0, 0.0]
    near = np.array([1 + 1e-9, 2 - 1e-7, 1.01, 1.99, 2.3, 0.999, 1.5])
    err = ulp_error(F.lgamma(near).array, R.vec(R.lgamma, near))
    assert err.max() <= 8


def test_against_python_math():
    """erf, erfc and lgamma against Python's math module, element by element
    (CPython's lgamma is itself a few ulp off, and absolutely near its zeros)."""
    rng = np.random.default_rng(43)
    x = np.concatenate([rng.uniform(-6, 6, 500), rng.standard_normal(100) * 0.1])
    assert ulp_error(F.erf(x).array, [math.erf(v) for v in x]).max() <= 2
    assert ulp_error(F.erfc(x).array, [math.erfc(v) for v in x]).max() <= 4
    xl = rng.uniform(0.01, 30, 500)
    want = np.array([math.lgamma(v) for v in xl])
    assert np.all(np.abs(F.lgamma(xl).array - want) <= 32 * np.spacing(np.maximum(np.abs(want), 1)))


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_narrow_dtypes_round_the_float64_value(name, dtype):
    """float16 and float32 results are the float64 value rounded (within one
    unit of the dtype's last place), in the input's dtype."""
    fn, ref, (lo, hi) = UNARY[name]
    rng = np.random.default_rng(7)
    x = rng.uniform(lo, hi, 60).astype(dtype)
    y = fn(x)
    assert y.dtype == dtype
    want = R.vec(ref, x.astype(np.float64))
    got = y.array.astype(np.float64)
    one_ulp = np.spacing(np.abs(want).astype(dtype)).astype(np.float64)
    assert np.all(np.abs(got - want) <= one_ulp)


def test_special_values():
    inf, nan = np.inf, np.nan
    x = np.array([0.0, -0.0, inf, -inf, nan])

    def same(y, want):
        np.testing.assert_array_equal(np.asarray(y.array), np.array(want))
        assert np.array_equal(np.signbit(y.array), np.signbit(np.array(want)))

    same(F.erf(x), [0.0, -0.0, 1.0, -1.0, nan])
    same(F.erfc(x), [1.0, 1.0, 0.0, 2.0, nan])
    same(F.erfcx(x), [1.0, 1.0, 0.0, inf, nan])
    same(F.erfinv(np.array([0.0, -0.0, 1.0, -1.0, 1.5, nan])), [0.0, -0.0, inf, -inf, nan, nan])
    same(F.erfcinv(np.array([0.0, 1.0, 2.0, -0.5, 2.5, nan])), [inf, 0.0, -inf, nan, nan, nan])
    same(F.ndtr(x), [0.5, 0.5, 1.0, 0.0, nan])
    same(F.log_ndtr(x[2:]), [-0.0, -inf, nan])
    same(F.ndtri(np.array([0.0, 0.5, 1.0, -0.1, nan])), [-inf, 0.0, inf, nan, nan])
    same(F.lgamma(np.array([0.0, -1.0, -2.0, 1.0, 2.0, inf, -inf, nan])),
         [inf, inf, inf, 0.0, 0.0, inf, inf, nan])
    same(F.digamma(np.array([0.0, -1.0, inf, nan])), [-inf, nan, inf, nan])
    assert F.digamma(np.array([1.0])).array[0] == pytest.approx(-0.5772156649015329, rel=1e-15)
    zeta = F.zeta(np.array([2.0, 1.0, 0.5, 2.0, 3.0]), np.array([1.0, 1.0, 1.0, 0.0, -1.0]))
    same(zeta, [np.pi ** 2 / 6, inf, nan, inf, inf])
    assert F.zeta(4.0, np.array([1.0])).array[0] == pytest.approx(np.pi ** 4 / 90, rel=1e-15)
    # negative q and an integer s: the terms are summed through the poles' gaps
    assert F.zeta(2.0, np.array([-1.5])).array[0] == pytest.approx(
        1 / 2.25 + 1 / 0.25 + R.zeta(2.0, 0.5), rel=1e-14)


# -- derivatives -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_derivatives(name, dtype):
    fn, ref, (lo, hi) = UNARY[name]
    rng = np.random.default_rng(sorted(UNARY).index(name) + 100)
    x = rng.uniform(lo, hi, (2, 3)).astype(dtype)
    check_all(fn, lambda a: R.vec(ref, a), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_polygamma_and_zeta_derivatives(dtype):
    rng = np.random.default_rng(61)
    n = np.array([[0], [1], [2]], np.int32)                 # broadcast against x
    x = rng.uniform(0.6, 3.0, (1, 4)).astype(dtype)
    check_all(F.polygamma, lambda n_, x_: R.vec(lambda a, b: R.polygamma(int(a), b), n_, x_),
              [n, x], dtype, no_grad=(0,))
    s = np.array([2.0, 3.5, 5.0], dtype)
    q = rng.uniform(0.5, 3.0, (2, 3)).astype(dtype)
    check_all(lambda q_: F.zeta(s, q_), lambda q_: R.vec(R.zeta, s, q_), [q], dtype)


def test_gradients_are_the_next_functions():
    """d lgamma = digamma, d digamma = polygamma(1), d zeta(s, q)/dq = -s zeta(s + 1, q),
    d erfcx = 2 x erfcx - 2/sqrt(pi), to the third order (each a graph of ops)."""
    x = Variable(np.array([0.7, 1.9, 4.2]))
    g1, = kusari.grad([F.sum(F.lgamma(x))], [x], enable_double_backprop=True)
    np.testing.assert_allclose(g1.array, F.digamma(x.array).array, rtol=1e-14)
    g2, = kusari.grad([F.sum(g1)], [x], enable_double_backprop=True)
    np.testing.assert_allclose(g2.array, F.polygamma(np.int32(1), x.array).array, rtol=1e-14)
    g3, = kusari.grad([F.sum(g2)], [x])
    np.testing.assert_allclose(g3.array, F.polygamma(np.int32(2), x.array).array, rtol=1e-14)
    q = Variable(np.array([0.5, 2.0]))
    gq, = kusari.grad([F.sum(F.zeta(3.0, q))], [q])
    np.testing.assert_allclose(gq.array, -3 * R.vec(R.zeta, 4.0, q.array), rtol=1e-13)


def test_dtype_and_type_errors():
    with pytest.raises(kusari.compiler.InvalidType):
        F.erf(np.arange(3))
    with pytest.raises(kusari.compiler.InvalidType, match="n.dtype.kind == i"):
        F.polygamma(np.ones(3), np.ones(3))
    with pytest.raises(kusari.compiler.InvalidType, match="broadcast"):
        F.zeta(np.ones(2), np.ones(3))


def test_kernels_write_into_buffers():
    """The NumPy forms take out= (fused kernels write into their buffers)."""
    x = np.linspace(-2, 2, 9)
    for fn in (sk.erf, sk.erfc, sk.erfcx, sk.ndtr, sk.log_ndtr, gk.lgamma, gk.digamma):
        out = np.empty(9, np.float32)
        assert fn(x.astype(np.float32), out=out) is out
        np.testing.assert_allclose(out, fn(x).astype(np.float32), rtol=1e-6)
