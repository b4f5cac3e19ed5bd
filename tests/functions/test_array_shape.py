"""Array functions that move, repeat and select elements: forward against
NumPy, first and second derivatives against finite differences (float16,
float32, float64), and Chainer's argument rules."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.compiler.errors import InvalidType
from kusari.functions.array.as_strided import _stride_array
from tests.helpers import check_all

DTYPES = [np.float16, np.float32, np.float64]

COVERS = {
    "moveaxis": "test_moveaxis_rollaxis",
    "rollaxis": "test_moveaxis_rollaxis",
    "flip": "test_flips",
    "fliplr": "test_flips",
    "flipud": "test_flips",
    "dstack": "test_dstack",
    "tile": "test_tile",
    "repeat": "test_repeat",
    "diagonal": "test_diagonal",
    "depth2space": "test_space_depth",
    "space2depth": "test_space_depth",
    "permutate": "test_permutate",
    "transpose_sequence": "test_transpose_sequence",
    "as_strided": "test_as_strided",
    "copy": "test_copy",
}


def data(rng, shape, dtype):
    return rng.uniform(-1, 1, shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_moveaxis_rollaxis(dtype):
    rng = np.random.default_rng(0)
    x = data(rng, (2, 3, 4), dtype)
    for src, dst in [(0, 2), (-1, 0), ((0, 1), (2, 0)), (1, 1)]:
        check_all(lambda v: F.moveaxis(v, src, dst), lambda a: np.moveaxis(a, src, dst),
                  [x], dtype)
    for axis, start in [(2, 0), (0, 3), (-1, 1), (1, -1), (1, 1)]:
        check_all(lambda v: F.rollaxis(v, axis, start), lambda a: np.rollaxis(a, axis, start),
                  [x], dtype)


def test_moveaxis_rollaxis_errors():
    x = np.zeros((2, 3, 4), np.float32)
    with pytest.raises(InvalidType):
        F.moveaxis(x, 3, 0)
    with pytest.raises(ValueError):
        F.moveaxis(x, (0, 0), (1, 2))
    with pytest.raises(TypeError):
        F.moveaxis(x, "a", 0)
    with pytest.raises(InvalidType):           # Chainer's moveaxis takes floats only
        F.moveaxis(np.zeros((2, 3), np.int32), 0, 1)
    with pytest.raises(InvalidType):
        F.rollaxis(x, 4)
    with pytest.raises(TypeError):
        F.rollaxis(x, 0, start="a")


@pytest.mark.parametrize("dtype", DTYPES)
def test_flips(dtype):
    rng = np.random.default_rng(1)
    x = data(rng, (2, 3, 4), dtype)
    for axis in (0, 1, 2, -1):
        check_all(lambda v: F.flip(v, axis), lambda a: np.flip(a, axis), [x], dtype)
    check_all(F.fliplr, np.fliplr, [x], dtype)
    check_all(F.flipud, np.flipud, [x[0, 0]], dtype)
    with pytest.raises(InvalidType):
        F.flip(x, 3)
    with pytest.raises(TypeError):
        F.flip(x, 0.5)
    with pytest.raises(InvalidType):
        F.fliplr(x[0, 0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_dstack(dtype):
    rng = np.random.default_rng(2)
    for shape, other in [((3,), (3,)), ((2, 3), (2, 3)), ((2, 3, 1), (2, 3, 2)), ((), ())]:
        a, b = data(rng, shape, dtype), data(rng, other, dtype)
        check_all(lambda u, v: F.dstack([u, v]), lambda u, v: np.dstack([u, v]), [a, b], dtype)
    with pytest.raises(InvalidType):
        F.dstack([np.zeros((2, 3), dtype), np.zeros((2, 4), dtype)])


@pytest.mark.parametrize("dtype", DTYPES)
def test_tile(dtype):
    rng = np.random.default_rng(3)
    x = data(rng, (2, 3), dtype)
    for reps in [2, (2, 1), (1, 2, 2), (3,), (0, 2), 1]:
        check_all(lambda v: F.tile(v, reps), lambda a: np.tile(a, reps), [x], dtype)
    check_all(lambda v: F.tile(v, (2, 3)), lambda a: np.tile(a, (2, 3)),
              [data(rng, (), dtype)], dtype)
    with pytest.raises(ValueError):
        F.tile(x, -1)
    with pytest.raises(TypeError):
        F.tile(x, 1.5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_repeat(dtype):
    rng = np.random.default_rng(4)
    x = data(rng, (3, 2), dtype)
    cases = [(2, None), ((2,), 0), ((1, 0, 3), 0), ((2, 1), 1), (3, -1), (0, 1),
             ((1, 2, 0, 1, 1, 2), None), (True, None)]
    for repeats, axis in cases:
        numpy_repeats = repeats[0] if isinstance(repeats, tuple) and len(repeats) == 1 \
            else repeats
        check_all(lambda v: F.repeat(v, repeats, axis),
                  lambda a: np.repeat(a, numpy_repeats, axis), [x], dtype)
    with pytest.raises(ValueError):
        F.repeat(x, -1)
    with pytest.raises(TypeError):
        F.repeat(x, "2")
    with pytest.raises(TypeError):
        F.repeat(x, 2, axis=True)
    with pytest.raises(ValueError):           # one count per element
        F.repeat(x, (1, 2), axis=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_diagonal(dtype):
    rng = np.random.default_rng(5)
    x = data(rng, (3, 4, 2), dtype)
    for offset, a1, a2 in [(0, 0, 1), (1, 0, 1), (-2, 0, 1), (0, 1, 2), (1, 2, 0),
                           (0, -1, 0), (5, 0, 1)]:
        check_all(lambda v: F.diagonal(v, offset, a1, a2),
                  lambda a: np.diagonal(a, offset, a1, a2), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_space_depth(dtype):
    rng = np.random.default_rng(6)
    x = data(rng, (1, 8, 2, 3), dtype)
    r = 2

    def d2s(a):     # NumPy reference: channel (i, j, c) lands at pixel offset (i, j)
        n, c, h, w = a.shape
        c //= r * r
        return a.reshape(n, r, r, c, h, w).transpose(0, 3, 4, 1, 5, 2).reshape(
            n, c, h * r, w * r)

    def s2d(a):
        n, c, h, w = a.shape
        return a.reshape(n, c, h // r, r, w // r, r).transpose(0, 3, 5, 1, 2, 4).reshape(
            n, r * r * c, h // r, w // r)

    check_all(lambda v: F.depth2space(v, r), d2s, [x], dtype)
    y = d2s(x)
    check_all(lambda v: F.space2depth(v, r), s2d, [y], dtype)
    np.testing.assert_array_equal(F.space2depth(F.depth2space(x, r), r).array, x)
    with pytest.raises(InvalidType):
        F.depth2space(x[0], r)


@pytest.mark.parametrize("dtype", DTYPES)
def test_permutate(dtype):
    rng = np.random.default_rng(7)
    x = data(rng, (4, 3), dtype)
    ind = np.array([2, 0, 3, 1], np.int32)
    inverse = np.argsort(ind)
    check_all(lambda v: F.permutate(v, ind), lambda a: a[ind], [x], dtype)
    check_all(lambda v: F.permutate(v, ind, inv=True), lambda a: a[inverse], [x], dtype)
    cols = np.array([2, 0, 1], np.int64)
    check_all(lambda v: F.permutate(v, cols, axis=1), lambda a: a[:, cols],
              [data(rng, (2, 3), dtype)], dtype)
    y = F.permutate(x, Variable(ind))
    np.testing.assert_array_equal(y.array, x[ind])
    with pytest.raises(ValueError):
        F.permutate(x, ind.astype(np.float32))
    with kusari.using_config("debug", True), pytest.raises(ValueError):
        F.permutate(x, np.array([0, 0, 1, 2], np.int32))


def test_permutate_traced():
    """Inside jit the indices are data: the permutation and its inverse."""
    x = np.arange(8.0).reshape(4, 2)
    ind = np.array([1, 3, 0, 2], np.int32)
    f = kusari.jit(lambda v, i: F.permutate(v, i, inv=True) * 1.0)
    g = kusari.jit(lambda v, i: F.permutate(v, i) * 1.0)
    np.testing.assert_array_equal(f(Variable(x), Variable(ind)).array, x[np.argsort(ind)])
    np.testing.assert_array_equal(g(Variable(x), Variable(ind)).array, x[ind])


@pytest.mark.parametrize("dtype", DTYPES)
def test_transpose_sequence(dtype):
    rng = np.random.default_rng(8)
    xs = [data(rng, (n, 2), dtype) for n in (3, 3, 1)]

    def ref(*arrays):
        return tuple(np.stack([a[t] for a in arrays if len(a) > t])
                     for t in range(len(arrays[0])))
    check_all(lambda *vs: F.transpose_sequence(list(vs)), ref, xs, dtype)
    assert F.transpose_sequence([]) == ()
    with pytest.raises(InvalidType):
        F.transpose_sequence([np.zeros((1, 2), dtype), np.zeros((2, 2), dtype)])


@pytest.mark.parametrize("dtype", DTYPES)
def test_as_strided(dtype):
    rng = np.random.default_rng(9)
    x = data(rng, (3, 4), dtype)
    cases = [((4,), (-1,), 3), ((2, 3, 4), (0, 4, 1), 0), ((3, 3), (1, 2), 0),
             ((5, 2), (2, 1), 1)]
    for shape, strides, offset in cases:
        check_all(lambda v: F.as_strided(v, shape, strides, offset),
                  lambda a: _stride_array(np.ascontiguousarray(a), shape, strides, offset),
                  [x], dtype)


def test_as_strided_reads_the_buffer():
    """x's own strides and offset in its base count, as in Chainer: a reversed
    view read back in order, and an overlapping view whose copies share the
    gradient."""
    base = np.arange(12.0)
    x = base.reshape(3, 4)[::-1]
    v = Variable(x)
    y = F.as_strided(v, (12,), (1,), 0)
    np.testing.assert_array_equal(y.array, base)
    y.grad = np.ones(12)
    y.backward()
    np.testing.assert_array_equal(v.grad, np.ones((3, 4)))
    x = _stride_array(np.arange(8.0), (3, 3), (-1, 2), 3)
    v = Variable(x)
    y = F.as_strided(v, (3, 3), (1, 2), 0)
    np.testing.assert_array_equal(y.array, [[0, 2, 4], [1, 3, 5], [2, 4, 6]])
    gx, = kusari.grad([y], [v], [Variable(np.ones((3, 3)))])
    np.testing.assert_array_equal(gx.array, [[0.5, 0.5, 0], [2, 2, 1], [1, 0.5, 0.5]])
    xi = _stride_array(np.arange(8, dtype=np.int32), (3, 3), (-1, 2), 3)
    np.testing.assert_array_equal(F.as_strided(xi, (3, 3), (1, 2), 0).array,
                                  [[0, 2, 4], [1, 3, 5], [2, 4, 6]])
    with pytest.raises(ValueError):
        F.as_strided(np.arange(8.0), (3, 3), (-1, 2), 1)
    with pytest.raises(ValueError):
        F.as_strided(np.arange(8.0), (3,), (4,), 0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_copy(dtype):
    x = data(np.random.default_rng(10), (2, 3), dtype)
    check_all(lambda v: F.copy(v, -1), lambda a: a, [x], dtype)
    v = Variable(x)
    y = F.copy(v, "@numpy")
    assert y is not v and y.creator is not None
    np.testing.assert_array_equal(y.array, x)


def test_functions_that_change_nothing_make_a_node():
    """As in Chainer: a new Variable of the graph, not the input."""
    from kusari.functions.array.cast import cast      # Chainer's module (F.cast's home)
    x = Variable(np.ones((2, 3), np.float32))
    for f in [lambda v: F.hstack([v]), lambda v: F.vstack([v]), lambda v: F.dstack([v]),
              lambda v: F.concat([v]), lambda v: F.stack([v])[0], lambda v: F.squeeze(v),
              lambda v: F.transpose(v, (0, 1)), lambda v: F.tile(v, 1),
              lambda v: F.repeat(v, 1, 0), lambda v: cast(v, np.float32),
              lambda v: F.split_axis(v, 1, 0)[0], lambda v: F.broadcast(v, v)[0],
              lambda v: F.pad(v, 0, "constant"), lambda v: F.identity(v),
              lambda v: F.swapaxes(v, 0, 0)]:
        y = f(x)
        assert y is not x and y.creator is not None
    # and where Chainer returns the input itself, so does kusari
    assert F.reshape(x, (2, 3)) is x
    assert F.broadcast_to(x, (2, 3)) is x
    assert F.broadcast(x) is x
    assert F.flatten(F.flatten(x)).creator is not None
    with kusari.using_config("enable_backprop", False):
        assert cast(x, np.float32) is x
    a = np.ones(3, np.float32)          # an array cast to its own dtype: the same array
    assert isinstance(cast(a, np.float32), Variable) and cast(a, np.float32).array is a


def test_split_axis_rules():
    x = np.arange(24.0).reshape(2, 12)
    pieces = F.split_axis(x, [2, 2, 5, 10], axis=1)
    assert [p.shape for p in pieces] == [(2, 2), (2, 0), (2, 3), (2, 5), (2, 2)]
    assert F.split_axis(x, np.array([], np.float64), axis=1)[0].shape == (2, 12)
    assert isinstance(F.split_axis(x, 1, axis=0, force_tuple=False), Variable)
    with pytest.raises(InvalidType):
        F.split_axis(x, 5, axis=1)
    with kusari.using_config("debug", True), pytest.raises(ValueError):
        F.split_axis(x, [3, 1], axis=1)
    # a gradient for some pieces only: zeros for the others
    v = Variable(x)
    a, b, c = F.split_axis(v, 3, axis=1)
    F.sum(b * 2).backward()
    want = np.zeros_like(x)
    want[:, 4:8] = 2
    np.testing.assert_array_equal(v.grad, want)


def test_get_item_chainer_index_rules():
    x = np.arange(24.0).reshape(4, 6)
    np.testing.assert_array_equal(F.get_item(x, [0, 2]).array, x[[0, 2]])
    np.testing.assert_array_equal(F.get_item(x, [slice(1, 3), 2]).array, x[1:3, 2])
    assert F.get_item(x, []).shape == (0, 6)
    for idx in [np.array(True), np.array(False), (0, True), (Ellipsis, np.array(False), 1)]:
        np.testing.assert_array_equal(F.get_item(x, idx).array, x[idx])
    v = Variable(np.array(2.0))
    y = F.get_item(v, np.array(True))
    F.sum(y * 3).backward()
    assert y.shape == (1,) and v.grad == 3
    with kusari.using_config("debug", True), pytest.raises(ValueError):
        F.get_item(x, (Ellipsis, Ellipsis))


def test_modules_are_chainer_modules():
    """chainer.functions.array.flip is the module (callable as the function)."""
    import kusari.functions.array.flip as flip_module
    assert F.array.flip is flip_module
    np.testing.assert_array_equal(F.array.flip._flip(np.arange(3), 0), [2, 1, 0])
    np.testing.assert_array_equal(F.array.flip(np.arange(3.0), 0).array, [2, 1, 0])
    assert F.flip is flip_module.flip
    assert F.noise.dropout.Dropout is not None
