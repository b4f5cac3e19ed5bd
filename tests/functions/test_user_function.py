"""The `function_node` op: user-defined FunctionNodes (forward on arrays,
backward with functions) against NumPy and finite differences, eagerly and
compiled by kusari.jit (the forward opaque, the backward traced into IR)."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from tests.functions.user_functions import exp, mul_add, sin
from tests.helpers import assert_close, check_all

COVERS = {"function_node": "test_function_node_op"}

DTYPES = [np.float16, np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_function_node_op(dtype):
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, (3, 4)).astype(dtype)
    check_all(sin, np.sin, [x], dtype)
    check_all(exp, np.exp, [x], dtype)
    # two outputs, broadcast operands
    a = rng.uniform(-2, 2, (3, 4)).astype(dtype)
    b = rng.uniform(-2, 2, (1, 4)).astype(dtype)
    check_all(mul_add, lambda a, b: (a * b, a + b), [a, b], dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_function_node_op_compiled_equals_eager(dtype):
    """Under kusari.jit the same function's forward, first and second
    derivatives equal the eager ones."""
    rng = np.random.default_rng(1)
    a = rng.uniform(-2, 2, (3, 4)).astype(dtype)
    b = rng.uniform(-2, 2, (1, 4)).astype(dtype)

    def step(a, b):
        a = a if isinstance(a, Variable) else Variable(a)
        b = b if isinstance(b, Variable) else Variable(b)
        p, s = mul_add(sin(a), b)
        loss = F.sum(p * exp(s))
        ga, gb = kusari.grad([loss], [a, b], enable_double_backprop=True)
        gga, = kusari.grad([F.sum(ga * ga) + F.sum(gb)], [a])
        return loss, ga, gb, gga

    eager = [v.array for v in step(a, b)]
    jitted = kusari.jit(step)
    for _ in range(2):                        # traced, then the compiled entry
        got = [np.asarray(getattr(v, "array", v)) for v in jitted(a, b)]
        for g, e in zip(got, eager):
            assert g.shape == e.shape and g.dtype == e.dtype
            assert_close(g, e.astype(np.float64), dtype)
