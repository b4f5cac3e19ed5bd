"""Chainer's math functions beyond the elementwise basics: arctan2, arctanh,
fmod, fix, sinc, cumsum, det / inv / cholesky, einsum, tensordot,
sparse_matmul, fft, bias / scale, linear_interpolate, batch_l2_norm_squared;
forward against NumPy, first and second derivatives against finite
differences in float16/32/64, broadcast shapes where they apply; and
Chainer's argument checks and dtypes for the reductions and matmul."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.compiler.errors import InvalidType
from kusari.functions._core import call
from kusari.utils import to_coo
from tests.helpers import check_all, check_forward

DTYPES = [np.float16, np.float32, np.float64]

COVERS = {
    "arctan2": "test_arctan2_and_fmod",
    "fmod": "test_arctan2_and_fmod",
    "arctanh": "test_arctanh_fix_sinc",
    "fix": "test_arctanh_fix_sinc",
    "sinc": "test_arctanh_fix_sinc",
    "cumsum": "test_cumsum_and_cumprod",
    "det": "test_det_and_inv",
    "batch_det": "test_det_and_inv",
    "inv": "test_det_and_inv",
    "batch_inv": "test_det_and_inv",
    "cholesky": "test_cholesky",
    "einsum": "test_einsum",
    "diag_einsum": "test_einsum",
    "tensordot": "test_tensordot",
    "sparse_matmul": "test_sparse_matmul",
    "fft": "test_fft",
    "ifft": "test_fft",
    "bias": "test_bias_scale_interpolate_norm",
    "scale": "test_bias_scale_interpolate_norm",
    "linear_interpolate": "test_bias_scale_interpolate_norm",
    "batch_l2_norm_squared": "test_bias_scale_interpolate_norm",
}


def uniform(rng, shape, lo=-1.0, hi=1.0, dtype=np.float64):
    return rng.uniform(lo, hi, shape).astype(dtype)


def away(rng, shape, dtype, lo=0.3, hi=2.0):
    return (rng.uniform(lo, hi, shape) * rng.choice([-1, 1], shape)).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_arctan2_and_fmod(dtype):
    rng = np.random.default_rng(1)
    for sa, sb in [((2, 3), (2, 3)), ((2, 3), (3,)), ((), (2, 1))]:
        a, b = away(rng, sa, dtype), away(rng, sb, dtype)
        check_all(F.arctan2, np.arctan2, [a, b], dtype)
    # fmod: away from the jumps (x / divisor near an integer)
    x = np.array([[2.3, -2.3, 0.7], [5.1, -0.4, 3.3]], dtype)
    d = np.array([1.5, 0.9, -1.25], dtype)
    check_all(F.fmod, np.fmod, [x, d], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_arctanh_fix_sinc(dtype):
    rng = np.random.default_rng(2)
    check_all(F.arctanh, np.arctanh, [uniform(rng, (2, 3), -0.8, 0.8, dtype)], dtype)
    check_all(F.sinc, np.sinc, [away(rng, (2, 3), dtype, 0.1, 2.5)], dtype)
    x = np.array([-1.7, -0.2, 0.0, 0.4, 2.9], dtype)
    check_forward(F.fix, np.fix, [x], dtype)
    v = Variable(x)
    F.sum(F.fix(v) * v).backward()
    np.testing.assert_array_equal(v.grad, np.fix(x))      # none through fix itself
    # sinc at 0: value 1, slope 0, curvature -pi^2/3, to the second order
    z = Variable(np.zeros(1, dtype))
    g, = kusari.grad([F.sum(F.sinc(z))], [z], enable_double_backprop=True)
    assert g.array[0] == 0
    gg, = kusari.grad([F.sum(g)], [z])
    assert gg.array[0] == pytest.approx(-np.pi ** 2 / 3, rel=4e-3)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cumsum_and_cumprod(dtype):
    rng = np.random.default_rng(3)
    x = uniform(rng, (3, 4), dtype=dtype)
    for axis in (0, 1, -1, None):
        check_all(lambda v: F.cumsum(v, axis), lambda a: np.cumsum(a, axis), [x], dtype)
    check_all(lambda v: F.cumprod(v, 1), lambda a: np.cumprod(a, 1), [x], dtype)
    check_forward(lambda v: F.cumprod(v), np.cumprod, [x], dtype)
    with pytest.raises(TypeError):
        F.cumsum(x, axis=(0,))
    with pytest.raises(InvalidType):
        F.cumsum(x, axis=2)
    with pytest.raises(InvalidType):
        F.cumsum(np.arange(3), 0)


def _well_conditioned(rng, shape, dtype):
    n = shape[-1]
    return (rng.uniform(-0.5, 0.5, shape) + 2 * np.eye(n)).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_det_and_inv(dtype):
    rng = np.random.default_rng(4)
    a = _well_conditioned(rng, (3, 3), dtype)
    b = _well_conditioned(rng, (2, 3, 3), dtype)
    det = lambda m: np.linalg.det(m.astype(np.float64))    # noqa: E731
    inv = lambda m: np.linalg.inv(m.astype(np.float64))    # noqa: E731
    check_all(F.det, det, [a], dtype)
    check_all(F.batch_det, det, [b], dtype)
    check_all(F.inv, inv, [a], dtype)
    check_all(F.batch_inv, inv, [b], dtype)
    with pytest.raises(ValueError):
        F.inv(np.zeros((2, 2), dtype))
    with pytest.raises(InvalidType):
        F.inv(np.ones((2, 3), dtype))
    with pytest.raises(InvalidType):
        F.batch_det(a)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cholesky(dtype):
    rng = np.random.default_rng(5)
    m = rng.uniform(-1, 1, (3, 3))
    a = (m @ m.T + 3 * np.eye(3)).astype(dtype)
    check_forward(F.cholesky, np.linalg.cholesky, [a], dtype)
    # its gradient is symmetrized (Chainer's): compare along symmetric directions
    sym = lambda v: F.cholesky((v + F.transpose(v)) * 0.5)   # noqa: E731
    check_all(sym, lambda x: np.linalg.cholesky((x + x.T) / 2), [a], dtype)


EINSUM = [("ij,jk->ik", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
          ("i,i,i->i", [(3,), (3,), (3,)]), ("...ij,...jk->...ik", [(2, 2, 3), (2, 3, 2)]),
          ("ij,ij->i", [(2, 3), (2, 3)]), (",ij->i", [(), (3, 4)]), ("i...,i->...i", [(3, 2), (3,)])]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("subscripts,shapes", EINSUM)
def test_einsum(subscripts, shapes, dtype):
    rng = np.random.default_rng(6)
    xs = [uniform(rng, s, dtype=dtype) for s in shapes]
    ref = lambda *a: np.einsum(subscripts, *[x.astype(np.float64) for x in a])  # noqa: E731
    check_all(lambda *v: F.einsum(subscripts, *v), ref, xs, dtype)
    # NumPy's other form, and the diag_einsum op (einsum's gradient) directly
    if "." not in subscripts and "->" in subscripts:
        ins, out = subscripts.split("->")
        args = []
        for sub, x in zip(ins.split(","), xs):
            args += [x, [ord(c) - ord("a") for c in sub]]
        args.append([ord(c) - ord("a") for c in out])
        np.testing.assert_allclose(F.einsum(*args).array, ref(*xs), rtol=1e-2, atol=1e-2)
    d = uniform(rng, (3,), dtype=dtype)
    check_all(lambda v: call("diag_einsum", v, in_subs="i", out_sub="ij", out_shape=(3, 2)),
              lambda a: np.repeat(a[:, None], 2, axis=1), [d], dtype)
    m = np.zeros((3, 3))
    np.fill_diagonal(m, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(
        call("diag_einsum", Variable(np.array([1.0, 2.0, 3.0])), in_subs="i", out_sub="ii",
             out_shape=(3, 3)).array, m)


def test_einsum_errors():
    a = np.zeros((2,), np.float32)
    for bad in [("i,i", (a, np.zeros(3, np.float32))), ("...i,...i", (np.zeros((2, 2)), np.zeros((1, 2))))]:
        with pytest.raises(InvalidType):
            F.einsum(bad[0], *bad[1])
    for bad in [("i,i", (a,)), ("i,i->j", (a, a)), ("i,i->...", (a, a)), ("i->->i", (a,))]:
        with pytest.raises(ValueError):
            F.einsum(bad[0], *bad[1])
    with pytest.raises(ValueError):           # summing over an ellipsis
        F.einsum("...->", np.zeros(2, np.float32))


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensordot(dtype):
    rng = np.random.default_rng(7)
    a, b = uniform(rng, (2, 3, 4), dtype=dtype), uniform(rng, (3, 4, 2), dtype=dtype)
    for axes in (2, ([1, 2], [0, 1]), ([2, 1], [1, 0]), 0, ([0], [2])):
        bb = b if axes != 0 else uniform(rng, (2,), dtype=dtype)
        check_all(lambda x, y: F.tensordot(x, y, axes), lambda x, y: np.tensordot(x, y, axes),
                  [a, bb], dtype)
    with pytest.raises(ValueError):
        F.tensordot(a, b, ([0], [0]))       # 2 != 3
    with pytest.raises(TypeError):
        F.tensordot(a, b, 1.5)


def test_tensordot_and_matmul_promote_mixed_dtypes():
    """float16 with float32 gives float32, as Chainer's (NumPy's) product;
    each gradient comes back in its operand's dtype."""
    a = Variable(np.ones((2, 3), np.float16))
    b = Variable(np.ones((3, 2), np.float32))
    for y in (F.matmul(a, b), F.tensordot(a, b, 1)):
        assert y.dtype == np.float32
        ga, gb = kusari.grad([F.sum(y)], [a, b])
        assert ga.dtype == np.float16 and gb.dtype == np.float32


@pytest.mark.parametrize("dtype", DTYPES)
def test_sparse_matmul(dtype):
    from kusari.functions.math.sparse_matmul import CooMatMul
    rng = np.random.default_rng(8)
    dense = uniform(rng, (3, 4), dtype=dtype)
    dense[dense < 0] = 0                      # a sparse operand
    b = uniform(rng, (4, 2), dtype=dtype)
    sp = to_coo(dense, ldnz=10)               # padded entries too

    def from_entries(data):
        m = np.zeros(sp.shape)
        ok = sp.row >= 0
        np.add.at(m, (sp.row[ok], sp.col[ok]), data.astype(np.float64)[ok])
        return m
    for transb in (False, True):
        bb = b.T.copy() if transb else b
        op = CooMatMul(sp.row, sp.col, sp.shape, transb=transb)
        check_all(lambda d, y: op.apply((d, y))[0],
                  lambda d, y: from_entries(d) @ (y.T if transb else y),
                  [sp.data.array, bb], dtype)
    np.testing.assert_allclose(F.sparse_matmul(sp, b).array.astype(np.float64),
                               dense.astype(np.float64) @ b, rtol=1e-2, atol=1e-3)
    c = uniform(rng, (2, 3), dtype=dtype)
    np.testing.assert_allclose(F.sparse_matmul(c, sp).array.astype(np.float64),
                               c.astype(np.float64) @ dense, rtol=1e-2, atol=1e-3)
    np.testing.assert_allclose(F.sparse_matmul(sp, c, transa=True, transb=True).array
                               .astype(np.float64), dense.T.astype(np.float64) @ c.T,
                               rtol=1e-2, atol=1e-3)
    bd = uniform(rng, (2, 3, 4), dtype=dtype)   # batched
    bd[bd < 0.2] = 0
    bb = uniform(rng, (2, 4, 2), dtype=dtype)
    np.testing.assert_allclose(F.sparse_matmul(to_coo(bd), bb).array.astype(np.float64),
                               bd.astype(np.float64) @ bb, rtol=1e-2, atol=1e-3)
    with pytest.raises(ValueError):
        F.sparse_matmul(b, b)
    with pytest.raises(InvalidType):
        F.sparse_matmul(sp, np.ones((3, 2), dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_fft(dtype):
    rng = np.random.default_rng(9)
    r, i = uniform(rng, (2, 4), dtype=dtype), uniform(rng, (2, 4), dtype=dtype)
    for name in ("fft", "ifft"):
        fn = getattr(F, name)
        ref = getattr(np.fft, name)

        def numpy_pair(re, im, ref=ref):
            y = ref(re.astype(np.float64) + 1j * im.astype(np.float64))
            return y.real, y.imag
        check_all(lambda a, b, fn=fn: fn((a, b)), numpy_pair, [r, i], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bias_scale_interpolate_norm(dtype):
    rng = np.random.default_rng(10)
    x, y = uniform(rng, (2, 3, 4), dtype=dtype), uniform(rng, (3,), dtype=dtype)
    check_all(F.bias, lambda a, b: a + b[None, :, None], [x, y], dtype)
    check_all(lambda a, b: F.scale(a, b, axis=1), lambda a, b: a * b[None, :, None], [x, y],
              dtype)
    y2 = uniform(rng, (3, 4), dtype=dtype)
    check_all(lambda a, b: F.scale(a, b, axis=1), lambda a, b: a * b[None], [x, y2], dtype)
    p, u, v = (uniform(rng, (2, 3), 0, 1, dtype) for _ in range(3))
    check_all(F.linear_interpolate, lambda p_, a, b: p_ * a + (1 - p_) * b, [p, u, v], dtype)
    check_all(F.batch_l2_norm_squared, lambda a: (a.reshape(2, -1) ** 2).sum(axis=1), [x],
              dtype)
    with pytest.raises(AssertionError):
        F.bias(x, y, axis=0)
    with pytest.raises(InvalidType):
        F.linear_interpolate(p, u, v[:1])
    with pytest.raises(InvalidType):
        F.batch_l2_norm_squared(y)


# -- Chainer's rules for the reductions, argmax and matmul ----------------------------

def test_reduction_argument_errors():
    x = np.ones((3, 2, 4), np.float32)
    for fn in (F.sum, F.max, F.min, F.prod, F.mean, F.logsumexp):
        with pytest.raises(TypeError):
            fn(x, [0])
        with pytest.raises(TypeError):
            fn(x, (1, "x"))
        with pytest.raises(ValueError):
            fn(x, (0, 0))
        with pytest.raises(ValueError):
            fn(x, (1, -2))
        with pytest.raises(InvalidType):
            fn(x, 3)
    for fn in (F.argmax, F.argmin):
        with pytest.raises(TypeError):
            fn(x, (0,))
    with pytest.raises(InvalidType):
        F.mean(np.arange(3))
    assert F.sum(np.arange(3)).array == 3          # (kusari takes integers too)
    with pytest.raises(ValueError):
        F.clip(x, 1.0, -1.0)
    with pytest.raises(ValueError):
        F.clip(x, None, None)
    with pytest.raises(ValueError):
        F.average(x, axis=(0, 1), weights=np.ones((3, 2), np.float32))


def test_argmax_is_int32_and_keepdims():
    x = np.random.default_rng(11).permutation(24).reshape(2, 3, 4).astype(np.float32)
    for fn, ref in ((F.argmax, np.argmax), (F.argmin, np.argmin)):
        for axis in (None, 0, -1):
            y = fn(x, axis)
            assert y.dtype == np.int32
            np.testing.assert_array_equal(y.array, ref(x, axis))
    for fn, ref in ((F.sum, np.sum), (F.max, np.max), (F.prod, np.prod), (F.mean, np.mean)):
        y = fn(x, (0, 2), keepdims=True)
        assert y.shape == (1, 3, 1)
        np.testing.assert_allclose(y.array, ref(x, axis=(0, 2), keepdims=True), rtol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_average_with_weights(dtype):
    rng = np.random.default_rng(12)
    x = uniform(rng, (3, 4), dtype=dtype)
    w1 = uniform(rng, (4,), 0.5, 1.5, dtype)
    w2 = uniform(rng, (3, 4), 0.5, 1.5, dtype)
    check_all(lambda a, w: F.average(a, 1, w), lambda a, w: np.average(a, 1, w), [x, w1], dtype)
    check_all(lambda a, w: F.average(a, None, w), lambda a, w: np.average(a, None, w),
              [x, w2], dtype)
    y = F.average(x, -1, w1, keepdims=True)
    assert y.shape == (3, 1)


def test_batch_matmul_is_deprecated_and_reshapes():
    rng = np.random.default_rng(13)
    a, b = uniform(rng, (2, 3), dtype=np.float32), uniform(rng, (2, 3), dtype=np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outer = F.batch_matmul(a, b, transb=True)
        inner = F.batch_matmul(a, b, transa=True)
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    np.testing.assert_allclose(outer.array, np.einsum("bi,bj->bij", a, b), rtol=1e-6)
    np.testing.assert_allclose(inner.array, np.einsum("bi,bi->b", a, b)[:, None, None],
                               rtol=1e-6)


def test_chainer_module_paths_and_labels():
    from kusari.functions.math import basic_math, einsum, trigonometric
    assert basic_math.AddConstant(2.0).label == "_ + 2.0"
    assert basic_math.SubFromConstant(-2).label == "(-2) - _"
    assert basic_math._convert_value_to_string(np.array([1, 2])) == "constant array"
    assert trigonometric.Sin().label == "sin"
    assert einsum.einsum is F.einsum
    assert einsum.DiagEinSum("i", "ii", (2, 2)).apply((np.ones(2),))[0].shape == (2, 2)
    assert basic_math.floordiv(Variable(np.array([7.0, -7.0])), 2.0).array.tolist() == [3, -4]
    assert kusari.basic_math is basic_math


def test_chainer_function_node_classes():
    """Chainer's Exp and Identity classes are FunctionNodes (function hooks
    and Chainer's tests apply them): applied, differentiated."""
    from kusari.functions.math.exponential import Exp
    from kusari.functions.math.identity import Identity
    x = Variable(np.array([0.5, -1.0]))
    y, = Exp().apply((x,))
    assert Exp().label == "exp"
    np.testing.assert_allclose(y.array, np.exp(x.array))
    z, = Identity().apply((y,))
    F.sum(z * 2).backward()
    np.testing.assert_allclose(x.grad, 2 * np.exp(x.array))
