"""kusari.graph_optimizations (Chainer's static_graph and static_code) on
kusari.jit: a static chain's results and gradients against the same chain run
define-by-run (use_static_graph=False) over several calls, new batch sizes
and train/test modes; BatchNormalization's running statistics; a training
loop with an optimizer; static_code side effects at every call, in order, on
the call's arrays; the decorator's arguments; Chainer's attributes and
module paths.

Equality: a linear layer and elementwise functions give the eager bits
exactly (the compiled code makes the same NumPy calls); where a fused
reduction may add in another order (BatchNormalization's statistics, softmax
cross entropy), results agree within a few float32 ulps (rtol 1e-6, stated
per test)."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import Variable
from kusari.compiler import TraceError
from kusari.graph_optimizations import static_code
from kusari.graph_optimizations.static_graph import (ScheduleManager, StaticScheduleFunction,
                                                     static_graph)


def data(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)


class MLP(kusari.Chain):
    def __init__(self, seed=0, n_in=5, n_hidden=7, n_out=3):
        super().__init__()
        np.random.seed(seed)
        with self.init_scope():
            self.l1 = L.Linear(n_in, n_hidden)
            self.l2 = L.Linear(n_hidden, n_out)

    @static_graph
    def __call__(self, x):
        return self.l2(F.relu(self.l1(x)))


def eager(fn, *args, **kwargs):
    with kusari.using_config("use_static_graph", False):
        return fn(*args, **kwargs)


def grads(chain):
    return {name: p.grad.copy() for name, p in chain.namedparams()}


def test_results_and_gradients_equal_eager_over_calls():
    static, dynamic = MLP(), MLP()
    for call in range(4):
        x = data((4, 5), seed=call)
        gy = data((4, 3), seed=10 + call)
        xs, xd = Variable(x), Variable(x.copy())
        ys = static(xs)
        yd = eager(dynamic, xd)
        np.testing.assert_array_equal(ys.array, yd.array)
        static.cleargrads()
        dynamic.cleargrads()
        ys.grad = gy
        ys.backward()
        yd.grad = gy.copy()
        yd.backward()
        np.testing.assert_array_equal(xs.grad, xd.grad)
        want = grads(dynamic)
        for name, g in grads(static).items():
            np.testing.assert_array_equal(g, want[name], err_msg=name)
    jitted = static.schedule_manager._jitted
    assert len(jitted._entries) == 1            # calls 2..4 replay one compiled schedule
    assert ys.creator.label == "Call"             # one node: the compiled schedule


def test_first_call_is_define_by_run_then_compiled():
    chain = MLP()
    x = data((2, 5))
    y1 = chain(x)                               # arrays become Variables, as in Chainer
    assert isinstance(y1, Variable)
    assert not chain.schedule_manager._jitted._entries
    assert not chain.static_schedule.is_empty()
    y2 = chain(x)
    assert len(chain.schedule_manager._jitted._entries) == 1
    np.testing.assert_array_equal(y1.array, y2.array)
    lowered = chain.static_schedule.lower(x)
    assert "matmul" in lowered.text or "linear" in lowered.text
    assert isinstance(chain.schedule_manager, ScheduleManager)
    assert isinstance(chain.static_schedule, StaticScheduleFunction)
    assert "train:(2, 5)float32" in repr(chain.schedule_manager)


def test_batch_size_changes_and_modes():
    static, dynamic = MLP(seed=1), MLP(seed=1)
    for batch in (4, 2, 4, 7, 2, 7):
        x = data((batch, 5), seed=batch)
        np.testing.assert_array_equal(static(x).array, eager(dynamic, x).array)
        with kusari.using_config("train", False):
            np.testing.assert_array_equal(static(x).array, eager(dynamic, x).array)
        with kusari.no_backprop_mode():
            y = static(x)
            assert y.creator is None
            np.testing.assert_array_equal(y.array, eager(dynamic, x).array)
    keys = set(static.schedule_manager.schedules)
    assert keys == {f"{m}:({b}, 5)float32" for m in ("train", "test") for b in (4, 2, 7)}


def test_nested_arguments_and_results():
    class Pair(kusari.Chain):
        def __init__(self):
            super().__init__()
            np.random.seed(3)
            with self.init_scope():
                self.l = L.Linear(3, 3)

        @static_graph(verbosity_level=0)
        def __call__(self, xs, scale):
            a, (b, c) = xs
            h = self.l(a) * scale + b
            return [h, (F.sum(h * c), h * 2)]

    chain = Pair()
    for k in range(3):
        a, b, c = data((2, 3), k), data((2, 3), k + 5), data((2, 3), k + 9)
        out = chain([a, (b, c)], 0.5)
        want = eager(chain, [a, (b, c)], 0.5)
        assert isinstance(out, list) and isinstance(out[1], tuple)
        for got, exp in zip([out[0], out[1][0], out[1][1]], [want[0], want[1][0], want[1][1]]):
            np.testing.assert_array_equal(got.array, exp.array)
    chain([a, (b, c)], 2.0)                      # a new static value: a new signature
    assert len(chain.schedule_manager._jitted._entries) == 1
    chain([a, (b, c)], 2.0)
    assert len(chain.schedule_manager._jitted._entries) == 2


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_batch_normalization_statistics_and_gradients(dtype):
    class BN(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.bn = L.BatchNormalization(4, dtype=dtype)

        @static_graph
        def __call__(self, x):
            return F.relu(self.bn(x))

    static, dynamic = BN(), BN()
    tol = {np.float16: 2e-3, np.float32: 1e-6, np.float64: 1e-13}[dtype]
    for call in range(4):
        x = data((6, 4), seed=call, dtype=dtype)
        xs, xd = Variable(x), Variable(x.copy())
        ys, yd = static(xs), eager(dynamic, xd)
        np.testing.assert_allclose(ys.array, yd.array, rtol=tol, atol=tol)
        static.cleargrads()
        dynamic.cleargrads()
        F.sum(ys * ys).backward()
        F.sum(yd * yd).backward()
        np.testing.assert_allclose(xs.grad, xd.grad, rtol=tol, atol=tol)
        np.testing.assert_allclose(static.bn.gamma.grad, dynamic.bn.gamma.grad,
                                   rtol=tol, atol=tol)
        # the running statistics are updated at every call, as eager code does
        np.testing.assert_allclose(static.bn.avg_mean, dynamic.bn.avg_mean, rtol=tol, atol=tol)
        np.testing.assert_allclose(static.bn.avg_var, dynamic.bn.avg_var, rtol=tol, atol=tol)
    with kusari.using_config("train", False):
        for _ in range(2):
            np.testing.assert_allclose(static(x).array, eager(dynamic, x).array,
                                       rtol=tol, atol=tol)
    np.testing.assert_array_equal(static.bn.avg_mean, dynamic.bn.avg_mean)  # (test: unchanged)


@pytest.mark.parametrize("make_opt", [
    lambda: kusari.optimizers.SGD(lr=0.1),
    lambda: kusari.optimizers.Adam(alpha=0.01),
])
def test_training_loop_with_an_optimizer(make_opt):
    static, dynamic = MLP(seed=4, n_hidden=8), MLP(seed=4, n_hidden=8)
    opt_s, opt_d = make_opt().setup(static), make_opt().setup(dynamic)
    rng = np.random.default_rng(5)
    xs = rng.uniform(-1, 1, (28, 5)).astype(np.float32)
    ts = (xs[:, 0] > 0).astype(np.int32) + (xs[:, 1] > 0.5)      # learnable labels
    losses = []
    for step in range(12):
        lo = 16 * (step % 2)
        x, t = xs[lo:lo + 16], ts[lo:lo + 16]    # batches of 16, then a last one of 12
        ls = F.softmax_cross_entropy(static(x), t)
        ld = F.softmax_cross_entropy(eager(dynamic, x), t)
        static.cleargrads()
        dynamic.cleargrads()
        ls.backward()
        ld.backward()
        opt_s.update()
        opt_d.update()
        np.testing.assert_allclose(float(ls.array), float(ld.array), rtol=1e-6)
        losses.append(float(ls.array))
    for (name, ps), (_, pd) in zip(static.namedparams(), dynamic.namedparams()):
        np.testing.assert_allclose(ps.array, pd.array, rtol=1e-6, atol=1e-7, err_msg=name)
    assert opt_s.t == opt_d.t == 12
    assert losses[-2] < losses[0] and losses[-1] < losses[1]


def test_update_with_lossfun():
    class Classifier(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.predictor = MLP(seed=6)

        def __call__(self, x, t):
            return F.softmax_cross_entropy(self.predictor(x), t)

    model = Classifier()
    opt = kusari.optimizers.MomentumSGD(lr=0.1).setup(model)
    x = data((8, 5), seed=7)
    t = np.arange(8, dtype=np.int32) % 3
    first = float(model(x, t).array)
    for _ in range(10):
        opt.update(model, x, t)
    assert float(model(x, t).array) < first


# -- static_code ------------------------------------------------------------------

class Counting(kusari.Chain):
    def __init__(self):
        super().__init__()
        np.random.seed(8)
        with self.init_scope():
            self.l = L.Linear(3, 2)
        self.log = []

    @static_code
    def note(self, tag):
        self.log.append(tag)

    @static_code
    def stats(self, inputs):
        h, = inputs
        self.log.append(("sum", float(h.sum())))

    @static_code(func_name="double")
    def double(self, inputs):
        h, = inputs
        return h * 2, np.asarray(h.max())

    @static_graph
    def __call__(self, x):
        self.note("start")
        h = self.l(x)
        self.stats(inputs=[h.array])
        d, top = self.double(inputs=[h.array])
        self.note("end")
        return F.relu(d), top


def test_static_code_runs_at_every_call_in_order_on_that_calls_arrays():
    chain = Counting()
    for call in range(4):
        x = data((2, 3), seed=call)
        chain.log.clear()
        y, top = chain(x)
        h = x @ chain.l.W.array.T + chain.l.b.array
        assert [e if isinstance(e, str) else e[0] for e in chain.log] == ["start", "sum", "end"]
        assert chain.log[1][1] == pytest.approx(float(h.sum()), rel=1e-6)
        np.testing.assert_allclose(y.array, np.maximum(h * 2, 0), rtol=1e-6)
        np.testing.assert_allclose(np.asarray(getattr(top, "array", top)), h.max(), rtol=1e-6)
    assert len(chain.schedule_manager._jitted._entries) >= 1
    chain.log.clear()
    F.sum(y).backward()                           # a backward runs no static_code again
    assert chain.log == []
    assert chain.l.W.grad is not None


def test_static_code_outside_a_static_chain_is_a_plain_call():
    seen = []

    @static_code
    def f(a, b=1):
        seen.append((a, b))
        return a + b
    assert f(1, b=2) == 3 and seen == [(1, 2)]
    with pytest.raises(TypeError, match="func_name"):
        static_code(name="x")


def test_static_code_side_effect_without_arrays_with_no_backprop():
    counter = {"n": 0}

    class C(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l = L.Linear(2, 2)

        @static_code
        def bump(self):
            counter["n"] += 1

        @static_graph
        def __call__(self, x):
            self.bump()
            return self.l(x)

    chain = C()
    for k in range(5):
        with kusari.no_backprop_mode():
            chain(data((3, 2), k))
    assert counter["n"] == 5


def test_static_code_that_changes_its_calls_is_refused():
    class Changing(kusari.Chain):
        def __init__(self):
            super().__init__()
            self.flip = Flag()

        @static_code
        def a(self):
            pass

        @static_code
        def b(self):
            pass

        @static_graph
        def __call__(self, x):
            (self.a if self.flip.value else self.b)()
            return x * 2

    class Flag:
        value = True

    chain = Changing()
    chain(data((2, 2)))
    chain.flip.value = False
    with pytest.raises(TraceError, match="static_code call 1 is .*b now, but was .*a"):
        chain(data((2, 2)))


def test_static_code_writing_into_outputs_is_refused_clearly():
    class Writes(kusari.Chain):
        @static_code
        def fill(self, inputs, outputs):
            outputs[0][...] = inputs[0]

        @static_graph
        def __call__(self, x):
            y = x * 2
            self.fill(inputs=[x.array], outputs=[y.array])
            return y

    chain = Writes()
    chain(data((2, 2)))
    with pytest.raises(TraceError, match="return the new arrays"):
        chain(data((2, 2)))


# -- the decorator's arguments and configuration ----------------------------------

def test_use_static_graph_false_runs_define_by_run_and_attaches_nothing():
    chain = MLP()
    with kusari.using_config("use_static_graph", False):
        chain(data((2, 5)))
        chain(data((2, 5)))
    assert not hasattr(chain, "schedule_manager")
    assert not hasattr(chain, "static_schedule")


def test_force_test_define_by_run():
    class C(MLP):
        @static_graph(force_test_define_by_run=True)
        def __call__(self, x):
            return self.l2(F.relu(self.l1(x)))

    chain = C()
    with kusari.using_config("train", False):
        for _ in range(3):
            chain(data((2, 5)))
    assert not hasattr(chain, "schedule_manager")
    chain(data((2, 5)))
    chain(data((2, 5)))
    assert len(chain.schedule_manager._jitted._entries) == 1


def test_minimize_cache_size_forgets_schedules_when_train_changes():
    class C(MLP):
        @static_graph(minimize_cache_size=True)
        def __call__(self, x):
            return self.l2(F.relu(self.l1(x)))

    chain = C()
    x = data((2, 5))
    chain(x)
    chain(x)
    assert list(chain.schedule_manager.schedules) == ["train:(2, 5)float32"]
    with kusari.using_config("train", False):
        chain(x)
        chain(x)
    assert list(chain.schedule_manager.schedules) == ["test:(2, 5)float32"]
    assert len(chain.schedule_manager._jitted._entries) == 1


def test_verbosity_levels(capsys):
    class C(MLP):
        @static_graph(verbosity_level=1, enable_double_backprop=True)
        def __call__(self, x):
            return self.l2(F.relu(self.l1(x)))

    chain = C()
    for _ in range(3):
        chain(data((2, 5)))
    out = capsys.readouterr().out
    assert out.count("running the define-by-run code") == 1
    assert out.count("compiled the schedule") == 1
    assert "Calling static chain" not in out


def test_unknown_arguments_warn_and_bad_use_raises():
    with pytest.warns(UserWarning, match="min_batch_size has no effect"):
        static_graph(min_batch_size=4)
    with pytest.raises(TypeError, match="first argument must be a Chain"):
        static_graph(lambda self, x: x)(object(), np.ones(2))


def test_double_backprop_through_a_static_chain():
    class Tanh(kusari.Chain):
        def __init__(self):
            super().__init__()
            np.random.seed(9)
            with self.init_scope():
                self.l = L.Linear(3, 3)

        @static_graph(enable_double_backprop=True)
        def __call__(self, x):
            return F.tanh(self.l(x))

    chain = Tanh()
    for k in range(3):
        x = data((2, 3), k)
        got = []
        for run in (chain, lambda v: eager(chain, v)):
            v = Variable(x)
            gx, = kusari.grad([F.sum(run(v))], [v], enable_double_backprop=True)
            g2, = kusari.grad([F.sum(gx * gx)], [v])
            got.append((gx.array, g2.array))
        np.testing.assert_allclose(got[0][0], got[1][0], rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-5, atol=1e-6)


def test_nested_static_chains_are_one_graph():
    class Outer(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.inner = MLP(seed=10)

        @static_graph
        def __call__(self, x):
            return F.sigmoid(self.inner(x))

    outer = Outer()
    x = data((3, 5))
    for _ in range(3):
        np.testing.assert_array_equal(outer(x).array, eager(outer, x).array)
    assert not hasattr(outer.inner, "schedule_manager")


def test_chainer_module_paths():
    import kusari.graph_optimizations.static_graph as sg_module
    import kusari.graph_optimizations.static_graph_utilities as utils
    assert kusari.static_graph is static_graph is sg_module.static_graph
    assert kusari.static_code is static_code is utils.static_code
    assert kusari.graph_optimizations.static_code is static_code
    lin = L.Linear(2, 2)
    x = data((3, 2))
    y = lin(x)
    node = y.creator
    out = utils.static_forward_optimizations(
        kusari.functions.connection.linear.LinearFunction(), (x, lin.W.array, lin.b.array)) \
        if hasattr(kusari.functions.connection.linear, "LinearFunction") else (y.array,)
    np.testing.assert_allclose(out[0], y.array, rtol=1e-6)
    del node


def test_state_that_static_code_changes_does_not_retrace():
    class C(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l = L.Linear(2, 2)
            self.n = 0
            self.seen = []

        @static_code
        def bump(self):
            self.n += 1
            self.seen.append(self.n)

        @static_graph
        def __call__(self, x):
            self.bump()
            return self.l(x) * self.scale

    C.scale = 2.0
    chain = C()
    x = data((3, 2))
    for _ in range(5):
        y = chain(x)
    assert chain.n == 5 and chain.seen == [1, 2, 3, 4, 5]
    assert len(chain.schedule_manager._jitted._entries) == 1
    kusari.compiler.cache_log.clear()
    chain(x)
    assert not [e for e in kusari.compiler.explain_cache() if "static_graph" in e.name]
    C.scale = 3.0                           # what the forward reads is still guarded
    np.testing.assert_allclose(chain(x).array, y.array * 1.5, rtol=1e-6)


SHIFT = [0.0]


def test_values_the_forward_reads_are_guarded():
    class C(kusari.Chain):
        @static_graph
        def __call__(self, x):
            return x + SHIFT[0]

    chain = C()
    x = data((2, 2))
    for _ in range(2):
        np.testing.assert_array_equal(chain(x).array, x)
    SHIFT[0] = 1.0
    np.testing.assert_array_equal(chain(x).array, x + np.float32(1.0))
    SHIFT[0] = 0.0


def test_copied_and_pickled_chains_start_with_their_own_schedules():
    import copy
    import pickle
    chain = MLP(seed=11)
    x = data((2, 5))
    chain(x)
    chain(x)
    for other in (copy.deepcopy(chain), pickle.loads(pickle.dumps(chain)), chain.copy()):
        other.l1.W.array = np.full_like(other.l1.W.array, 0.5)
        for _ in range(2):
            np.testing.assert_array_equal(other(x).array, eager(other, x).array)
        assert other.schedule_manager is not chain.schedule_manager
        assert len(other.schedule_manager._jitted._entries) == 1
    np.testing.assert_array_equal(chain(x).array, eager(chain, x).array)


class _Box:
    def __init__(self):
        self.got = []

    def add(self, value):
        self.got.append(value)


def test_dropout_draws_as_eager_code_does_and_schedule_func():
    seen = _Box()

    class C(kusari.Chain):
        def __init__(self):
            super().__init__()
            np.random.seed(12)
            with self.init_scope():
                self.l = L.Linear(6, 6)

        @static_graph
        def __call__(self, x):
            seen.add(kusari.config.schedule_func)
            return F.dropout(self.l(x), 0.5)

    chain = C()
    x = data((3, 6))
    for k in range(4):
        np.random.seed(100 + k)
        got = chain(x).array
        np.random.seed(100 + k)
        np.testing.assert_array_equal(got, eager(chain, x).array)
    # the first call and the trace ran the Python code, the eager references too
    assert seen.got == [chain.static_schedule, None, chain.static_schedule, None, None, None]
    assert kusari.config.schedule_func is None
    assert len(chain.schedule_manager._jitted._entries) == 1


def test_jit_draws_once_when_a_guard_fails():
    """kusari.jit fix: a call whose guard fails traces again; it used to read
    the old entry's captured inputs first, so a dropout mask was drawn twice
    in that call (the random stream then differed from eager code's)."""
    scale = [1.0]
    f = kusari.jit(lambda x: F.dropout(x, 0.5) * scale[0])
    x = data((4, 8))
    for k in range(4):
        scale[0] = float(k)                  # a new value: the guard fails, traced again
        np.random.seed(k)
        got = f(x)
        np.random.seed(k)
        np.testing.assert_array_equal(got, (F.dropout(x, 0.5) * float(k)).array)


def test_static_code_inside_a_function_node_is_part_of_its_forward():
    class Scale(kusari.FunctionNode):
        runs = 0

        @static_code
        def static_forward(self, inputs):
            Scale.runs += 1
            x, = inputs
            return x * 3,

        def forward(self, inputs):
            return self.static_forward(inputs=inputs)

        def backward(self, indexes, grad_outputs):
            gy, = grad_outputs
            return gy * 3,

    class C(kusari.Chain):
        def __init__(self):
            super().__init__()
            np.random.seed(13)
            with self.init_scope():
                self.l = L.Linear(2, 2)

        @static_graph
        def __call__(self, x):
            return Scale().apply((self.l(x),))[0]

    chain = C()
    for k in range(4):
        x = Variable(data((3, 2), k))
        y = chain(x)
        F.sum(y).backward()
        np.testing.assert_allclose(y.array, 3 * (x.array @ chain.l.W.array.T + chain.l.b.array),
                                   rtol=1e-6)
        np.testing.assert_allclose(x.grad, np.full((3, 2), 3, np.float32) @ chain.l.W.array,
                                   rtol=1e-6)
    # once a call, and once more on stand-in arrays when kusari.jit traced it
    # (kusari.jit's rule for every FunctionNode: it learns the outputs' types)
    assert Scale.runs == 5
    assert not chain.static_schedule.records


def test_jit_runs_a_function_node_on_constants_at_every_call():
    """Compiler fix: constant folding evaluated a user's FunctionNode whose
    inputs were all constants once, at compile time, so a forward that draws
    random numbers (or keeps state) gave the same result at every call."""
    class Noise(kusari.FunctionNode):
        def forward(self, inputs):
            x, = inputs
            return x + np.random.uniform(size=x.shape).astype(x.dtype),

        def backward(self, indexes, grad_outputs):
            return grad_outputs

    def g(x):
        c = Variable(np.ones(3, np.float32), requires_grad=False)
        return x + Noise().apply((c,))[0]
    f = kusari.jit(g)
    x = np.zeros(3, np.float32)
    f(x)            # (tracing runs the forward once on stand-ins: it draws too)
    for k in range(3):
        np.random.seed(k)
        got = f(x)
        np.random.seed(k)
        np.testing.assert_array_equal(got, g(x).array)
