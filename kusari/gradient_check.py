"""Checking gradients against finite differences (Chainer's gradient_check).

`check_backward` compares the gradient `backward()` computes with a central
difference along random directions; `check_double_backward` does the same for
the gradient of the gradient; `numerical_grad` is the full elementwise
central difference.
"""
from __future__ import annotations

import numpy as np

from .variable import Variable


class NondifferentiableError(Exception):
    pass


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def numerical_grad(f, inputs, grad_outputs, eps=1e-3, detect_nondifferentiable=False,
                   diff_atol=0, diff_rtol=1e-2, center_outputs=None):
    """Central differences of sum_j <f()_j, grad_outputs_j> w.r.t. each array in
    `inputs` (which `f` reads; they are perturbed in place and restored)."""
    if eps <= 0:
        raise ValueError("eps must be positive")
    grad_outputs = _as_tuple(grad_outputs)

    def dot_outputs():
        ys = _as_tuple(f())
        total = 0.0
        for y, gy in zip(ys, grad_outputs):
            if gy is None:
                continue
            y = np.asarray(y.array if isinstance(y, Variable) else y, dtype=np.float64)
            total += float(np.sum(y * np.asarray(gy, dtype=np.float64)))
        return total

    grads = []
    for x in inputs:
        g = np.zeros(x.shape, dtype=np.float64)
        for i in np.ndindex(x.shape):
            orig = x[i].copy()
            x[i] = orig + eps
            plus = dot_outputs()
            x[i] = orig - eps
            minus = dot_outputs()
            x[i] = orig
            g[i] = (plus - minus) / (2 * eps)
            if detect_nondifferentiable:
                x[i] = orig
                center = dot_outputs()
                left, right = (center - minus) / eps, (plus - center) / eps
                if abs(left - right) > diff_atol + diff_rtol * max(abs(left), abs(right)):
                    raise NondifferentiableError(
                        f"the function is not differentiable at input element {i}: "
                        f"one-sided derivatives {left} and {right}")
        grads.append(g.astype(x.dtype) if x.dtype.kind == "f" else g)
    return tuple(grads)


def assert_allclose(x, y, atol=1e-5, rtol=1e-4, verbose=True):
    """np.testing.assert_allclose on arrays or Variables."""
    x = x.array if isinstance(x, Variable) else x
    y = y.array if isinstance(y, Variable) else y
    np.testing.assert_allclose(np.asarray(x, np.float64), np.asarray(y, np.float64),
                               atol=atol, rtol=rtol, verbose=verbose)


def _directional(func, xs, params, ys_grad, directions, eps, dtype):
    """Central difference of <func(x + t d), gy> at t = 0, evaluated in `dtype`."""
    def value(t):
        args = []
        for x, d in zip(xs, directions[:len(xs)]):
            a = x.astype(dtype or x.dtype, copy=True) if x.dtype.kind == "f" else x.copy()
            if d is not None:
                a += (t * d).astype(a.dtype)
            args.append(Variable(a))
        originals = []
        for p, d in zip(params, directions[len(xs):]):
            originals.append(p.array)
            a = p.array.astype(dtype or p.dtype, copy=True)
            a += (t * d).astype(a.dtype)
            p.array = a
        try:
            ys = _as_tuple(func(*args))
        finally:
            for p, orig in zip(params, originals):
                p.array = orig
        total = 0.0
        for y, gy in zip(ys, ys_grad):
            if y is None or gy is None:
                continue
            total += float(np.sum(np.asarray(y.array, np.float64) *
                                  np.asarray(gy, np.float64)))
        return total
    return (value(eps) - value(-eps)) / (2 * eps)


def check_backward(func, x_data, y_grad, params=(), eps=1e-3, atol=1e-5, rtol=1e-4,
                   no_grads=None, dtype=None, detect_nondifferentiable=False):
    """Check `backward()` of `func` against finite differences (see Chainer).

    `func` takes Variables made from `x_data` and returns Variable(s); `y_grad`
    is the upstream gradient (None for a one-element output). `params` are
    Variables `func` uses directly (link parameters). `dtype` is the dtype the
    finite differences run in (e.g. float64 to check a float16 function).
    """
    x_data = _as_tuple(x_data)
    params = _as_tuple(params)
    xs = [Variable(np.array(x, copy=True)) for x in x_data]
    if no_grads is None:
        no_grads = [x.dtype.kind != "f" for x in x_data]
    elif len(no_grads) != len(x_data):
        raise ValueError(f"len(no_grads) = {len(no_grads)} != len(x_data) = {len(x_data)}")
    for p in params:
        p.cleargrad()
    ys = _as_tuple(func(*xs))
    if y_grad is None:
        for y in ys:
            if y is not None and y.size != 1:
                raise ValueError("y_grad may be None only when the output has one element")
        y_grad = tuple(None if y is None else np.ones_like(y.array) for y in ys)
    else:
        y_grad = _as_tuple(y_grad)
    if len(y_grad) != len(ys):
        raise ValueError(f"{len(ys)} outputs but {len(y_grad)} upstream gradients")
    from .backprop import backward_many
    pairs = [(y, g) for y, g in zip(ys, y_grad) if y is not None and g is not None]
    backward_many([y for y, _ in pairs], [np.asarray(g) for _, g in pairs])

    rng = np.random.default_rng(0)
    directions, analytic = [], 0.0
    for x, skip in zip(xs, no_grads):
        if skip:
            if x.grad is not None:
                raise AssertionError("a gradient was computed for an input marked "
                                     "in no_grads")
            directions.append(None)
            continue
        if x.grad is None:
            raise AssertionError("no gradient was computed for an input")
        d = rng.standard_normal(x.shape)
        directions.append(d)
        analytic += float(np.sum(np.asarray(x.grad, np.float64) * d))
    for p in params:
        d = rng.standard_normal(p.shape)
        directions.append(d)
        if p.grad is None:
            raise AssertionError(f"no gradient was computed for parameter {p.name}")
        analytic += float(np.sum(np.asarray(p.grad, np.float64) * d))
    norm = np.sqrt(sum(float(np.sum(d * d)) for d in directions if d is not None)) or 1.0
    directions = [None if d is None else d / norm for d in directions]
    analytic /= norm
    numeric = _directional(func, [np.asarray(x) for x in x_data], params, y_grad,
                           directions, eps, None if dtype is None else np.dtype(dtype))
    if not abs(numeric - analytic) <= atol + rtol * abs(numeric):
        raise AssertionError(
            "gradient check failed: directional derivative "
            f"{numeric!r} (finite differences) != {analytic!r} (backward); "
            f"atol={atol}, rtol={rtol}")


def check_double_backward(func, x_data, y_grad, x_grad_grad, params=(),
                          params_grad_grad=(), eps=1e-3, atol=1e-4, rtol=1e-3,
                          no_grads=None, dtype=None, detect_nondifferentiable=False):
    """Check the gradient of the gradient of `func` (see Chainer).

    The first-order gradient (computed with enable_double_backprop) is treated
    as a function of the inputs and of `y_grad`, and checked by check_backward
    with `x_grad_grad` as its upstream gradient.
    """
    from .backprop import grad
    x_data = _as_tuple(x_data)
    params = _as_tuple(params)
    y_grad = _as_tuple(y_grad)
    x_grad_grad = _as_tuple(x_grad_grad)
    params_grad_grad = _as_tuple(params_grad_grad)
    n_x = len(x_data)
    float_x = [i for i, x in enumerate(x_data) if np.asarray(x).dtype.kind == "f"]

    def first_order_grad(*inputs):
        xs = inputs[:n_x]
        gys = inputs[n_x:]
        ys = _as_tuple(func(*xs))
        gxs = grad(list(ys), [xs[i] for i in float_x] + list(params),
                   grad_outputs=list(gys), enable_double_backprop=True)
        return tuple(gxs)

    if no_grads is not None:
        no_grads = list(no_grads) + [False] * len(y_grad)
    check_backward(first_order_grad, x_data + y_grad, x_grad_grad + params_grad_grad,
                   params=params, eps=eps, atol=atol, rtol=rtol, no_grads=no_grads,
                   dtype=dtype, detect_nondifferentiable=detect_nondifferentiable)
