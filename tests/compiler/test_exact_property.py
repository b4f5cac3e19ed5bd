"""Property: a random small program (elementwise ops, constants, selects,
reductions, broadcasting) computes the same numbers eagerly, compiled, and
in plain NumPy, on inputs full of special values (0, -0.0, +-inf, NaN, huge,
tiny, subnormal). Bit for bit: NaN equals NaN, and +0.0 and -0.0 differ."""
from __future__ import annotations

import contextlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import kusari
import kusari.functions as F
from kusari import Variable
from tests.compiler.test_exact_rewrites import same_bits

SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, -1e30, 3e38, -3e38, 1e-30, -1e-30,
           1e-45, -1e-45, 1.0, -1.0, 2.0, 0.5, -0.5, -2.5, 3.0, 0.1, -1e-3]
SPECIAL64 = SPECIAL + [1e300, -1e300, 1.7e308, 5e-324, -1e-310, 1e-200]
RTOL = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}
CONSTS = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -2.0, 3.0, -3.0, 0.1, np.inf, -np.inf, np.nan, 1e30]


@contextlib.contextmanager
def nep50():
    """NumPy 2's promotion (NEP 50: a Python number takes the array's dtype,
    0-d arrays included) for the reference under NumPy 1.24-1.26 too, whose
    value-based casting makes `np.maximum(float16 0-d, 0)` a float64."""
    get = getattr(np, "_get_promotion_state", None)
    if get is None or not np.__version__.startswith("1."):
        yield
        return
    old = get()
    np._set_promotion_state("weak")
    try:
        yield
    finally:
        np._set_promotion_state(old)


def sigmoid(a):
    half = a.dtype.type(0.5)
    return np.tanh(a * half) * half + half


def softplus(a):
    return np.fmax(a, 0) + np.log1p(np.exp(-np.fabs(a)))


def scalar_power(a, b):
    """x ** y as NumPy computes it with a scalar exponent, element by element
    (for arrays of exponents NumPy calls the C library's pow instead, which
    rounds x * x and 1 / x otherwise now and then: kusari's pow never depends
    on the exponent's layout)."""
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    dtype = np.result_type(a, b)
    out = np.empty(a.shape, dtype)
    for i in np.ndindex(a.shape):
        out[i] = np.power(a[i], dtype.type(b[i]))
    return out


# name: (kusari, NumPy)
UNARY = {
    "neg": (lambda v: -v, np.negative), "abs": (F.absolute, np.abs),
    "exp": (F.exp, np.exp), "expm1": (F.expm1, np.expm1), "log": (F.log, np.log),
    "log2": (F.log2, np.log2), "log10": (F.log10, np.log10), "log1p": (F.log1p, np.log1p),
    "sqrt": (F.sqrt, np.sqrt), "rsqrt": (F.rsqrt, lambda a: 1 / np.sqrt(a)),
    "square": (F.square, np.square), "sin": (F.sin, np.sin), "cos": (F.cos, np.cos),
    "tan": (F.tan, np.tan), "arcsin": (F.arcsin, np.arcsin), "arccos": (F.arccos, np.arccos),
    "arctan": (F.arctan, np.arctan), "sinh": (F.sinh, np.sinh), "cosh": (F.cosh, np.cosh),
    "tanh": (F.tanh, np.tanh), "sigmoid": (F.sigmoid, sigmoid),
    "relu": (F.relu, lambda a: np.maximum(a, 0)), "sign": (F.sign, np.sign),
    "floor": (F.floor, np.floor), "ceil": (F.ceil, np.ceil),
    "softplus": (F.softplus, softplus),
}
BINARY = {
    "add": (lambda a, b: a + b, np.add), "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply), "div": (lambda a, b: a / b, np.divide),
    "pow": (lambda a, b: a ** b, scalar_power), "maximum": (F.maximum, np.maximum),
    "minimum": (F.minimum, np.minimum),
}
COMPARE = {"greater": (F.greater, np.greater), "less_equal": (F.less_equal, np.less_equal),
           "equal": (F.equal, np.equal)}
REDUCE = {"sum": (F.sum, np.sum), "max": (F.max, np.max), "min": (F.min, np.min),
          "mean": (F.mean, np.mean), "prod": (F.prod, np.prod)}
# what the simplifier likes to see: identities and inverse pairs
PATTERNS = {
    "exp_log": (lambda v: F.exp(F.log(v)), lambda a: np.exp(np.log(a))),
    "log_exp": (lambda v: F.log(F.exp(v)), lambda a: np.log(np.exp(a))),
    "neg_neg": (lambda v: -(-v), lambda a: -(-a)),
    "times_zero": (lambda v: v * 0.0, lambda a: a * 0.0),
    "plus_zero": (lambda v: v + 0.0, lambda a: a + 0.0),
    "zero_minus": (lambda v: 0.0 - v, lambda a: 0.0 - a),
    "double": (lambda v: v + v, lambda a: a + a),
    "neg_times": (lambda v: (-v) * 3.0, lambda a: (-a) * 3.0),
    "minus_self": (lambda v: (-v) - v, lambda a: (-a) - a),
    "sq_sqrt": (lambda v: F.sqrt(v) ** 2, lambda a: np.sqrt(a) ** 2),
    "inverse": (lambda v: 1.0 / (v ** -1.0), lambda a: 1.0 / (a ** -1.0)),
}


@st.composite
def programs(draw, max_steps=8):
    """(dtype, inputs, steps, outputs, whether each output follows a
    reduction); a step is (kind, name, operand positions, extra)."""
    dtype = draw(st.sampled_from([np.float16, np.float32, np.float64]))
    full = draw(st.sampled_from([(3,), (2, 3), (2, 1, 3), (4,)]))
    pool = SPECIAL64 if dtype == np.float64 else SPECIAL
    inputs = []
    for _ in range(draw(st.integers(1, 3))):
        keep = draw(st.integers(0, len(full)))
        shape = tuple(d if draw(st.booleans()) else 1 for d in full[len(full) - keep:])
        n = int(np.prod(shape))
        values = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
        inputs.append(np.array(values, dtype).reshape(shape))
    shapes = [a.shape for a in inputs]
    reduced = [False] * len(inputs)
    steps = []
    for _ in range(draw(st.integers(1, max_steps))):
        kind = draw(st.sampled_from(["unary", "unary", "binary", "binary", "const", "const",
                                     "where", "reduce", "shape", "pattern"]))
        pick = st.integers(0, len(shapes) - 1)
        operands = (draw(pick),)
        shape, extra = shapes[operands[0]], None
        if kind == "unary":
            name = draw(st.sampled_from(sorted(UNARY)))
        elif kind == "pattern":
            name = draw(st.sampled_from(sorted(PATTERNS)))
        elif kind == "const":
            name = draw(st.sampled_from(sorted(BINARY)))
            left = draw(st.booleans()) and name not in ("maximum", "minimum")
            extra = (draw(st.sampled_from(CONSTS)), left,
                     draw(st.sampled_from(["scalar", "array"])))
        elif kind in ("binary", "where"):
            name = draw(st.sampled_from(sorted(BINARY if kind == "binary" else COMPARE)))
            operands += tuple(draw(pick) for _ in range(1 if kind == "binary" else 3))
            try:
                shape = np.broadcast_shapes(*[shapes[k] for k in operands])
            except ValueError:
                continue
        elif kind == "reduce":
            if not shape:
                continue
            name = draw(st.sampled_from(sorted(REDUCE)))
            extra = (draw(st.integers(0, len(shape) - 1)), draw(st.booleans()))
            axis, keepdims = extra
            shape = tuple(1 if k == axis else d for k, d in enumerate(shape)
                          if keepdims or k != axis)
        else:
            name = "broadcast" if draw(st.booleans()) or not shape else "transpose"
            shape = (2,) + shape if name == "broadcast" else shape[::-1]
        steps.append((kind, name, operands, extra))
        shapes.append(tuple(shape))
        reduced.append(kind == "reduce" or any(reduced[k] for k in operands))
    outputs = sorted({len(shapes) - 1, draw(st.integers(0, len(shapes) - 1))})
    return dtype, inputs, steps, outputs, [reduced[k] for k in outputs]


def run(steps, values, outputs, numpy: bool):
    """The program on `values`: Variables (eager or traced) or arrays."""
    side = 1 if numpy else 0
    values = list(values)
    for kind, name, operands, extra in steps:
        xs = [values[k] for k in operands]
        if kind == "unary":
            out = UNARY[name][side](*xs)
        elif kind == "pattern":
            out = PATTERNS[name][side](*xs)
        elif kind == "binary":
            out = BINARY[name][side](*xs)
        elif kind == "const":
            (x,), (c, left, layout) = xs, extra
            c = x.dtype.type(c) if layout == "scalar" else np.full(x.shape, c, x.dtype)
            if layout == "scalar" and not numpy:
                c = c.item()                  # a Python number, as users write it
            fn = BINARY[name][side]
            out = fn(c, x) if left else fn(x, c)
        elif kind == "where":
            cond = COMPARE[name][side](xs[0], xs[1])
            out = (np.where if numpy else F.where)(cond, xs[2], xs[3])
        elif kind == "reduce":
            axis, keepdims = extra
            out = REDUCE[name][side](xs[0], axis=axis, keepdims=keepdims)
        elif name == "broadcast":
            out = (np.broadcast_to if numpy else F.broadcast_to)(xs[0], (2,) + xs[0].shape)
        else:
            out = (np.transpose if numpy else F.transpose)(xs[0])
        values.append(np.asarray(out) if numpy else out)
    return [values[k] for k in outputs]


@settings(max_examples=250, deadline=None)
@given(programs())
def test_compiled_equals_eager_equals_numpy(program):
    dtype, inputs, steps, outputs, reduced = program
    with np.errstate(all="ignore"):
        with nep50():
            want = run(steps, inputs, outputs, numpy=True)
        eager = [v.array for v in run(steps, [Variable(a) for a in inputs], outputs, False)]
        g = kusari.trace(lambda *xs: tuple(run(steps, xs, outputs, False)), *inputs)
        got = kusari.compile(g)(*inputs)
    got = got if isinstance(got, tuple) else (got,)
    for k, (w, e, c, red) in enumerate(zip(want, eager, got, reduced)):
        assert e.shape == w.shape and c.shape == w.shape
        assert e.dtype == w.dtype and c.dtype == w.dtype
        same = same_bits(c, e)
        if red and not same.all():
            # a reduction may add in another order: equal to rounding, and
            # NaN or infinite in the same places
            np.testing.assert_allclose(c, e, rtol=RTOL[np.dtype(dtype)])
            assert (np.isinf(c) == np.isinf(e)).all() and (np.isnan(c) == np.isnan(e)).all()
        else:
            assert same.all(), f"output {k}: compiled {c[~same]} != eager {e[~same]}\n{g}"
        same = same_bits(e, w)
        assert same.all(), f"output {k}: eager {e[~same]} != NumPy {w[~same]}\n{steps}"
