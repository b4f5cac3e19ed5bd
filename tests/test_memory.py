"""Nothing leaks: a long training loop holds steady memory."""
from __future__ import annotations

import gc
import tracemalloc
import weakref

import numpy as np

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import Variable, backprop, optimizers


def test_training_loop_holds_steady_memory():
    np.random.seed(0)
    model = kusari.Chain()
    with model.init_scope():
        model.l1 = L.Linear(8, 16)
        model.l2 = L.Linear(16, 3)
    opt = optimizers.SGD(lr=0.01).setup(model)
    x = np.random.standard_normal((32, 8)).astype(np.float32)
    t = np.random.randint(0, 3, 32).astype(np.int32)

    def step():
        model.cleargrads()
        loss = F.softmax_cross_entropy(model.l2(F.relu(model.l1(Variable(x)))), t)
        loss.backward()
        opt.update()
        return loss

    for _ in range(200):         # warm up: every plan compiled, caches filled
        step()
    plans = len(backprop._plans)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(3000):
        step()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert len(backprop._plans) == plans     # the same step compiled once
    assert grown < 256 * 1024, f"memory grew by {grown} bytes over 3000 steps"


def test_graph_is_freed_with_its_output():
    x = Variable(np.ones(3, np.float32))
    y = F.sum(F.tanh(x * 2))
    node = weakref.ref(y.node)
    y.backward()
    del y
    gc.collect()
    assert node() is None


def test_double_backprop_graphs_are_freed():
    x = Variable(np.ones(3))
    for _ in range(500):
        y = F.sum(F.sin(x))
        y.backward(enable_double_backprop=True)
        g = x.grad_var
        x.cleargrad()
        F.sum(g).backward()
        x.cleargrad()
    probe = weakref.ref(g.node)
    del g, y
    gc.collect()
    assert probe() is None


def test_varying_scalar_constants_do_not_recompile():
    x = Variable(np.ones(3, np.float32))
    with kusari.using_config("compile_threshold", 1):     # compiled at first sight
        F.sum(x * 0.0137).backward()
        plans = len(backprop._plans)
        rates = np.linspace(0.001, 0.1, 50).astype(np.float32)
        for lr in rates:
            F.sum(x * float(lr)).backward()
    assert len(backprop._plans) == plans
    np.testing.assert_allclose(x.grad, np.float32(0.0137) + rates.sum(), rtol=1e-5)


def test_jitted_step_with_a_schedule_holds_steady_memory():
    np.random.seed(1)
    model = kusari.Chain()
    with model.init_scope():
        model.l1 = L.Linear(8, 16)
        model.l2 = L.Linear(16, 3)
    opt = optimizers.Adam(alpha=0.01).setup(model)
    opt.add_hook(kusari.optimizer_hooks.WeightDecay(1e-4))
    x = np.random.standard_normal((32, 8)).astype(np.float32)
    t = np.random.randint(0, 3, 32).astype(np.int32)

    @kusari.jit
    def step(x, t):
        loss = F.softmax_cross_entropy(model.l2(F.dropout(F.relu(model.l1(x)), 0.1)), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        return loss

    for i in range(100):
        opt.alpha = 0.01 * 0.999 ** i          # a schedule: an input, no retrace
        step(x, t)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for i in range(1000):
        opt.alpha = 0.01 * 0.999 ** i
        step(x, t)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert len(step._entries) == 1
    assert grown < 256 * 1024, f"memory grew by {grown} bytes over 1000 steps"


def test_per_function_caches_stay_bounded_under_many_signatures():
    import importlib
    jit_module = importlib.import_module("kusari.jit")
    f = kusari.jit(lambda a, k: a * k, static_argnums=1)
    a = np.ones(2)
    for k in range(3000):                         # 3,000 static values
        f(a, float(k))
    assert len(f._entries) <= jit_module.MAX_SIGNATURES
    assert kusari.compiler.cache_info()["executables"] <= \
        kusari.compiler.cache_info()["max_executables"]
