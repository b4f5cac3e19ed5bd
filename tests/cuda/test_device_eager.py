"""Chainer-style code on CuPy arrays, run on a strict stand-in for CuPy
(tests/cuda/fake_cupy.py: arrays that refuse implicit trips to the host and
mixing with NumPy arrays, CUDA kernels compiled for the CPU through the host
shim). What runs here is kusari's device path: eager ops on the device's
kernels, backward() in both tiers, optimizer updates, errors for operands
on two devices. What CuPy itself does on a GPU is not checked here."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import optimizers
from kusari.compiler.errors import InvalidType
from kusari.compiler.ops.registry import ELEMENTWISE, REGISTRY
from kusari.function_node import apply
from kusari.runtime import cuda_plan
from kusari.runtime.cuda_plan import DEVICE_FORMS, HOST_FORMS

from .conftest import launched_since, launches, need_devices


@pytest.fixture
def cp(cupy_module):
    return cupy_module


def _operands(name, op, rng):
    n = len(op.arg_names)
    xs = [(rng.rand(3, 4) + 0.25).astype(np.float32) for _ in range(n)]
    if name in ("logical_not", "logical_and", "logical_or"):
        xs = [x > 0.75 for x in xs]
    if name == "where":
        xs[0] = xs[0] > 0.75
    if name in ("arcsin", "arccos", "arctanh", "erfinv", "ndtri"):
        xs = [x * 0.8 for x in xs]
    if name == "erfcinv":
        xs = [x + 0.1 for x in xs]
    if name == "polygamma":
        xs[0] = np.full((3, 4), 1, np.int32)
    if name == "zeta":
        xs[0] = xs[0] + 1.5
    return xs


def _attrs(op):
    return {a: (np.dtype(np.float64) if a == "dtype" else None) for a in op.attr_names}


ELEMENTWISE_OPS = sorted(n for n, o in REGISTRY.items()
                         if o.kind == ELEMENTWISE and o.impl is not None)


@pytest.mark.parametrize("name", ELEMENTWISE_OPS)
def test_device_forms_are_what_the_lists_say(name, cp):
    """An op in DEVICE_FORMS runs its NumPy form on device arrays and gives
    NumPy's result; one in HOST_FORMS cannot (the lists stay honest)."""
    op = REGISTRY[name]
    xs = _operands(name, op, np.random.RandomState(0))
    attrs = _attrs(op)
    with np.errstate(all="ignore"):
        want = op.impl(*xs, **attrs)
        if name in DEVICE_FORMS:
            got = op.impl(*[cp.asarray(x) for x in xs], **attrs)
            assert type(got) is cp.ndarray
            np.testing.assert_array_equal(cp.asnumpy(got), want)
        else:
            assert name in HOST_FORMS
            with pytest.raises(TypeError):
                op.impl(*[cp.asarray(x) for x in xs], **attrs)


@pytest.mark.parametrize("name", sorted(HOST_FORMS))
def test_special_functions_run_their_cuda_forms_on_the_device(name, cp):
    op = REGISTRY[name]
    xs = _operands(name, op, np.random.RandomState(1))
    with np.errstate(all="ignore"):
        want = apply(op, tuple(kusari.Variable(x) for x in xs)).array
        got = apply(op, tuple(kusari.Variable(cp.asarray(x)) for x in xs)).array
    assert type(got) is cp.ndarray and got.device.id == 0
    np.testing.assert_allclose(cp.asnumpy(got), want, rtol=2e-6, atol=1e-6)


def test_library_ops_without_a_device_form_run_on_host_copies(cp, monkeypatch):
    x = np.random.RandomState(0).rand(4, 5).astype(np.float32)
    t = np.array([0, 3, 1, 4], np.int32)
    want = F.softmax_cross_entropy(x, t)
    monkeypatch.setattr(cuda_plan, "_warned", set())
    with pytest.warns(cuda_plan.PerformanceWarning, match="runs on the host") as record:
        got = F.softmax_cross_entropy(cp.asarray(x), cp.asarray(t))
        F.softmax_cross_entropy(cp.asarray(x), cp.asarray(t))
    assert type(got.array) is cp.ndarray
    np.testing.assert_array_equal(cp.asnumpy(got.array), want.array)
    names = [str(w.message).split()[0] for w in record]
    assert len(names) == len(set(names))                   # once per op


def _mlp(seed):
    np.random.seed(seed)
    return L.Classifier(kusari.Sequential(L.Linear(12, 16), F.relu, L.Linear(16, 16),
                                          F.tanh, L.Linear(16, 4)))


@pytest.mark.parametrize("make_optimizer", [lambda: optimizers.SGD(0.1),
                                            lambda: optimizers.Adam(0.01),
                                            lambda: optimizers.MomentumSGD(0.05)],
                         ids=["SGD", "Adam", "MomentumSGD"])
def test_training_on_the_device_follows_training_on_the_cpu(make_optimizer, cp):
    # steps 1-2 run backward() op by op (first sightings), later steps the
    # compiled gradient; the updates run op by op, then compiled
    host, device = _mlp(0), _mlp(0)
    device.to_device("@cupy:0")
    assert type(device.predictor[0].W.array) is cp.ndarray
    opt_h, opt_d = make_optimizer(), make_optimizer()
    opt_h.setup(host)
    opt_d.setup(device)
    rng = np.random.RandomState(3)
    before = launches(cp)
    for step in range(5):
        x = rng.rand(8, 12).astype(np.float32)
        t = rng.randint(0, 4, 8).astype(np.int32)
        loss_h = host(x, t)
        loss_d = device(cp.asarray(x), cp.asarray(t))
        assert type(loss_d.array) is cp.ndarray
        np.testing.assert_allclose(float(loss_d.array), float(loss_h.array), rtol=1e-5)
        for model, opt, loss in ((host, opt_h, loss_h), (device, opt_d, loss_d)):
            model.cleargrads()
            loss.backward()
            opt.update()
    for (name, p_h), (_, p_d) in zip(sorted(host.namedparams()), sorted(device.namedparams())):
        assert type(p_d.array) is cp.ndarray and type(p_d.grad) is cp.ndarray, name
        np.testing.assert_allclose(cp.asnumpy(p_d.array), p_h.array, rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    assert launched_since(cp, before)                  # CUDA kernels ran


def test_gradients_of_gradients_on_the_device(cp):
    x_h = kusari.Variable(np.linspace(-2, 2, 7).astype(np.float32))
    x_d = kusari.Variable(cp.asarray(x_h.array))
    results = []
    for x in (x_h, x_d):
        y = F.sum(F.tanh(x) * x)
        (gx,) = kusari.grad([y], [x], enable_double_backprop=True)
        (ggx,) = kusari.grad([F.sum(gx * gx)], [x])
        results.append((gx.array, ggx.array))
    assert type(results[1][1]) is cp.ndarray
    for h, d in zip(*results):
        np.testing.assert_allclose(cp.asnumpy(d), h, rtol=1e-5, atol=1e-6)


def test_a_host_array_meeting_a_device_array_is_an_error_naming_both(cp):
    a = kusari.Variable(cp.asarray(np.ones(3, np.float32)))
    with pytest.raises(InvalidType, match=r"(?s)_ \+ _.*@cupy:0.*@numpy"):
        F.add(a, np.ones(3, np.float32))


def test_operands_on_two_devices_are_an_error_naming_both(cp):
    need_devices(cp, 2)
    with cp.cuda.Device(1):
        b = kusari.Variable(cp.asarray(np.ones(3, np.float32)))
    a = kusari.Variable(cp.asarray(np.ones(3, np.float32)))
    assert (a.array.device.id, b.array.device.id) == (0, 1)
    with pytest.raises(InvalidType, match=r"(?s)_ \* _.*@cupy:0.*@cupy:1"):
        a * b


def test_arrays_stay_on_the_device_they_are_on(cp):
    need_devices(cp, 2)
    link = L.Linear(3, 2)
    link.to_device("@cupy:1")
    assert link.W.array.device.id == 1
    x = kusari.Variable(kusari.backends.cuda.to_gpu(np.ones((4, 3), np.float32), 1))
    y = F.sum(F.relu(link(x)))
    y.backward()
    assert y.array.device.id == 1 and link.W.grad.device.id == 1


def test_a_model_on_the_second_device_trains_there_and_saves(cp, tmp_path):
    need_devices(cp, 2)
    from kusari import serializers
    host, device = _mlp(1), _mlp(1)
    device.to_device("@cupy:1")
    opt_h, opt_d = optimizers.Adam(0.01), optimizers.Adam(0.01)
    opt_h.setup(host)
    opt_d.setup(device)
    x = np.random.RandomState(4).rand(6, 12).astype(np.float32)
    t = np.arange(6, dtype=np.int32) % 4
    xd, td = kusari.backends.cuda.to_gpu(x, 1), kusari.backends.cuda.to_gpu(t, 1)
    assert cp.cuda.runtime.getDevice() == 0        # the current device stays 0
    for _ in range(3):
        for model, opt, args in ((host, opt_h, (x, t)), (device, opt_d, (xd, td))):
            loss = model(*args)
            model.cleargrads()
            loss.backward()
            opt.update()
    W = device.predictor[0].W
    assert W.array.device.id == 1 and W.update_rule.state["m"].device.id == 1
    np.testing.assert_allclose(cp.asnumpy(W.array), host.predictor[0].W.array, rtol=1e-5,
                               atol=1e-6)
    serializers.save_npz(tmp_path / "m.npz", device)
    again = _mlp(2)
    again.to_device("@cupy:1")
    serializers.load_npz(tmp_path / "m.npz", again)
    assert again.predictor[0].W.array.device.id == 1
    np.testing.assert_array_equal(cp.asnumpy(again.predictor[0].W.array), cp.asnumpy(W.array))
    device.to_device("@numpy")
    assert type(device.predictor[0].W.array) is np.ndarray


def test_dropout_draws_its_mask_on_the_device(cp):
    need_devices(cp, 2)
    with cp.cuda.Device(1):
        x = kusari.Variable(cp.asarray(np.ones((50, 40), np.float32)))
    y = F.dropout(x, 0.25)
    assert type(y.array) is cp.ndarray and y.array.device.id == 1
    kept = cp.asnumpy(y.array)
    assert set(np.unique(kept)) == {0.0, np.float32(1 / 0.75)}
    assert 0.6 < (kept > 0).mean() < 0.9
    with y.array.device:
        y.grad = cp.ones_like(y.array)
    y.backward()
    np.testing.assert_array_equal(cp.asnumpy(x.grad), kept)


@pytest.mark.parametrize("fn", [
    lambda x, W: F.convolution_2d(x, W, pad=1),
    lambda x, W: F.max_pooling_2d(x, 2),
    lambda x, W: F.average_pooling_2d(x, 2),
    lambda x, W: F.local_response_normalization(x),
], ids=["convolution_2d", "max_pooling_2d", "average_pooling_2d", "lrn"])
def test_vision_functions_on_the_device_give_the_cpus_values_and_gradients(fn, cp):
    rng = np.random.RandomState(5)
    x = rng.rand(2, 3, 6, 6).astype(np.float32)
    W = rng.rand(4, 3, 3, 3).astype(np.float32)
    results = []
    for xp_x, xp_W in ((x, W), (cp.asarray(x), cp.asarray(W))):
        vx, vW = kusari.Variable(xp_x), kusari.Variable(xp_W)
        y = fn(vx, vW)
        F.sum(y * y).backward()
        results.append([y.array, vx.grad] + ([vW.grad] if vW.grad is not None else []))
    for h, d in zip(*results):
        assert type(d) is cp.ndarray
        np.testing.assert_allclose(cp.asnumpy(d), h, rtol=1e-5, atol=1e-5)
