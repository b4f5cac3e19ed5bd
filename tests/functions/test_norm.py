"""Normalization functions (kusari.functions.normalization): forward against
NumPy references, first and second derivatives against finite differences in
float16/32/64 (mixed dtypes where Chainer allows them), running statistics,
Chainer's checks, warnings and messages."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.compiler.errors import InvalidType
from tests.helpers import COMPILED, EAGER, assert_close, check_all, check_forward, fd_grad

DTYPES = [np.float16, np.float32, np.float64]

COVERS = {
    "batch_normalization": "test_batch_normalization",
    "fixed_batch_normalization": "test_fixed_batch_normalization",
    "batch_renormalization": "test_batch_renormalization",
    "fixed_batch_renormalization": "test_fixed_batch_renormalization",
    "layer_normalization": "test_layer_normalization",
    "group_normalization": "test_group_normalization",
    "normalize": "test_normalize",
    "local_response_normalization": "test_local_response_normalization",
    "decorrelated_batch_normalization": "test_decorrelated_batch_normalization",
    "fixed_decorrelated_batch_normalization": "test_fixed_decorrelated_batch_normalization",
    "eigh_values": "test_eigh_ops",
    "eigh_vectors": "test_eigh_ops",
}


def uniform(rng, shape, lo=-1.0, hi=1.0, dtype=np.float64):
    return rng.uniform(lo, hi, shape).astype(dtype)


def bn_np(x, gamma, beta, axes, eps, mean=None, var=None):
    shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
    x = x.astype(np.float64)
    if mean is None:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    return ((x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) *
            gamma.reshape(shape) + beta.reshape(shape))


# -- batch normalization -------------------------------------------------------------------

CASES = [  # x shape, gamma shape, axis (None: Chainer's default)
    ((5, 3), (3,), None),
    ((4, 3, 2), (3,), None),
    ((3, 2, 2, 3), (2, 2), None),
    ((4, 3, 2), (3, 2), 0),
    ((3, 4, 2), (4,), (0, 2)),
    ((2, 5), (2,), 1),                       # statistics over a non-batch axis
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("xshape,gshape,axis", CASES)
def test_batch_normalization(dtype, xshape, gshape, axis):
    rng = np.random.default_rng(1)
    x = uniform(rng, xshape, dtype=dtype)
    gamma, beta = uniform(rng, gshape, 0.5, 1.5, dtype), uniform(rng, gshape, dtype=dtype)
    axes = (0,) + tuple(range(len(gshape) + 1, len(xshape))) if axis is None else \
        ((axis,) if isinstance(axis, int) else axis)
    eps = 0.1 if dtype == np.float16 else 2e-5
    check_all(lambda x, g, b: F.batch_normalization(x, g, b, eps=eps, axis=axis),
              lambda x, g, b: bn_np(x, g, b, axes, eps), [x, gamma, beta], dtype)


@pytest.mark.parametrize("xdtype,pdtype", [(np.float16, np.float32), (np.float32, np.float64),
                                           (np.float64, np.float16)])
def test_batch_normalization_mixed_dtypes(xdtype, pdtype):
    """x and gamma of different float dtypes: computed in their promoted
    dtype, y in x's dtype, each gradient in its input's dtype."""
    rng = np.random.default_rng(2)
    x = Variable(uniform(rng, (6, 3), dtype=xdtype))
    gamma = Variable(uniform(rng, (3,), 0.5, 1.5, pdtype))
    beta = Variable(uniform(rng, (3,), dtype=pdtype))
    y = F.batch_normalization(x, gamma, beta)
    assert y.dtype == xdtype
    tol = 2e-3 if np.float16 in (xdtype, pdtype) else 1e-5
    np.testing.assert_allclose(y.array, bn_np(x.array, gamma.array, beta.array, (0,), 2e-5),
                               rtol=tol, atol=tol)
    F.sum(y * y).backward()
    assert x.grad.dtype == xdtype and gamma.grad.dtype == pdtype and beta.grad.dtype == pdtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_normalization_updates_running_statistics(dtype):
    rng = np.random.default_rng(3)
    x = uniform(rng, (5, 3, 2), dtype=dtype)
    gamma, beta = np.ones(3, dtype), np.zeros(3, dtype)
    mean0, var0 = uniform(rng, 3, dtype=dtype), uniform(rng, 3, 0.5, 1, dtype)
    running_mean, running_var = mean0.copy(), np.asfortranarray(var0.copy())
    F.batch_normalization(x, gamma, beta, running_mean=running_mean, running_var=running_var,
                          decay=0.8)
    x64 = x.astype(np.float64)
    m = x.size // 3
    want_mean = 0.8 * mean0 + 0.2 * x64.mean(axis=(0, 2))
    want_var = 0.8 * var0 + 0.2 * x64.var(axis=(0, 2)) * m / (m - 1)
    tol = 2e-3 if dtype == np.float16 else 1e-6
    np.testing.assert_allclose(running_mean, want_mean, rtol=tol, atol=tol)
    np.testing.assert_allclose(running_var, want_var, rtol=tol, atol=tol)
    assert running_mean.dtype == dtype and running_var.dtype == dtype


def test_batch_normalization_running_statistics_under_jit():
    """A jitted step writes the running statistics after every call, as
    eager code does, and reads their current values at each call."""
    rng = np.random.default_rng(4)
    gamma, beta = np.ones(3, np.float32), np.zeros(3, np.float32)
    eager_m, eager_v = np.zeros(3, np.float32), np.ones(3, np.float32)
    jit_m, jit_v = eager_m.copy(), eager_v.copy()

    @kusari.jit
    def step(x):
        return F.batch_normalization(x, gamma, beta, running_mean=jit_m, running_var=jit_v)
    for _ in range(3):
        x = uniform(rng, (4, 3), dtype=np.float32)
        want = F.batch_normalization(x, gamma, beta, running_mean=eager_m, running_var=eager_v)
        np.testing.assert_allclose(step(x), want.array, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(jit_m, eager_m, rtol=1e-6)
        np.testing.assert_allclose(jit_v, eager_v, rtol=1e-6)


def test_batch_normalization_warns_about_single_samples():
    x = np.ones((1, 3), np.float32)
    g = np.ones(3, np.float32)
    with pytest.warns(UserWarning, match="no more than one sample"):
        F.batch_normalization(x, g, g)
    with pytest.warns(UserWarning, match="single dimensions along all axes"):
        F.batch_normalization(np.ones((2, 3, 1), np.float32), np.ones((2, 3), np.float32),
                              np.ones((2, 3), np.float32), axis=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.batch_normalization(np.ones((1, 3, 2), np.float32), g, g)


def test_batch_normalization_checks():
    x = np.zeros((4, 3), np.float32)
    g = np.ones(3, np.float32)
    with pytest.raises(RuntimeError, match="sorted in ascending order"):
        F.batch_normalization(np.zeros((2, 3, 4), np.float32), g, g, axis=(2, 0))
    with pytest.raises(RuntimeError, match="axis must be int, tuple of int or None"):
        F.batch_normalization(x, g, g, axis=0.5)
    with pytest.raises(ValueError, match="train argument is not supported anymore"):
        F.batch_normalization(x, g, g, train=True)
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        F.batch_normalization(x, g, g, mean=g)
    with pytest.raises(InvalidType, match=r"x.shape\[1\] == gamma.shape\[0\]"):
        F.batch_normalization(x, np.ones(4, np.float32), np.ones(4, np.float32))
    with pytest.raises(InvalidType, match="beta.dtype == gamma.dtype"):
        F.batch_normalization(x, g, g.astype(np.float64))
    with pytest.raises(InvalidType, match="BatchNormalization"):
        F.batch_normalization(x.astype(np.int32), g, g)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("xshape,gshape,axis", CASES[:4])
def test_fixed_batch_normalization(dtype, xshape, gshape, axis):
    rng = np.random.default_rng(5)
    x = uniform(rng, xshape, dtype=dtype)
    gamma, beta = uniform(rng, gshape, 0.5, 1.5, dtype), uniform(rng, gshape, dtype=dtype)
    mean, var = uniform(rng, gshape, dtype=dtype), uniform(rng, gshape, 0.5, 1, dtype)
    axes = (0,) + tuple(range(len(gshape) + 1, len(xshape))) if axis is None else (axis,)
    check_all(lambda x, g, b, m, v: F.fixed_batch_normalization(x, g, b, m, v, 2e-5, axis),
              lambda x, g, b, m, v: bn_np(x, g, b, axes, 2e-5, m, v),
              [x, gamma, beta, mean, var], dtype)
    with pytest.raises(InvalidType, match="var.shape == gamma.shape"):
        F.fixed_batch_normalization(x, gamma, beta, mean, var[:1])


# -- batch renormalization --------------------------------------------------------------------

def renorm_np(x, gamma, beta, rmean, rvar, rmax, dmax, eps, frozen=None):
    """Chainer's forward; `frozen` (r, d) replaces the statistics' r and d
    (held constant: Chainer's gradient treats them so)."""
    x = x.astype(np.float64)
    mean, std = x.mean(axis=0), np.sqrt(x.var(axis=0) + eps)
    rstd = np.sqrt(rvar + eps)
    r = np.clip(std / rstd, 1 / rmax, rmax)
    d = np.clip((mean - rmean) / rstd, -dmax, dmax)
    if frozen is not None:
        r, d = frozen
    return gamma * ((x - mean) / std * r + d) + beta, (r, d)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_renormalization(dtype):
    rng = np.random.default_rng(6)
    x = uniform(rng, (6, 3), dtype=dtype)
    gamma, beta = uniform(rng, 3, 0.5, 1.5, dtype), uniform(rng, 3, dtype=dtype)
    rmean, rvar = uniform(rng, 3, -0.1, 0.1, dtype), uniform(rng, 3, 0.2, 0.4, dtype)
    _, frozen = renorm_np(x, gamma, beta, rmean, rvar, 1.5, 0.3, 2e-5)
    assert (np.abs(frozen[0] - 1) > 1e-3).all() and (np.abs(frozen[1]) > 1e-3).any()

    def f(x, g, b):
        return F.batch_renormalization(x, g, b, 1.5, 0.3, running_mean=rmean.copy(),
                                       running_var=rvar.copy())
    check_forward(f, lambda x, g, b: renorm_np(x, g, b, rmean, rvar, 1.5, 0.3, 2e-5)[0],
                  [x, gamma, beta], dtype)
    # Chainer's gradient holds r and d constant: finite differences of the
    # reference with r and d frozen at their values for these inputs
    rng = np.random.default_rng(0)
    w = rng.standard_normal(x.shape)
    arrays = [a.astype(np.float64) for a in (x, gamma, beta)]

    def objective(*a):
        return float((renorm_np(*a, rmean, rvar, 1.5, 0.3, 2e-5, frozen)[0] * w).sum())
    want = fd_grad(objective, arrays, [0, 1, 2])
    for threshold in (EAGER, COMPILED):
        with kusari.using_config("compile_threshold", threshold):
            vs = [Variable(a.copy()) for a in (x, gamma, beta)]
            y = f(*vs)
            y.grad = w.astype(dtype)
            y.backward()
        for v, e in zip(vs, want):
            assert v.grad.dtype == dtype
            assert_close(v.grad, e, dtype, what="batch_renormalization gradient")


def test_batch_renormalization_updates_statistics_only_when_asked():
    rng = np.random.default_rng(7)
    x = uniform(rng, (6, 3), dtype=np.float64)
    g, b = np.ones(3), np.zeros(3)
    rm, rv = np.zeros(3), np.ones(3)
    F.batch_renormalization(x, g, b, 2.0, 1.0, running_mean=rm, running_var=rv)
    assert (rm == 0).all() and (rv == 1).all()
    F.batch_renormalization(x, g, b, 2.0, 1.0, running_mean=rm, running_var=rv, decay=0.5,
                            update_statistics=True)
    np.testing.assert_allclose(rm, 0.5 * x.mean(axis=0))
    np.testing.assert_allclose(rv, 0.5 + 0.5 * x.var(axis=0) * 6 / 5)
    with pytest.raises(TypeError, match="running_mean is required"):
        F.batch_renormalization(x, g, b, 2.0, 1.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_fixed_batch_renormalization(dtype):
    rng = np.random.default_rng(8)
    x = uniform(rng, (4, 3), dtype=dtype)
    g, b = uniform(rng, 3, 0.5, 1.5, dtype), uniform(rng, 3, dtype=dtype)
    m, v = uniform(rng, 3, dtype=dtype), uniform(rng, 3, 0.5, 1, dtype)
    with pytest.warns(DeprecationWarning, match="fixed_batch_renormalization is deprecated"):
        check_all(F.fixed_batch_renormalization,
                  lambda x, g, b, m, v: bn_np(x, g, b, (0,), 2e-5, m, v), [x, g, b, m, v],
                  dtype)


def test_batch_renormalization_module_names():
    from kusari.functions.normalization import batch_renormalization as module
    assert module.fixed_batch_renormalization is F.fixed_batch_renormalization


# -- layer, group, L2, local response ----------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_layer_normalization(dtype):
    rng = np.random.default_rng(9)
    x = uniform(rng, (3, 5), dtype=dtype)
    g, b = uniform(rng, 5, 0.5, 1.5, dtype), uniform(rng, 5, dtype=dtype)

    def ref(x, g, b):
        x = x.astype(np.float64)
        m, v = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
        return (x - m) / np.sqrt(v + 1e-5) * g + b
    check_all(F.layer_normalization, ref, [x, g, b], dtype)
    with pytest.raises(InvalidType, match="x.ndim == 2"):
        F.layer_normalization(x[None], g, b)
    with pytest.raises(InvalidType, match="gamma.dtype == x.dtype"):
        F.layer_normalization(x, g.astype(np.float64) if dtype != np.float64 else
                              g.astype(np.float32), b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,groups", [((2, 4), 2), ((2, 6, 3), 3), ((1, 4, 2, 2), 1)])
def test_group_normalization(dtype, shape, groups):
    rng = np.random.default_rng(10)
    x = uniform(rng, shape, dtype=dtype)
    c = shape[1]
    g, b = uniform(rng, c, 0.5, 1.5, dtype), uniform(rng, c, dtype=dtype)

    def ref(x, g, b):
        xg = x.astype(np.float64).reshape(shape[0], groups, -1)
        y = (xg - xg.mean(axis=2, keepdims=True)) / np.sqrt(xg.var(axis=2, keepdims=True) + 1e-5)
        y = y.reshape(shape[0], c, -1) * g[:, None] + b[:, None]
        return y.reshape(shape)
    check_all(lambda x, g, b: F.group_normalization(x, groups, g, b), ref, [x, g, b], dtype)


def test_group_normalization_checks():
    x = np.zeros((2, 6), np.float32)
    g = np.ones(6, np.float32)
    with pytest.raises(TypeError, match="'groups' type must be \\(int\\)"):
        F.group_normalization(x, 2.0, g, g)
    with pytest.raises(ValueError, match="The number of channels 6 is not divisible by "
                                         "'groups' argument 4."):
        F.group_normalization(x, 4, g, g)
    with pytest.raises(InvalidType, match=r"x.shape\[1\] == gamma.shape\[0\]"):
        F.group_normalization(x, 2, g[:4], g[:4])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axis", [((3, 4), 1), ((4,), 0), ((2, 3, 2), (0, 2)), ((), ())])
def test_normalize(dtype, shape, axis):
    rng = np.random.default_rng(11)
    x = (rng.uniform(0.2, 1, shape) * rng.choice([-1, 1], shape)).astype(dtype)
    eps = 1e-2 if dtype == np.float16 else 1e-5

    def ref(x):
        x = x.astype(np.float64)
        return x / (np.sqrt((x * x).sum(axis=axis, keepdims=True)) + eps)
    check_all(lambda x: F.normalize(x, eps, axis), ref, [x], dtype)


def test_normalize_of_a_zero_row_has_gradient_gy_over_eps():
    """Chainer's rule where the norm is 0: the gradient is gy / eps (not NaN),
    to the second order."""
    x = Variable(np.array([[0.0, 0.0, 0.0], [3.0, 4.0, 0.0]], np.float64))
    y = F.normalize(x, eps=0.5)
    gy = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0]])
    gx, = kusari.grad([y], [x], grad_outputs=[Variable(gy)], enable_double_backprop=True)
    np.testing.assert_allclose(gx.array[0], gy[0] / 0.5)
    gg, = kusari.grad([F.sum(gx * gx)], [x])
    assert np.all(np.isfinite(gg.array))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [5, 3, 1, 4])
def test_local_response_normalization(dtype, n):
    rng = np.random.default_rng(12)
    x = uniform(rng, (2, 7, 2), -2, 2, dtype)

    def ref(x):
        x2 = x.astype(np.float64) ** 2
        s = x2.copy()
        for i in range(1, n // 2 + 1):
            s[:, i:] += x2[:, :-i]
            s[:, :-i] += x2[:, i:]
        return x * (2 + 0.1 * s) ** -0.75
    check_all(lambda x: F.local_response_normalization(x, n, 2, 0.1, 0.75), ref, [x], dtype)
    with pytest.raises(InvalidType, match="x.ndim >= 2"):
        F.local_response_normalization(x[0, 0])


def test_normalizations_compile():
    rng = np.random.default_rng(13)
    x = uniform(rng, (4, 3), dtype=np.float32)
    g, b = np.ones(3, np.float32), np.zeros(3, np.float32)
    check_forward(lambda x: F.batch_normalization(x, g, b),
                  lambda x: bn_np(x, g, b, (0,), 2e-5), [x], np.float32)
    check_forward(lambda x: F.normalize(x),
                  lambda x: x / (np.sqrt((x.astype(float) ** 2).sum(1, keepdims=True)) + 1e-5),
                  [x], np.float32)


# -- decorrelated batch normalization and the eigendecomposition it whitens with ----------

def test_eigh_ops():
    """Eigenvalues and eigenvector projections of symmetric matrices B + B^T
    (a parametrization finite differences can follow; functions of V that
    do not depend on each eigenvector's sign), to the second derivative."""
    from kusari.functions._core import call
    rng = np.random.default_rng(14)
    b = rng.uniform(-1, 1, (2, 3, 3))
    weights = np.array([0.5, -1.0, 2.0])

    def sym(b):
        return b + F.swapaxes(b, 1, 2)

    def values(b):
        return call("eigh_values", sym(b))

    def projection(b):                       # V diag(weights) V^T
        v = call("eigh_vectors", sym(b))
        return F.matmul(v * weights, F.swapaxes(v, 1, 2))

    def values_np(b):
        return np.linalg.eigh(b + b.swapaxes(1, 2))[0]

    def projection_np(b):
        v = np.linalg.eigh(b + b.swapaxes(1, 2))[1]
        return (v * weights) @ v.swapaxes(1, 2)
    for dtype in (np.float32, np.float64):
        check_all(values, values_np, [b.astype(dtype)], dtype)
        check_all(projection, projection_np, [b.astype(dtype)], dtype)
    # float16 is computed in float32; a matrix with inf or NaN gives NaN
    w = call("eigh_values", Variable(np.eye(2, dtype=np.float16)))
    assert w.dtype == np.float16 and (w.array == 1).all()
    bad = np.array([[[np.nan, 1], [1, 2]], [[1, 0], [0, 2]]])
    w, v = call("eigh_values", Variable(bad)), call("eigh_vectors", Variable(bad))
    assert np.isnan(w.array[0]).all() and np.isnan(v.array[0]).all()
    np.testing.assert_array_equal(w.array[1], [1, 2])


def dbn_np(x, groups, eps):
    b, c = x.shape[:2]
    xg = np.moveaxis(x.astype(np.float64), 1, 0).reshape(groups, c // groups, -1)
    xc = xg - xg.mean(axis=2, keepdims=True)
    cov = xc @ xc.swapaxes(1, 2) / xc.shape[2] + eps * np.eye(c // groups)
    w, v = np.linalg.eigh(cov)
    y = (v * w[:, None, :] ** -0.5) @ v.swapaxes(1, 2) @ xc
    return np.moveaxis(y.reshape((c, b) + x.shape[2:]), 0, 1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,groups", [((6, 4), 2), ((5, 3, 2), 1)])
def test_decorrelated_batch_normalization(dtype, shape, groups):
    rng = np.random.default_rng(15)
    x = uniform(rng, shape, dtype=dtype)
    eps = 0.1 if dtype == np.float16 else 2e-5
    f = lambda x: F.decorrelated_batch_normalization(x, groups=groups, eps=eps)  # noqa: E731
    if dtype == np.float16:                  # (eigh in float32: forward only)
        check_forward(f, lambda x: dbn_np(x, groups, eps), [x], dtype)
    else:
        check_all(f, lambda x: dbn_np(x, groups, eps), [x], dtype)
    # whitened: each group's output covariance is (nearly) the identity
    y = dbn_np(x, groups, 2e-5)
    yg = np.moveaxis(y, 1, 0).reshape(groups, shape[1] // groups, -1)
    cov = yg @ yg.swapaxes(1, 2) / yg.shape[2]
    np.testing.assert_allclose(cov, np.broadcast_to(np.eye(shape[1] // groups), cov.shape),
                               atol=0.05)


def test_decorrelated_batch_normalization_running_statistics():
    rng = np.random.default_rng(16)
    x = uniform(rng, (8, 4), dtype=np.float64)
    mean, projection = np.zeros((2, 2)), np.broadcast_to(np.eye(2), (2, 2, 2)).copy()
    F.decorrelated_batch_normalization(x, groups=2, running_mean=mean,
                                       running_projection=projection, decay=0.5)
    xg = x.T.reshape(2, 2, 8)
    np.testing.assert_allclose(mean, 0.5 * xg.mean(axis=2))
    xc = xg - xg.mean(axis=2, keepdims=True)
    w, v = np.linalg.eigh(xc @ xc.swapaxes(1, 2) / 8 + 2e-5 * np.eye(2))
    whiten = (v * w[:, None, :] ** -0.5) @ v.swapaxes(1, 2)
    np.testing.assert_allclose(projection, 0.5 * np.eye(2) + 0.5 * 8 / 7 * whiten)
    with pytest.raises(InvalidType, match="x.shape\\[1\\] % 3 == 0"):
        F.decorrelated_batch_normalization(x, groups=3)


@pytest.mark.parametrize("dtype", DTYPES)
def test_fixed_decorrelated_batch_normalization(dtype):
    rng = np.random.default_rng(17)
    x = uniform(rng, (5, 4, 2), dtype=dtype)
    mean = uniform(rng, (2, 2), dtype=dtype)
    projection = uniform(rng, (2, 2, 2), 0.5, 1, dtype)

    def ref(x, m, p):
        xg = np.moveaxis(x, 1, 0).reshape(2, 2, -1) - m[..., None]
        return np.moveaxis((p @ xg).reshape(4, 5, 2), 0, 1)
    check_all(lambda x, m, p: F.fixed_decorrelated_batch_normalization(x, m, p, groups=2),
              ref, [x, mean, projection], dtype)
    with pytest.raises(InvalidType, match="mean.dtype == x.dtype"):
        F.fixed_decorrelated_batch_normalization(x, mean.astype(np.float64) if
                                                 dtype != np.float64 else
                                                 mean.astype(np.float32), projection, 2)
