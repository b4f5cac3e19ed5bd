"""Shared checks: forward against NumPy, derivatives against finite differences.

The finite differences always run in float64 on float64 copies of the inputs,
so they are an independent reference for float16 and float32 gradients too;
tolerances follow each dtype's precision.
"""
from __future__ import annotations

import numpy as np

import kusari
from kusari import Variable

TOL = {  # (rtol, atol) for comparing against a float64 reference
    np.dtype(np.float64): (1e-5, 1e-7),
    np.dtype(np.float32): (2e-3, 2e-4),
    np.dtype(np.float16): (4e-2, 4e-2),
}
FWD_TOL = {
    np.dtype(np.float64): (1e-12, 1e-14),
    np.dtype(np.float32): (1e-5, 1e-6),
    np.dtype(np.float16): (2e-3, 2e-3),
}


def as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def outputs(f, arrays, requires=None):
    """f on Variables made of `arrays`; returns (input Variables, output Variables)."""
    xs = [Variable(np.array(a, copy=True),
                   requires_grad=True if requires is None else requires[i])
          for i, a in enumerate(arrays)]
    return xs, [y for y in as_tuple(f(*xs))]


def weights_for(ys, rng):
    return [rng.standard_normal(y.shape).astype(y.dtype) for y in ys]


def scalar_objective(f, ws):
    """x -> sum_j <f(x)_j, w_j> in float64 (numbers, not Variables)."""
    def obj(*arrays):
        _, ys = outputs(f, arrays, [False] * len(arrays))
        return sum(float(np.sum(np.asarray(y.array, np.float64) * w.astype(np.float64)))
                   for y, w in zip(ys, ws))
    return obj


def fd_grad(obj, arrays, diff, eps=1e-6):
    """Central differences of obj w.r.t. each array in `diff` (float64)."""
    arrays = [np.array(a, dtype=np.float64 if a.dtype.kind == "f" else a.dtype)
              for a in arrays]
    grads = []
    for k in diff:
        x = arrays[k]
        g = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            orig = x[i]
            x[i] = orig + eps
            plus = obj(*arrays)
            x[i] = orig - eps
            minus = obj(*arrays)
            x[i] = orig
            g[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def assert_close(actual, expected, dtype, tol=TOL, what=""):
    rtol, atol = tol[np.dtype(dtype)]
    scale = max(1.0, float(np.max(np.abs(expected)))) if np.size(expected) else 1.0
    assert np.all(np.isfinite(expected)), f"{what}: the reference is not finite"
    np.testing.assert_allclose(np.asarray(actual, np.float64), expected,
                               rtol=rtol, atol=atol * scale, err_msg=what,
                               equal_nan=False)


def check_forward(f, ref, arrays, dtype):
    """Eager and compiled forward of f against the NumPy reference `ref`."""
    _, ys = outputs(f, arrays)
    want = as_tuple(ref(*[np.asarray(a) for a in arrays]))
    assert len(ys) == len(want)
    for y, w in zip(ys, want):
        w = np.asarray(w)
        assert y.shape == w.shape, f"shape {y.shape} != {w.shape}"
        if w.dtype.kind == "f":
            assert y.dtype == np.dtype(dtype), f"dtype {y.dtype} != {dtype}"
        assert_close(y.array, w.astype(np.float64), dtype, FWD_TOL, "eager forward")
    g = kusari.trace(f, *arrays)
    compiled = as_tuple(kusari.compile(g)(*arrays))
    for c, w in zip(compiled, want):
        assert c.shape == np.shape(w)
        assert_close(c, np.asarray(w, np.float64), dtype, FWD_TOL, "compiled forward")


def diff_positions(arrays, no_grad=()):
    return [i for i, a in enumerate(arrays) if a.dtype.kind == "f" and i not in no_grad]


EAGER = 10 ** 9      # config.compile_threshold that keeps backward() in the eager tier
COMPILED = 1         # ... that compiles every structure at first sight


def check_grad(f, arrays, dtype, no_grad=(), seed=0, eps=1e-6):
    """backward() gradients of <f, w> against float64 finite differences, in
    both tiers (eager at first sight, compiled), which must agree with each
    other to rounding."""
    rng = np.random.default_rng(seed)
    _, ys = outputs(f, arrays)
    ws = weights_for(ys, rng)
    diff = diff_positions(arrays, no_grad)
    fd = fd_grad(scalar_objective(f, ws), arrays, diff, eps)
    tiers = {}
    for tier, threshold in (("eager", EAGER), ("compiled", COMPILED)):
        with kusari.using_config("compile_threshold", threshold):
            xs, ys = outputs(f, arrays)
            for y, w in zip(ys, ws):
                y.grad = w
            kusari.backward(ys)
        for k, expected in zip(diff, fd):
            gx = xs[k].grad
            assert gx is not None, f"no gradient for input {k} ({tier})"
            assert gx.dtype == xs[k].dtype and gx.shape == xs[k].shape
            assert_close(gx, expected, dtype, what=f"d/dx{k} ({tier})")
        for k in no_grad:
            assert xs[k].grad is None, f"input {k} must get no gradient ({tier})"
        tiers[tier] = [xs[k].grad for k in diff]
    for k, a, b in zip(diff, tiers["eager"], tiers["compiled"]):
        assert_close(a, b.astype(np.float64), dtype, FWD_TOL, f"d/dx{k}: eager vs compiled")
    return ws


def check_double_grad(f, arrays, dtype, no_grad=(), seed=1):
    """Second derivatives: d/dx <grad_x <f, w>, v> against finite differences
    of the (already checked) first derivative."""
    rng = np.random.default_rng(seed)
    diff = diff_positions(arrays, no_grad)
    _, ys = outputs(f, arrays)
    ws = weights_for(ys, rng)
    vs = [rng.standard_normal(np.shape(arrays[k])).astype(dtype) for k in diff]

    def first(*arrays_, record=True):
        xs_ = [Variable(np.array(a, copy=True)) for a in arrays_]
        ys_ = as_tuple(f(*xs_))
        gws = [Variable(w.astype(y.dtype)) for y, w in zip(ys_, ws)]
        gxs = kusari.grad(list(ys_), [xs_[k] for k in diff], grad_outputs=gws,
                          enable_double_backprop=record)
        return xs_, gxs

    xs, gxs = first(*arrays)
    total = None
    for gx, v in zip(gxs, vs):
        if gx is None:
            continue
        term = kusari.functions.sum(gx * v)
        total = term if total is None else total + term
    if total is None:
        return
    seconds = kusari.grad([total], [xs[k] for k in diff])

    def obj(*arrays_):
        _, gxs_ = first(*arrays_, record=False)
        return sum(float(np.sum(np.asarray(g.array, np.float64) * v.astype(np.float64)))
                   for g, v in zip(gxs_, vs) if g is not None)

    fd = fd_grad(obj, arrays, diff)
    for k, sec, expected in zip(diff, seconds, fd):
        if sec is None:
            assert np.allclose(expected, 0, atol=1e-6), f"d2/dx{k} missing but nonzero"
            continue
        assert sec.dtype == np.dtype(dtype)
        assert_close(sec.array, expected, dtype, what=f"d2/dx{k}")


def check_all(f, ref, arrays, dtype, no_grad=(), second=True):
    check_forward(f, ref, arrays, dtype)
    if diff_positions(arrays, no_grad) or no_grad:
        check_grad(f, arrays, dtype, no_grad)
        if second:
            check_double_grad(f, arrays, dtype, no_grad)
