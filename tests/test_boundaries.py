"""Checked boundaries of the Python surface: what comes in is refused with a
clear error in the user's terms, or accepted as Chainer accepts it."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F


def _xy():
    x = kusari.Variable(np.ones(3, np.float32))
    return x, x * 2


def test_grad_outputs_of_the_wrong_dtype_or_shape_are_refused():
    x, y = _xy()
    with pytest.raises(TypeError, match="Dtype of data and grad mismatch"):
        kusari.grad([y], [x], grad_outputs=[np.ones(3, np.float64)])
    with pytest.raises(ValueError, match="Shape of data and grad mismatch"):
        kusari.grad([y], [x], grad_outputs=[np.ones(4, np.float32)])
    with pytest.raises(TypeError, match="Dtype of data and grad mismatch"):
        kusari.backward([y], [np.ones(3, np.float64)])
    gx, = kusari.grad([y], [x], grad_outputs=[np.full(3, 2, np.float32)])
    np.testing.assert_array_equal(gx.array, [4, 4, 4])


@pytest.mark.parametrize("array, words", [
    (np.array([1, None], dtype=object), "object"),
    (np.array(["a", "b"]), "<U1"),
    (np.array([1 + 2j]), "complex"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetime64"),
])
def test_arrays_kusari_cannot_compute_on_are_refused_clearly(array, words):
    with pytest.raises(TypeError, match=words):
        kusari.Variable(array)
    with pytest.raises(TypeError, match=words):
        F.exp(array)
    f = kusari.jit(lambda a: a * 2)
    with pytest.raises(TypeError, match=words):
        f(array)
    v = kusari.Variable(np.ones(2))
    with pytest.raises(TypeError, match=words):
        v.array = array


def test_a_float32_variable_meeting_a_float64_constant_array_stays_float32():
    x = kusari.Variable(np.ones(3, np.float32))
    for y in (x * np.array(2.0), np.array(2.0) * x, x + np.ones(3), x - np.float64(1)):
        assert y.dtype == np.float32
    f = kusari.jit(lambda v: v * np.array(2.0))
    assert f(np.ones(3, np.float32)).dtype == np.float32
    # two Variables of different dtypes are refused, as in Chainer
    with pytest.raises(kusari.compiler.InvalidType, match="lhs.dtype == rhs.dtype"):
        x + kusari.Variable(np.array(2.0))


def test_iterating_over_a_variable_as_chainer_allows():
    x = kusari.Variable(np.arange(6.0).reshape(3, 2))
    rows = list(x)
    assert len(rows) == 3 and all(isinstance(r, kusari.Variable) for r in rows)
    np.testing.assert_array_equal(rows[2].array, [4.0, 5.0])
    f = kusari.jit(lambda a: sum(r * 2 for r in a))
    np.testing.assert_array_equal(f(np.arange(6.0).reshape(3, 2)), [12.0, 18.0])
    with pytest.raises(TypeError):
        list(kusari.Variable(np.array(1.0)))       # a 0-d Variable has no length


def test_jit_accepts_what_eager_code_accepts():
    def body(a, s):
        return F.exp(a) * s
    f = kusari.jit(body)
    a = np.ones(2, np.float32)
    for s in (np.float64(3.0), np.float32(3.0), np.int32(3), 2.5):
        want = body(a, s).array
        got = f(a, s)
        assert got.dtype == want.dtype == np.float32, s
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(f(a, np.float64(4.0)), body(a, 4.0).array)  # an input
    assert len(f._entries) == 4           # f64, f32, i32 scalars and the static 2.5


def test_bad_arguments_get_errors_in_the_users_terms():
    x = kusari.Variable(np.ones((2, 3), np.float32))
    with pytest.raises(TypeError, match="Sum: axis must be None, an int or a tuple"):
        F.sum(x, axis="a")
    for _ in range(2):      # the second meets the constant cached by the first
        with pytest.raises(kusari.compiler.InvalidType, match="Integers to negative integer"):
            kusari.Variable(np.arange(1, 4)) ** -1
    with pytest.raises(TypeError, match="Cast: kusari computes on bool, integer and float"):
        F.cast(x, np.complex64)
    with pytest.raises(TypeError, match="output 0 of lambda is a str"):
        kusari.jit(lambda a: "x")(np.ones(2))
    with pytest.raises(kusari.compiler.TraceError, match="as a Python bool"):
        kusari.jit(lambda a: a if F.sum(a) else -a)(np.ones(2))
