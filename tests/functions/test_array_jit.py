"""The array functions under kusari.jit: compiled forward and gradient equal
eager ones (index arrays, pads and gathers are data or constants of the
trace, never values frozen at trace time)."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable

RNG = np.random.default_rng(0)
X = RNG.uniform(-1, 1, (2, 4, 4, 6)).astype(np.float32)
GRID = RNG.uniform(-1.2, 1.2, (2, 2, 3, 5)).astype(np.float32)

CASES = {
    "pad": lambda v: F.pad(v, 1, "constant", constant_values=2.0),
    "pad_edge": lambda v: F.pad(v, 1, "edge"),
    "pad_sequence": lambda v: F.pad_sequence([v[0], v[1, :2]], padding=-1),
    "tile": lambda v: F.tile(v, (1, 2, 1, 1)),
    "repeat": lambda v: F.repeat(v, (1, 2, 0, 1), axis=1),
    "flips": lambda v: F.flip(v, 2) + F.fliplr(v) + F.flipud(v),
    "moveaxis": lambda v: F.moveaxis(v, 0, 3),
    "rollaxis": lambda v: F.rollaxis(v, 3, 1),
    "diagonal": lambda v: F.diagonal(v, 1, 2, 3),
    "space_depth": lambda v: F.space2depth(F.depth2space(v, 2), 2),
    "permutate": lambda v: F.permutate(v, np.array([3, 1, 0, 2], np.int32), axis=1, inv=True),
    "as_strided": lambda v: F.as_strided(v, (3, 5), (7, 2), 1),
    "resize_images": lambda v: F.resize_images(v, (5, 3)),
    "im2col": lambda v: F.im2col(v, 3, 2, 1),
    "sampler": lambda v: F.spatial_transformer_sampler(v, GRID),
    "transpose_sequence": lambda v: F.transpose_sequence([v[0], v[1, :2]])[1],
    "scatter_add": lambda v: F.scatter_add(v, (0, slice(None), [1, 1]), v[1, :2]),
    "dstack": lambda v: F.dstack([v[0, 0], v[1, 0]]),
    "split_axis": lambda v: F.split_axis(v, [1, 3], axis=2)[1],
    "get_item": lambda v: v[:, [0, 2], ..., None],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_jit_matches_eager(name):
    f = CASES[name]

    def loss(v):
        y = f(v)
        return F.sum(y * y)
    jitted = kusari.jit(loss)
    v1 = Variable(X.copy())
    want = loss(v1)
    want.backward()
    for _ in range(2):                          # traced, then served from the cache
        v2 = Variable(X.copy())
        got = jitted(v2)
        np.testing.assert_allclose(got.array, want.array, rtol=1e-5)
        got.backward()
        np.testing.assert_allclose(v2.grad, v1.grad, rtol=1e-4, atol=1e-6)
