"""Normalization links against their functional forms: BatchNormalization
(running statistics as persistent values, decay, eps, finetune, axis, test
mode, lazy size, without gamma/beta), BatchRenormalization,
LayerNormalization, GroupNormalization; their persistent values serialize,
and a jitted training step updates them as eager code does."""
from __future__ import annotations

import io

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import serializers


def data(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)


def test_batch_normalization_trains_with_batch_statistics_and_updates_running_ones():
    bn = L.BatchNormalization(3, decay=0.8, eps=1e-3)
    assert bn.avg_mean.dtype == np.float32 and (bn.avg_var == 1).all()
    assert sorted(n for n, _ in bn.namedparams()) == ["/beta", "/gamma"]
    assert {"avg_mean", "avg_var", "N"} <= set(bn._persistent)
    bn.gamma.array[:] = [1.0, 2.0, 0.5]
    bn.beta.array[:] = [0.0, -1.0, 1.0]
    x = data((5, 3, 2))
    mean, var = np.zeros(3, np.float32), np.ones(3, np.float32)
    want = F.batch_normalization(x, bn.gamma.array, bn.beta.array, eps=1e-3,
                                 running_mean=mean, running_var=var, decay=0.8)
    np.testing.assert_array_equal(bn(x).array, want.array)
    np.testing.assert_array_equal(bn.avg_mean, mean)
    np.testing.assert_array_equal(bn.avg_var, var)
    with kusari.using_config("train", False):            # the running statistics
        y = bn(x)
    want = F.fixed_batch_normalization(x, bn.gamma.array, bn.beta.array, mean, var, 1e-3)
    np.testing.assert_array_equal(y.array, want.array)


def test_batch_normalization_gradients_reach_gamma_and_beta():
    bn = L.BatchNormalization(4)
    assert np.isnan(bn.beta.grad).all()          # as Chainer's (until cleargrads)
    bn.cleargrads()
    x = kusari.Variable(data((6, 4), 1))
    F.sum(bn(x) * data((6, 4), 2)).backward()
    assert bn.gamma.grad is not None and bn.beta.grad is not None and x.grad is not None
    np.testing.assert_allclose(bn.beta.grad, data((6, 4), 2).sum(axis=0), rtol=1e-6)


def test_finetune_averages_every_batch_since_start():
    bn = L.BatchNormalization(2)
    xs = [data((4, 2), s) for s in range(3)]
    for x in xs:
        bn(x, finetune=True)
    assert bn.N == 3
    np.testing.assert_allclose(bn.avg_mean, np.mean([x.mean(axis=0) for x in xs], axis=0),
                               rtol=1e-5, atol=1e-7)
    bn.start_finetuning()
    assert bn.N == 0


def test_lazy_size_axis_and_no_gamma_or_beta():
    bn = L.BatchNormalization(axis=(0, 2), use_gamma=False, use_beta=False)
    assert bn.avg_mean is None and bn.gamma is None and bn.beta is None
    x = data((4, 3, 2))
    y = bn(x)
    assert bn.avg_mean.shape == (3,) and not list(bn.params())
    want = F.batch_normalization(x, np.ones(3, np.float32), np.zeros(3, np.float32),
                                 axis=(0, 2))
    np.testing.assert_array_equal(y.array, want.array)
    with pytest.raises(RuntimeError, match="size or axis is required"):
        L.BatchNormalization()
    with pytest.raises(ValueError, match="test argument is not supported anymore"):
        bn(x, test=True)


def test_dtype_and_initial_values():
    bn = L.BatchNormalization(2, dtype=np.float64, initial_gamma=2.0, initial_beta=0.5,
                              initial_avg_mean=np.array([1.0, 2.0]), initial_avg_var=3.0)
    assert bn.gamma.dtype == np.float64 and (bn.gamma.array == 2).all()
    assert (bn.beta.array == 0.5).all()
    np.testing.assert_array_equal(bn.avg_mean, [1.0, 2.0])
    np.testing.assert_array_equal(bn.avg_var, [3.0, 3.0])
    with kusari.using_config("dtype", kusari.mixed16):   # statistics stay float32
        assert L.BatchNormalization(2).avg_mean.dtype == np.float32


def test_running_statistics_serialize_and_load():
    bn = L.BatchNormalization(3)
    for s in range(2):
        bn(data((4, 3), s))
    f = io.BytesIO()
    serializers.save_npz(f, bn)
    f.seek(0)
    other = L.BatchNormalization(3)
    serializers.load_npz(f, other)
    np.testing.assert_array_equal(other.avg_mean, bn.avg_mean)
    np.testing.assert_array_equal(other.avg_var, bn.avg_var)
    assert other.N == bn.N


def test_jitted_training_step_updates_running_statistics_as_eagerly():
    eager, jitted = L.BatchNormalization(3), L.BatchNormalization(3)

    @kusari.jit
    def step(x):
        return F.sum(jitted(x) * jitted(x))
    for s in range(3):
        x = data((5, 3), s)
        want = F.sum(eager(x) * eager(x))
        np.testing.assert_allclose(step(x), want.array, rtol=1e-5)
        np.testing.assert_allclose(jitted.avg_mean, eager.avg_mean, rtol=1e-6)
        np.testing.assert_allclose(jitted.avg_var, eager.avg_var, rtol=1e-6)


def test_batch_renormalization_link():
    brn = L.BatchRenormalization(3, rmax=2.0, dmax=0.5, decay=0.5)
    x = data((6, 3))
    mean, var = brn.avg_mean.copy(), brn.avg_var.copy()
    want = F.batch_renormalization(x, np.ones(3, np.float32), np.zeros(3, np.float32), 2.0,
                                   0.5, running_mean=mean, running_var=var, decay=0.5,
                                   update_statistics=True)
    np.testing.assert_array_equal(brn(x).array, want.array)
    np.testing.assert_array_equal(brn.avg_mean, mean)
    with kusari.using_config("train", False):
        want = F.fixed_batch_normalization(x, np.ones(3, np.float32), np.zeros(3, np.float32),
                                           mean, var)
        np.testing.assert_array_equal(brn(x).array, want.array)


def test_layer_and_group_normalization_links():
    x = data((4, 6))
    ln = L.LayerNormalization()
    y = ln(x)
    assert ln.gamma.shape == (6,)
    np.testing.assert_array_equal(
        y.array, F.layer_normalization(x, ln.gamma.array, ln.beta.array, 1e-6).array)
    gn = L.GroupNormalization(3, initial_gamma=2.0)
    y = gn(x)
    assert gn.gamma.shape == (6,) and (gn.gamma.array == 2).all()
    np.testing.assert_array_equal(
        y.array, F.group_normalization(x, 3, gn.gamma.array, gn.beta.array).array)
    with pytest.raises(ValueError, match="Input dimension must be at least 2"):
        L.GroupNormalization(1)(np.zeros(3, np.float32))
