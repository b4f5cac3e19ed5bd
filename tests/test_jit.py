"""kusari.jit: tracing per signature, compiled execution, differentiable calls,
compiled training steps, and why it recompiled."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import Variable
from kusari.compiler import TraceError, explain_cache


def expr(a, b):
    return F.sin(a) * F.exp(-b) + a * b ** 2 - F.tanh(a * b)


def expr_np(a, b):
    return np.sin(a) * np.exp(-b) + a * b ** 2 - np.tanh(a * b)


def rand(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)


def test_numpy_in_numpy_out():
    f = kusari.jit(expr)
    a, b = rand(5, seed=1), rand(5, seed=2)
    out = f(a, b)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, expr_np(a, b), rtol=1e-14)


def test_decorator_forms_and_structure():
    @kusari.jit
    def pair(x):
        return {"double": x * 2, "both": (x + 1, F.sum(x))}

    out = pair(np.arange(3.0))
    np.testing.assert_array_equal(out["double"], [0, 2, 4])
    np.testing.assert_array_equal(out["both"][0], [1, 2, 3])
    assert out["both"][1] == 3.0

    @kusari.jit(static_argnums=1)
    def power(x, k):
        return x ** k
    np.testing.assert_array_equal(power(np.arange(3.0), 3), [0, 1, 8])


def test_variables_take_part_in_backward():
    a, b = rand(4, seed=3), rand(4, seed=4)
    f = kusari.jit(expr)
    va, vb = Variable(a), Variable(b)
    y = F.sum(f(va, vb))
    assert isinstance(y, Variable) and y.creator is not None
    y.backward()
    ea, eb = Variable(a), Variable(b)
    F.sum(expr(ea, eb)).backward()
    np.testing.assert_allclose(va.grad, ea.grad, rtol=1e-13)
    np.testing.assert_allclose(vb.grad, eb.grad, rtol=1e-13)


def test_call_nodes_differentiate_to_any_order():
    f = kusari.jit(lambda x: F.sum(F.tanh(x)))
    xs = np.linspace(-2, 2, 7)
    x = Variable(xs)
    g1, = kusari.grad([f(x)], [x], enable_double_backprop=True)
    g2, = kusari.grad([F.sum(g1)], [x], enable_double_backprop=True)
    g3, = kusari.grad([F.sum(g2)], [x])
    t = np.tanh(xs)
    np.testing.assert_allclose(g3.array, (1 - t ** 2) * (6 * t ** 2 - 2), rtol=1e-12)


def test_jit_of_a_gradient():
    d = kusari.jit(lambda x: kusari.grad([F.sum(F.tanh(x))], [x])[0])
    x = np.linspace(-1, 1, 5).astype(np.float32)
    np.testing.assert_allclose(d(x), 1 - np.tanh(x) ** 2, rtol=1e-6)
    d3 = kusari.jit(_third)
    t = np.tanh(x.astype(np.float64))
    np.testing.assert_allclose(d3(x), (1 - t ** 2) * (6 * t ** 2 - 2), rtol=1e-5, atol=1e-6)


def _third(x):
    g1, = kusari.grad([F.sum(F.tanh(x))], [x], enable_double_backprop=True)
    g2, = kusari.grad([F.sum(g1)], [x], enable_double_backprop=True)
    g3, = kusari.grad([F.sum(g2)], [x])
    return g3


def test_links_parameters_are_read_at_each_call():
    np.random.seed(0)
    lin = L.Linear(3, 2)
    f = kusari.jit(lambda x: lin(x))
    x = rand(4, 3, seed=5, dtype=np.float32)
    np.testing.assert_allclose(f(x), x @ lin.W.array.T + lin.b.array, rtol=1e-6)
    lin.W.array[...] = 1.0                  # changed in place: no retrace needed
    np.testing.assert_allclose(f(x), x @ np.ones((2, 3), np.float32).T + lin.b.array,
                               rtol=1e-6)
    assert len(f._entries) == 1
    lin.W.array = np.zeros((2, 3), np.float32)   # a new array object: read afresh
    np.testing.assert_allclose(f(x), np.broadcast_to(lin.b.array, (4, 2)), rtol=1e-6)


def test_lazy_links_initialize_inside_the_trace():
    np.random.seed(1)
    lin = L.Linear(2)
    f = kusari.jit(lambda x: F.sum(lin(x)))
    x = rand(3, 5, seed=6, dtype=np.float32)
    got = f(x)
    assert lin.W.shape == (2, 5)
    np.testing.assert_allclose(got, (x @ lin.W.array.T).sum(), rtol=1e-5)


def test_gradients_reach_captured_parameters_through_calls():
    np.random.seed(2)
    lin = L.Linear(3, 2)
    f = kusari.jit(lambda x: F.sum(F.tanh(lin(x))))
    x = rand(4, 3, seed=7, dtype=np.float32)
    lin.cleargrads()
    f(Variable(x)).backward()
    got = lin.W.grad.copy()
    lin.cleargrads()
    F.sum(F.tanh(lin(Variable(x)))).backward()
    np.testing.assert_allclose(got, lin.W.grad, rtol=1e-5, atol=1e-6)


def _model(seed):
    np.random.seed(seed)
    m = kusari.Chain()
    with m.init_scope():
        m.l1 = L.Linear(4, 8)
        m.l2 = L.Linear(8, 3)
    return m


@pytest.mark.parametrize("make_opt", [
    lambda: kusari.optimizers.SGD(lr=0.1),
    lambda: kusari.optimizers.MomentumSGD(lr=0.05),
    lambda: kusari.optimizers.Adam(alpha=0.01, amsgrad=True),
])
def test_whole_training_step_compiles_to_one_executable(make_opt):
    ma, mb = _model(0), _model(0)
    oa, ob = make_opt().setup(ma), make_opt().setup(mb)
    for o in (oa, ob):
        o.add_hook(kusari.optimizer_hooks.WeightDecay(1e-3))
        o.add_hook(kusari.optimizer_hooks.GradientClipping(5.0))
    x = rand(16, 4, seed=8, dtype=np.float32)
    t = np.random.default_rng(9).integers(0, 3, 16).astype(np.int32)

    def step(model, opt):
        def run(x, t):
            loss = F.softmax_cross_entropy(model.l2(F.relu(model.l1(x))), t)
            model.cleargrads()
            loss.backward()
            opt.update()
            return loss
        return run

    eager, compiled = step(ma, oa), kusari.jit(step(mb, ob))
    for _ in range(6):
        la, lb = eager(x, t), compiled(x, t)
        np.testing.assert_allclose(float(la.array), float(lb), rtol=1e-5)
    for (name, pa), (_, pb) in zip(ma.namedparams(), mb.namedparams()):
        np.testing.assert_allclose(pa.array, pb.array, rtol=1e-5, atol=1e-6, err_msg=name)
        np.testing.assert_allclose(pa.grad, pb.grad, rtol=1e-5, atol=1e-6, err_msg=name)
        assert pa.update_rule.t == pb.update_rule.t == 6
    assert oa.t == ob.t == 6
    assert len(compiled._entries) == 1


def test_tracing_leaves_no_trace():
    m = _model(3)
    opt = kusari.optimizers.SGD(lr=0.1).setup(m)
    W = m.l1.W.array.copy()
    m.l1.W.grad = np.full((8, 4), 7.0, np.float32)

    def step(x):
        m.cleargrads()
        F.sum(m.l1(x)).backward()
        opt.update()
        return m.l1.W
    f = kusari.jit(step)
    from kusari.tracing import trace_to_graph
    trace_to_graph(step, [np.zeros((2, 4), np.float32)], capture="input")
    np.testing.assert_array_equal(m.l1.W.array, W)         # nothing changed by tracing
    np.testing.assert_array_equal(m.l1.W.grad, 7.0)
    assert opt.t == 0
    f(np.ones((2, 4), np.float32))                           # running does change them
    assert opt.t == 1 and not np.array_equal(m.l1.W.array, W)


def test_new_shapes_and_dtypes_recompile_with_reasons():
    kusari.compiler.cache_log.clear()
    f = kusari.jit(expr, name="expr")
    f(rand(3), rand(3))
    f(rand(3), rand(3))
    f(rand(4), rand(4))
    f(rand(4, dtype=np.float32), rand(4, dtype=np.float32))
    reasons = [str(e) for e in explain_cache() if e.name == "expr"]
    assert reasons == [
        "jit expr: first call (f64[3], f64[3])",
        "jit expr: argument 0 is f64[4] (was f64[3]); argument 1 is f64[4] (was f64[3]) "
        "(f64[4], f64[4])",
        "jit expr: argument 0 is f32[4] (was f64[4]); argument 1 is f32[4] (was f64[4]) "
        "(f32[4], f32[4])",
    ]
    out = f(rand(4, dtype=np.float32), rand(4, dtype=np.float32))
    assert out.dtype == np.float32           # never a stale kernel


def test_captured_shape_change_recompiles():
    kusari.compiler.cache_log.clear()
    w = Variable(np.ones(3))
    f = kusari.jit(lambda x: F.sum(x * w), name="dot")
    assert f(np.arange(3.0)) == 3.0
    w.array = np.full(1, 2.0)             # broadcasts: only the captured shape changed
    assert f(np.arange(3.0)) == 6.0
    assert str(explain_cache()[-1]) == "jit dot: captured input 0 is f64[1] (was f64[3])"


def test_python_control_flow_is_refused_clearly():
    @kusari.jit
    def f(x):
        if F.sum(x).array > 0:
            return x
        return -x
    with pytest.raises(TraceError, match="traced array f64\\[\\]"):
        f(np.ones(3))


def test_unhashable_static_argument():
    f = kusari.jit(lambda x, opts: x)
    with pytest.raises(TypeError, match="argument 1.*list"):
        f(np.ones(2), [1, 2])
