"""kusari.jit on CuPy arrays, run on the strict stand-in for CuPy
(tests/cuda/fake_cupy.py): a function called with device arrays, or reading
a model on the device, compiles for the CuPy backend and runs as CUDA
kernels (compiled for the CPU through the host shim) on the arrays' device,
with what eager code on the host computes; arguments and parameters on two
devices are an error naming both."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import optimizers
from kusari.compiler import explain_cache
from kusari.compiler.errors import InvalidType

from .conftest import launched_since, launches, need_devices


@pytest.fixture
def cp(cupy_module):
    return cupy_module


def test_a_function_of_device_arrays_runs_as_cuda_kernels_on_the_device(cp):
    need_devices(cp, 2)
    @kusari.jit
    def f(a, b):
        return F.sin(a) * F.exp(-b) + a * b ** 2 - F.tanh(a * b)

    rng = np.random.RandomState(0)
    a, b = rng.randn(2, 5, 7).astype(np.float32)
    want = f(a, b)
    before = launches(cp)
    got = f(cp.asarray(a), cp.asarray(b))
    assert type(got) is cp.ndarray and got.device.id == 0
    assert launched_since(cp, before)
    np.testing.assert_allclose(cp.asnumpy(got), want, rtol=1e-6, atol=1e-7)
    assert '__global__' in f.lower(cp.asarray(a), cp.asarray(b)).source
    assert "@cupy:0" in explain_cache()[-1].reason    # why it compiled again: the device
    with cp.cuda.Device(1):
        a1, b1 = cp.asarray(a), cp.asarray(b)
    got1 = f(a1, b1)                              # the current device stays 0
    assert got1.device.id == 1
    np.testing.assert_array_equal(cp.asnumpy(got1), cp.asnumpy(got))


def test_results_keep_their_structure_and_dtype_on_the_device(cp):
    @kusari.jit
    def f(x, scale):
        return {"y": x * scale, "s": (F.sum(x), F.max(x))}

    x = np.arange(12, dtype=np.float16).reshape(3, 4)
    want = f(x, 0.5)
    got = f(cp.asarray(x), 0.5)
    assert type(got["y"]) is cp.ndarray and got["y"].dtype == np.float16
    np.testing.assert_array_equal(cp.asnumpy(got["y"]), want["y"])
    for g, w in zip(got["s"], want["s"]):
        assert type(g) is cp.ndarray
        np.testing.assert_allclose(cp.asnumpy(g), w, rtol=1e-3)


def test_jitted_variables_on_the_device_differentiate_to_the_second_order(cp):
    @kusari.jit
    def f(x):
        return F.sum(F.tanh(x) * x + F.exp(x * 0.5))

    x_h = kusari.Variable(np.linspace(-2, 2, 9).astype(np.float32))
    x_d = kusari.Variable(cp.asarray(x_h.array))
    results = []
    for x in (x_h, x_d):
        y = f(x)
        (gx,) = kusari.grad([y], [x], enable_double_backprop=True)
        (ggx,) = kusari.grad([F.sum(gx * gx)], [x])
        results.append((y.array, gx.array, ggx.array))
    for h, d in zip(*results):
        assert type(d) is cp.ndarray
        np.testing.assert_allclose(cp.asnumpy(d), h, rtol=1e-5, atol=1e-6)


def _mlp(seed, dropout=False):
    np.random.seed(seed)
    layers = [L.Linear(12, 16), F.relu, L.Linear(16, 16), F.tanh, L.Linear(16, 4)]
    if dropout:
        layers.insert(2, lambda h: F.dropout(h, 0.3))
    return L.Classifier(kusari.Sequential(*layers))


def _train_step(model, opt):
    @kusari.jit
    def step(x, t):
        loss = model(x, t)
        model.cleargrads()
        loss.backward()
        opt.update()
        return loss
    return step


@pytest.mark.parametrize("make_optimizer,dropout", [
    (lambda: optimizers.SGD(0.1), False),
    (lambda: optimizers.Adam(0.01), False),
    (lambda: optimizers.MomentumSGD(0.05), True),
], ids=["SGD", "Adam", "MomentumSGD-dropout"])
def test_a_jitted_training_step_on_the_device_follows_the_cpu(make_optimizer, dropout, cp):
    host, device = _mlp(0, dropout), _mlp(0, dropout)
    device.to_device("@cupy:0")
    opt_h, opt_d = make_optimizer(), make_optimizer()
    opt_h.setup(host)
    opt_d.setup(device)
    step_h, step_d = _train_step(host, opt_h), _train_step(device, opt_d)
    rng = np.random.RandomState(3)
    for i in range(5):
        x = rng.rand(8, 12).astype(np.float32)
        t = rng.randint(0, 4, 8).astype(np.int32)
        np.random.seed(100 + i)                # dropout draws the same masks in both
        loss_h = step_h(x, t)
        np.random.seed(100 + i)
        before = launches(cp)
        loss_d = step_d(cp.asarray(x), cp.asarray(t))
        assert launched_since(cp, before)
        assert type(loss_d) is cp.ndarray
        np.testing.assert_allclose(float(loss_d), float(loss_h), rtol=1e-5)
    assert len(step_d._entries) == 1
    assert opt_d.t == opt_h.t == 5
    for (name, p_h), (_, p_d) in zip(sorted(host.namedparams()), sorted(device.namedparams())):
        assert type(p_d.array) is cp.ndarray and type(p_d.grad) is cp.ndarray, name
        np.testing.assert_allclose(cp.asnumpy(p_d.array), p_h.array, rtol=1e-5, atol=1e-6,
                                   err_msg=name)
        for key, s_h in p_h.update_rule.state.items():
            s_d = p_d.update_rule.state[key]
            assert type(s_d) is cp.ndarray, (name, key)
            np.testing.assert_allclose(cp.asnumpy(s_d), s_h, rtol=1e-5, atol=1e-6)


def test_a_jitted_step_on_the_second_device_trains_there(cp):
    need_devices(cp, 2)
    model = _mlp(1)
    model.to_device("@cupy:1")
    opt = optimizers.Adam(0.01)
    opt.setup(model)
    step = _train_step(model, opt)
    x = kusari.backends.cuda.to_gpu(np.random.RandomState(4).rand(6, 12).astype(np.float32), 1)
    t = kusari.backends.cuda.to_gpu(np.arange(6, dtype=np.int32) % 4, 1)
    W = model.predictor[0].W
    W0 = cp.asnumpy(W.array)
    losses = [float(step(x, t)) for _ in range(4)]
    assert cp.cuda.runtime.getDevice() == 0        # the current device stays 0
    assert W.array.device.id == 1 and W.update_rule.state["m"].device.id == 1
    assert losses[-1] < losses[0] and not np.array_equal(cp.asnumpy(W.array), W0)


def test_a_jitted_forward_on_device_variables_sends_gradients_to_the_parameters(cp):
    models = [_mlp(2), _mlp(2)]
    models[1].to_device("@cupy:0")
    x = np.random.RandomState(5).rand(4, 12).astype(np.float32)
    t = np.array([0, 1, 2, 3], np.int32)
    for model, xs in ((models[0], (x, t)), (models[1], (cp.asarray(x), cp.asarray(t)))):
        forward = kusari.jit(lambda x, t, model=model: model(x, t))
        loss = forward(kusari.Variable(xs[0]), xs[1])
        model.cleargrads()
        loss.backward()
    for (name, p_h), (_, p_d) in zip(sorted(models[0].namedparams()),
                                     sorted(models[1].namedparams())):
        assert type(p_d.grad) is cp.ndarray, name
        np.testing.assert_allclose(cp.asnumpy(p_d.grad), p_h.grad, rtol=1e-5, atol=1e-6)


def test_a_model_sent_to_the_device_after_compiling_compiles_again_for_it(cp):
    model = L.Linear(3, 2)

    @kusari.jit
    def f():
        return F.sum(model.W * 2.0)

    want = f()
    assert type(want) is np.ndarray
    model.to_device("@cupy:0")
    got = f()
    assert type(got) is cp.ndarray
    np.testing.assert_allclose(cp.asnumpy(got), want, rtol=1e-6)
    model.to_device("@numpy")
    assert type(f()) is np.ndarray


def test_host_data_for_a_model_on_the_device_is_an_error_naming_both(cp):
    need_devices(cp, 2)
    model = _mlp(3)
    model.to_device("@cupy:0")
    opt = optimizers.SGD()
    opt.setup(model)
    step = _train_step(model, opt)
    x = np.ones((2, 12), np.float32)
    t = np.zeros(2, np.int32)
    with pytest.raises(InvalidType, match=r"(?s)kusari.jit step.*argument 0 is on @numpy"
                                          r".*parameter \w+ on @cupy:0.*to_device"):
        step(x, t)
    with pytest.raises(InvalidType, match=r"(?s)argument 0 is on @cupy:0.*argument 1 on @numpy"):
        step(cp.asarray(x), t)
    with cp.cuda.Device(1):
        x1 = cp.asarray(x)
    with pytest.raises(InvalidType, match=r"(?s)argument 0 is on @cupy:1.*@cupy:0"):
        step(x1, cp.asarray(t))
    assert float(step(cp.asarray(x), cp.asarray(t))) > 0       # and it still runs


def test_constants_are_sent_to_the_device_once(cp, monkeypatch):
    @kusari.jit
    def f(x):
        return F.tanh(x * np.linspace(0.5, 2, 16).astype(np.float32)) @ \
            np.eye(16, dtype=np.float32)[:, ::2]

    x = cp.asarray(np.random.RandomState(6).rand(3, 16).astype(np.float32))
    first = f(x)
    sent = []
    asarray = cp.asarray

    def counting(a, *args, **kwargs):
        if isinstance(a, np.ndarray) and a.ndim:
            sent.append(a.shape)
        return asarray(a, *args, **kwargs)

    monkeypatch.setattr(cp, "asarray", counting)
    again = f(x)
    assert sent == []
    np.testing.assert_array_equal(cp.asnumpy(again), cp.asnumpy(first))
    np.testing.assert_allclose(
        cp.asnumpy(first), f(cp.asnumpy(x)), rtol=1e-6, atol=1e-7)
