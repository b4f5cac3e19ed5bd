"""Initializers: bit for bit against arrays Chainer 7.8.1 made under the same
seeds (tests/fixtures/chainer/initializers.npz, see make_fixtures.py there),
Chainer's dtype rules, and errors in the user's terms."""
from __future__ import annotations

import os

import numpy as np
import pytest

import kusari
import kusari.links as L
from kusari import initializer, initializers as I

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "chainer")
CHAINER = np.load(os.path.join(FIXTURES, "initializers.npz"))

MAKE = {
    "LeCunNormal": lambda dt: I.LeCunNormal(dtype=dt),
    "LeCunNormal_scale": lambda dt: I.LeCunNormal(scale=2.5, dtype=dt),
    "Normal": lambda dt: I.Normal(dtype=dt),
    "Normal_scale": lambda dt: I.Normal(1.7, dtype=dt),
    "Uniform": lambda dt: I.Uniform(dtype=dt),
    "LeCunUniform": lambda dt: I.LeCunUniform(dtype=dt),
    "GlorotNormal": lambda dt: I.GlorotNormal(dtype=dt),
    "GlorotUniform": lambda dt: I.GlorotUniform(dtype=dt),
    "HeNormal": lambda dt: I.HeNormal(dtype=dt),
    "HeNormal_fan_out": lambda dt: I.HeNormal(fan_option="fan_out", dtype=dt),
    "HeUniform": lambda dt: I.HeUniform(dtype=dt),
    "Orthogonal": lambda dt: I.Orthogonal(dtype=dt),
    "Orthogonal_scale": lambda dt: I.Orthogonal(scale=0.5, dtype=dt),
    "Constant": lambda dt: I.Constant(0.25, dtype=dt),
    "One": lambda dt: I.One(dtype=dt),
    "Zero": lambda dt: I.Zero(dtype=dt),
}


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", sorted(MAKE))
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("shape", [(3, 4), (5, 2), (4, 3, 2, 2)])
def test_initializer_equals_chainer_bit_for_bit(name, dtype, shape):
    np.random.seed(7)
    a = I.generate_array(MAKE[name](dtype), shape, np)
    _same(a, CHAINER[f"{name}/{dtype}/{'x'.join(map(str, shape))}"])


def test_special_initializers_equal_chainer():
    np.random.seed(3)
    _same(I.generate_array(I.Identity(scale=2.0, dtype="f"), (3, 3), np),
          CHAINER["Identity/float32"])
    _same(I.generate_array(I.UpsamplingDeconvFilter(dtype="f"), (2, 2, 4, 4), np),
          CHAINER["Upsampling/float32"])
    _same(I.generate_array(I.DownsamplingConvFilter(dtype="f"), (3, 1, 3, 3), np),
          CHAINER["Downsampling/float32"])
    np.random.seed(11)
    _same(I.generate_array(I.Orthogonal(dtype="f"), (), np),
          CHAINER["Orthogonal_scalar/float32"])


def test_links_made_under_a_seed_equal_chainer():
    np.random.seed(0)
    lin = L.Linear(3, 4)
    _same(lin.W.array, CHAINER["link/Linear/W"])
    _same(lin.b.array, CHAINER["link/Linear/b"])
    np.random.seed(1)
    lazy = L.Linear(2)
    lazy(np.ones((5, 3), np.float32))
    _same(lazy.W.array, CHAINER["link/LazyLinear/W"])
    np.random.seed(2)

    class MLP(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(4, 5)
                self.l2 = L.Linear(5, 3)
                self.l3 = L.Linear(3, 2)
    for path, p in MLP().namedparams():
        _same(p.array, CHAINER["link/MLP" + path])


def test_rng_draws_from_the_generator_given():
    a = I.generate_array(I.Normal(rng=np.random.RandomState(3)), (4, 5), np)
    b = np.random.RandomState(3).normal(0.0, 0.05, (4, 5)).astype(np.float32)
    _same(a, b)
    c = I.generate_array(I.HeUniform(rng=np.random.RandomState(3)), (4, 5), np)
    s = np.sqrt(6. / 5)
    _same(c, np.random.RandomState(3).uniform(-s, s, (4, 5)).astype(np.float32))


def test_dtype_rules_of_generate_array():
    assert I.generate_array(I.Zero(), (2,), np).dtype == np.float32
    with kusari.using_config("dtype", "float16"):
        assert I.generate_array(I.Zero(), (2,), np).dtype == np.float16
        assert I.generate_array(I.Zero("d"), (2,), np).dtype == np.float64
    assert I.generate_array(I.Zero(), (2,), np, dtype="d").dtype == np.float64
    with pytest.raises(ValueError, match="dtype mismatch"):
        I.generate_array(I.Zero("f"), (2,), np, dtype="d")
    assert I.generate_array(I.One(), 3, np).shape == (3,)


def test_get_initializer_rules():
    assert isinstance(I._get_initializer(None), I.LeCunNormal)
    c = I._get_initializer(10)
    x = np.empty((2, 3), np.int32)
    c(x)
    _same(x, np.full((2, 3), 10, np.int32))
    a = I._get_initializer(np.array([1.5, 2.5], np.float64))
    y = np.empty(2, np.float32)
    a(y)
    _same(y, np.array([1.5, 2.5], np.float32))

    def fill(arr):
        arr[...] = 3
    assert I._get_initializer(fill) is fill
    with pytest.raises(TypeError, match="invalid type of initializer"):
        I._get_initializer("glorot")


def test_a_float64_initial_array_is_cast_to_the_parameter_dtype():
    W = np.arange(6, dtype=np.float64).reshape(2, 3) / 7
    lin = L.Linear(3, 2, initialW=W, initial_bias=np.ones(2))
    assert lin.W.dtype == np.float32 and lin.b.dtype == np.float32
    _same(lin.W.array, W.astype(np.float32))
    with kusari.using_config("dtype", np.float16):
        assert L.Linear(3, 2, initialW=W).W.dtype == np.float16


def test_get_fans():
    assert initializer.get_fans((2, 1)) == (1, 2)
    assert initializer.get_fans((2, 3, 4, 5)) == (60, 40)
    for bad in [(), (2,)]:
        with pytest.raises(ValueError, match="length >= 2"):
            initializer.get_fans(bad)
    with pytest.raises(ValueError, match="must be tuple"):
        initializer.get_fans([2, 3])


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="2D squared"):
        I.generate_array(I.Identity(), (2, 3), np)
    with pytest.raises(ValueError, match="Invalid mode"):
        I.Orthogonal(mode="diagonal")
    with pytest.raises(ValueError, match="Cannot make orthogonal embedding"):
        I.generate_array(I.Orthogonal(mode="embedding"), (2, 5), np)
    with pytest.raises(ValueError, match="non-empty"):
        I.generate_array(I.Orthogonal(), (0, 3), np)
    with pytest.raises(ValueError, match="fan_option"):
        I.generate_array(I.HeNormal(fan_option="fan_mid"), (2, 3), np)
    with pytest.raises(ValueError, match="fill_value"):
        I.Constant("a")
    with pytest.raises(AssertionError, match="float64 != f"):
        I.Normal(dtype="f")(np.empty((2, 2)))
    with pytest.raises(TypeError):
        I.Normal(rgn=np.random)


def test_initializer_is_chainer_module_path():
    assert kusari.initializer.Initializer is I.Initializer
    assert isinstance(I.HeNormal(), kusari.Initializer)
    from kusari.initializers.normal import LeCunNormal  # Chainer's module path
    assert LeCunNormal is I.LeCunNormal
