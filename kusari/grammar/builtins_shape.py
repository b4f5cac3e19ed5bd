"""Built-ins: shapes, linear algebra and layers, losses, construction."""
from __future__ import annotations

import math

import numpy as np

from .. import functions as F
from . import types as T
from .builtins import builtin

# -- shapes -------------------------------------------------------------------------


@builtin("reshape", ["x", "shape"], static=("shape",))
class Reshape:
    def rule(C, a):
        x = C.array(a["x"], "x")
        want = C.shape(a["shape"], "shape", allow_minus_one=True)
        return T.Array(x.dtype, C.reshaped(x.dims, want))

    def lower(L, a):
        return F.reshape(L.var(a["x"]), L.ints(a["shape"]))


@builtin("transpose", ["x", "axes"], {"axes": None}, static=("axes",))
class Transpose:
    def rule(C, a):
        x = C.array(a["x"], "x")
        if a["axes"] is None:
            return T.Array(x.dtype, tuple(reversed(x.dims)))
        axes = C.permutation(a["axes"], x.ndim)
        return T.Array(x.dtype, tuple(x.dims[i] for i in axes))

    def lower(L, a):
        axes = None if a["axes"] is None else L.ints(a["axes"])
        return F.transpose(L.var(a["x"]), axes)


@builtin("broadcast_to", ["x", "shape"], static=("shape",))
class BroadcastTo:
    def rule(C, a):
        x = C.array(a["x"], "x")
        want = C.shape(a["shape"], "shape")
        C.broadcast_into(x, want)
        return T.Array(x.dtype, want)

    def lower(L, a):
        return F.broadcast_to(L.var(a["x"]), L.ints(a["shape"]))


@builtin("expand_dims", ["x", "axis"], static=("axis",))
class ExpandDims:
    def rule(C, a):
        x = C.array(a["x"], "x")
        (axis,) = C.axes(a["axis"], x.ndim + 1, single=True)
        return T.Array(x.dtype, x.dims[:axis] + (1,) + x.dims[axis:])

    def lower(L, a):
        return F.expand_dims(L.var(a["x"]), L.int(a["axis"]))


@builtin("squeeze", ["x", "axis"], {"axis": None}, static=("axis",))
class Squeeze:
    def rule(C, a):
        x = C.array(a["x"], "x")
        if a["axis"] is None:
            return T.Array(x.dtype, tuple(d for d in x.dims if d != 1))
        axes = C.axes(a["axis"], x.ndim)
        for ax in axes:
            if x.dims[ax] not in (1, None):
                C.fail(f"`squeeze` of axis {ax} of {x}: its length is {x.dims[ax]}, not 1")
        return T.Array(x.dtype, tuple(d for i, d in enumerate(x.dims) if i not in axes))

    def lower(L, a):
        return F.squeeze(L.var(a["x"]), L.axis(a["axis"]))


@builtin("flatten", ["x"])
class Flatten:
    def rule(C, a):
        x = C.array(a["x"], "x")
        return T.Array(x.dtype, (C.product(x.dims),))

    def lower(L, a):
        return F.flatten(L.var(a["x"]))


@builtin("concat", ["xs", "axis"], {"axis": 1}, static=("axis",))
class Concat:
    def rule(C, a):
        xs = C.arrays(a["xs"], "xs")
        (axis,) = C.axes(a["axis"], xs[0].ndim, single=True)
        dtype = C.same_dtype("concat", xs)
        dims = list(xs[0].dims)
        for x in xs[1:]:
            if x.ndim != len(dims):
                C.fail(f"`concat` of arrays of different ranks: {xs[0]} and {x}")
            for i, (d, e) in enumerate(zip(dims, x.dims)):
                if i != axis:
                    dims[i] = C.equal_dim(d, e, f"`concat` along axis {axis}", xs[0], x)
        lengths = [x.dims[axis] for x in xs]
        dims[axis] = sum(lengths) if all(isinstance(n, int) for n in lengths) else None
        return T.Array(dtype, tuple(dims))

    def lower(L, a):
        return F.concat([L.var(x) for x in a["xs"]], axis=L.int(a["axis"]))


@builtin("stack", ["xs", "axis"], {"axis": 0}, static=("axis",))
class Stack:
    def rule(C, a):
        xs = C.arrays(a["xs"], "xs")
        (axis,) = C.axes(a["axis"], xs[0].ndim + 1, single=True)
        dtype = C.same_dtype("stack", xs)
        dims = list(xs[0].dims)
        for x in xs[1:]:
            if x.ndim != len(dims):
                C.fail(f"`stack` of arrays of different shapes: {xs[0]} and {x}")
            dims = [C.equal_dim(d, e, "`stack`", xs[0], x) for d, e in zip(dims, x.dims)]
        return T.Array(dtype, tuple(dims[:axis]) + (len(xs),) + tuple(dims[axis:]))

    def lower(L, a):
        return F.stack([L.var(x) for x in a["xs"]], axis=L.int(a["axis"]))


# -- linear algebra and layers ----------------------------------------------------------

@builtin("matmul", ["a", "b"])
class MatMul:
    def rule(C, a):
        return C.matmul(C.array(a["a"], "a"), C.array(a["b"], "b"))

    def lower(L, a):
        x, y = L.pair(a["a"], a["b"])
        return F.matmul(L.var(x), L.var(y))


@builtin("linear", ["x", "W", "b"], {"b": None})
class Linear:
    def rule(C, a):
        x = C.float_array(a["x"], "x")
        W = C.float_array(a["W"], "W")
        if x.ndim < 2 or W.ndim != 2:
            C.fail(f"`linear` needs x of shape [batch, in] and W of shape [out, in], "
                   f"got x: {x} and W: {W}")
        C.same_dtype("linear", [x, W])
        n_in = x.dims[1] if x.ndim == 2 else C.product(x.dims[1:])
        C.equal_dim(n_in, W.dims[1], "`linear` (x's columns and W's columns)", x, W)
        if a["b"] is not None:
            b = C.float_array(a["b"], "b")
            C.same_dtype("linear", [x, b])
            if b.ndim != 1:
                C.fail(f"`linear` needs b of shape [out], got {b}")
            C.equal_dim(b.dims[0], W.dims[0], "`linear` (b's length and W's rows)", b, W)
        return T.Array(x.dtype, (x.dims[0], W.dims[0]))

    def lower(L, a):
        b = None if a["b"] is None else L.var(a["b"])
        return F.linear(L.var(a["x"]), L.var(a["W"]), b)


@builtin("softmax_cross_entropy", ["y", "t"])
class SoftmaxCrossEntropy:
    def rule(C, a):
        y = C.float_array(a["y"], "y")
        t = C.int_array(a["t"], "t")
        if y.ndim < 2 or t.ndim != y.ndim - 1:
            C.fail(f"`softmax_cross_entropy` needs scores [batch, classes] and labels "
                   f"[batch], got {y} and {t}")
        C.equal_dim(y.dims[0], t.dims[0], "`softmax_cross_entropy` (the batch)", y, t)
        return T.Array(y.dtype, ())

    def lower(L, a):
        return F.softmax_cross_entropy(L.var(a["y"]), L.var(a["t"]))


@builtin("mean_squared_error", ["x0", "x1"])
class MeanSquaredError:
    def rule(C, a):
        x0, x1 = C.float_array(a["x0"], "x0"), C.float_array(a["x1"], "x1")
        C.same_dtype("mean_squared_error", [x0, x1])
        if x0.ndim != x1.ndim:
            C.fail(f"`mean_squared_error` of different shapes: {x0} and {x1}")
        for d, e in zip(x0.dims, x1.dims):
            C.equal_dim(d, e, "`mean_squared_error`", x0, x1)
        return T.Array(x0.dtype, ())

    def lower(L, a):
        return F.mean_squared_error(L.var(a["x0"]), L.var(a["x1"]))


@builtin("accuracy", ["y", "t"])
class Accuracy:
    def rule(C, a):
        y = C.float_array(a["y"], "y")
        t = C.int_array(a["t"], "t")
        if y.ndim != 2 or t.ndim != 1:
            C.fail(f"`accuracy` needs scores [batch, classes] and labels [batch], "
                   f"got {y} and {t}")
        C.equal_dim(y.dims[0], t.dims[0], "`accuracy` (the batch)", y, t)
        return T.Array(y.dtype, ())

    def lower(L, a):
        return F.accuracy(L.var(a["y"]), L.var(a["t"]))


# -- construction ------------------------------------------------------------------------

def _filled(name, value):
    @builtin(name, ["shape", "dtype"], {"dtype": "f64"}, static=("shape", "dtype"))
    class Filled:
        def rule(C, a):
            return T.Array(C.dtype(a["dtype"]), C.shape(a["shape"], "shape"))

        def lower(L, a):
            return L.constant(np.full(L.ints(a["shape"]), value, L.dtype(a["dtype"])))
    return Filled


_filled("zeros", 0)
_filled("ones", 1)


@builtin("full", ["shape", "fill_value", "dtype"], {"dtype": None},
         static=("shape", "fill_value", "dtype"))
class Full:
    def rule(C, a):
        kind = C.static_number(a["fill_value"], "fill_value")
        dtype = T.default_dtype(kind) if a["dtype"] is None else C.dtype(a["dtype"])
        C.fits(a["fill_value"], dtype, "fill_value")
        return T.Array(dtype, C.shape(a["shape"], "shape"))

    def lower(L, a):
        dtype = None if a["dtype"] is None else L.dtype(a["dtype"])
        return L.constant(np.full(L.ints(a["shape"]), L.number(a["fill_value"]), dtype))


@builtin("arange", ["start", "stop", "step", "dtype"],
         {"stop": None, "step": None, "dtype": None},
         static=("start", "stop", "step", "dtype"))
class Arange:
    def rule(C, a):
        names = [k for k in ("start", "stop", "step") if a[k] is not None]
        kinds = [C.static_number(a[k], k) for k in names]
        known = [a[k].value for k in names]
        kind = "float" if "float" in kinds else "int"
        dtype = T.default_dtype(kind) if a["dtype"] is None else C.dtype(a["dtype"])
        if np.dtype(T.DTYPES[dtype]).kind != "f" and kind == "float":
            C.fail(f"arange with dtype {dtype} counts in integers; give start, stop and "
                   "step as integers")
        for k in names:
            C.fits(a[k], dtype, k)
        n = None
        if all(isinstance(v, (int, float)) for v in known):
            given = dict(zip(names, known))
            start, stop = (given["start"], given["stop"]) if "stop" in given \
                else (0, given["start"])            # arange(n) counts from 0 to n
            step = given.get("step", 1)
            if step == 0:
                C.fail("the step of arange cannot be zero")
            count = (stop - start) / step if kind == "float" else -((start - stop) // step)
            if not math.isfinite(count) or count > np.iinfo(np.int64).max:
                C.fail("arange would have more elements than an array can hold")
            n = max(0, math.ceil(count))        # NumPy's length
        return T.Array(dtype, (n,))

    def lower(L, a):
        args = [L.number(a[k]) for k in ("start", "stop", "step") if a[k] is not None]
        dtype = None if a["dtype"] is None else L.dtype(a["dtype"])
        return L.constant(np.arange(*args, dtype=dtype))


@builtin("astype", ["x", "dtype"], static=("dtype",))
class AsType:
    def rule(C, a):
        x = C.array(a["x"], "x")
        return T.Array(C.dtype(a["dtype"]), x.dims)

    def lower(L, a):
        return F.cast(L.var(a["x"]), L.dtype(a["dtype"]))
