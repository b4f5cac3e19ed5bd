"""kusari.jit never computes with a value that has since changed: what a
jitted function reads from outside its arguments is an input read at every
call (parameters, captured arrays, optimizer state and hyperparameters) or
guarded (configuration, structure, Python values, branches), and
explain_cache() names what changed."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari.compiler import explain_cache
from tests.jit_pairs import T, X, same_params
from tests.jit_pairs import ce_step as _step, pair as _pair, small_model as _model


def _same_params(ma, mb):
    same_params(ma, mb, rtol=1e-5)


def _last_reason():
    return explain_cache()[-1].reason


@pytest.mark.parametrize("make_opt, name, value", [
    (lambda: kusari.optimizers.SGD(lr=0.1), "lr", 0.005),
    (lambda: kusari.optimizers.MomentumSGD(lr=0.05), "momentum", 0.5),
    (lambda: kusari.optimizers.Adam(alpha=0.01), "alpha", 0.1),
    (lambda: kusari.optimizers.Adam(alpha=0.01), "beta1", 0.5),
    (lambda: kusari.optimizers.Adam(alpha=0.01), "eps", 1e-2),
])
def test_hyperparameters_are_read_at_every_call(make_opt, name, value):
    (ma, oa, eager), (mb, ob, jitted) = _pair(make_opt)
    for _ in range(2):
        eager(X, T), jitted(X, T)
    setattr(oa, name, value)
    setattr(ob, name, value)
    for _ in range(3):
        la, lb = eager(X, T), jitted(X, T)
        np.testing.assert_allclose(float(la.array), float(lb), rtol=1e-5)
    _same_params(ma, mb)
    assert len(jitted._entries) == 1          # an input: no retrace


def test_a_learning_rate_schedule_is_followed():
    (ma, oa, eager), (mb, ob, jitted) = _pair(lambda: kusari.optimizers.SGD(lr=0.2))
    for i in range(5):
        oa.lr = ob.lr = 0.2 * 0.5 ** i
        eager(X, T), jitted(X, T)
    _same_params(ma, mb)


def test_a_hook_added_later_retraces():
    (ma, oa, eager), (mb, ob, jitted) = _pair(lambda: kusari.optimizers.SGD(lr=0.1))
    eager(X, T), jitted(X, T)
    hooks = [kusari.optimizer_hooks.WeightDecay(0.5) for _ in (oa, ob)]
    for o, hook in zip((oa, ob), hooks):
        o.add_hook(hook)
    eager(X, T), jitted(X, T)
    assert "WeightDecay" in _last_reason()
    _same_params(ma, mb)
    # the hook's rate is an input too
    for hook in hooks:
        hook.rate = 0.01
    eager(X, T), jitted(X, T)
    _same_params(ma, mb)


class _DecayingSGDRule(kusari.optimizer.UpdateRule):
    """SGD that branches on a number: `if hp.weight_decay_rate:`."""

    def step(self, hp, p, g, state):
        if hp.weight_decay_rate:
            g = g + hp.weight_decay_rate * p
        return p - hp.lr * g, {}


class _DecayingSGD(kusari.optimizers.SGD):
    weight_decay_rate = kusari.optimizer.HyperparameterProxy("weight_decay_rate")

    def __init__(self, lr):
        super().__init__(lr)
        self.weight_decay_rate = 0

    def create_update_rule(self):
        return _DecayingSGDRule(self.hyperparam)


def test_a_branch_on_a_hyperparameter_is_guarded():
    (ma, oa, eager), (mb, ob, jitted) = _pair(lambda: _DecayingSGD(0.1))
    eager(X, T), jitted(X, T)
    oa.weight_decay_rate = ob.weight_decay_rate = 0.1       # `if hp.weight_decay_rate:`
    eager(X, T), jitted(X, T)
    assert "weight_decay_rate" in _last_reason()
    _same_params(ma, mb)


def test_no_backprop_mode_at_the_first_call_does_not_stick():
    m = _model()
    f = kusari.jit(lambda x: F.sum(m(x)))
    with kusari.no_backprop_mode():
        f(kusari.Variable(X))
    x = kusari.Variable(X)
    y = f(x)
    y.backward()
    assert m.l1.W.grad is not None and x.grad is not None
    assert any("config.enable_backprop is True (was False)" in e.reason
               for e in explain_cache())


def test_train_flag_switches_dropout():
    f = kusari.jit(lambda x: F.dropout(x, 0.5))
    x = np.ones((50, 50), np.float32)
    with kusari.using_config("train", False):
        np.testing.assert_array_equal(f(x), x)
    y = f(x)
    assert (y == 0).any() and (y == 2).any()
    assert "config.train" in _last_reason()


def test_dropout_in_jit_follows_the_seed_as_eager_code_does():
    f = kusari.jit(lambda x: F.dropout(x * 1, 0.3) * 2)
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    np.random.seed(7)
    jitted = [f(x) for _ in range(3)]
    np.random.seed(7)
    eager = [(F.dropout(x * 1, 0.3) * 2).array for _ in range(3)]
    for a, b in zip(jitted, eager):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(jitted[0], jitted[1])


CFG = {"scale": 2.0}


def scaled(x):
    return x * CFG["scale"]


def test_a_global_dict_value_is_guarded():
    f = kusari.jit(scaled)
    x = np.arange(3.0)
    np.testing.assert_array_equal(f(x), x * 2.0)
    CFG["scale"] = 3.0
    try:
        np.testing.assert_array_equal(f(x), x * 3.0)
        assert "CFG['scale'] changed (2.0 -> 3.0)" in _last_reason()
    finally:
        CFG["scale"] = 2.0


def test_a_closure_number_is_guarded_by_type_and_value():
    k = 2
    f = kusari.jit(lambda x: x * k)
    x = np.arange(3, dtype=np.int32)

    def eager():
        return (kusari.Variable(x) * k).array

    for value in (2, 2.0, np.float32(2), np.float64(2), True):
        k = value
        out, want = f(x), eager()
        assert out.dtype == want.dtype, value
        np.testing.assert_array_equal(out, want)
    assert "k changed" in _last_reason()
    k = float("nan")
    f(x)
    n = len(explain_cache())
    f(x)                                            # a NaN equals itself: no retrace
    assert len(explain_cache()) == n


def test_a_captured_array_changed_in_place_is_seen():
    w = np.array([1.0, 2.0, 3.0])
    f = kusari.jit(lambda x: x * w)
    x = np.ones(3)
    np.testing.assert_array_equal(f(x), w)
    w[:] = [4.0, 5.0, 6.0]
    np.testing.assert_array_equal(f(x), [4.0, 5.0, 6.0])


W_GLOBAL = np.array([1.0, 2.0])


def times_w(x):
    return x * W_GLOBAL


def test_an_array_rebound_to_a_new_object_retraces():
    global W_GLOBAL
    f = kusari.jit(times_w)
    old = W_GLOBAL
    np.testing.assert_array_equal(f(np.ones(2)), [1.0, 2.0])
    W_GLOBAL = np.array([5.0, 7.0])
    try:
        np.testing.assert_array_equal(f(np.ones(2)), [5.0, 7.0])
        assert "W_GLOBAL is another object" in _last_reason()
    finally:
        W_GLOBAL = old


def test_a_parameter_rebound_or_a_child_added_retraces():
    m = _model()
    f = kusari.jit(lambda x: m(x))
    f(X)
    m.l2 = L.Linear(6, 5)      # (Chainer refuses a rebinding inside init_scope)
    assert f(X).shape == (8, 5)
    assert "l2 was set" in _last_reason()


def test_a_link_attribute_read_by_a_method_is_guarded():
    class Scaled(kusari.Chain):
        def __init__(self):
            super().__init__()
            self.scale = 2.0

        @kusari.jit
        def forward(self, x):
            return x * self.scale

    m = Scaled()
    x = np.arange(3.0)
    np.testing.assert_array_equal(m(x), x * 2)
    m.scale = 5.0
    np.testing.assert_array_equal(m(x), x * 5)
    assert "self.scale changed" in _last_reason()


def test_guards_do_not_retrace_an_unchanged_step():
    (ma, oa, eager), (mb, ob, jitted) = _pair(lambda: kusari.optimizers.Adam())
    for _ in range(4):
        jitted(X, T)
    assert len(jitted._entries) == 1
    assert sum(e.kind == "jit" and e.name == "step" for e in explain_cache()[-3:]) <= 1


def test_static_values_are_told_apart_by_type():
    f = kusari.jit(lambda x, shape: F.reshape(x, shape) * 1, static_argnums=1)
    g = kusari.jit(lambda x, c: x * c[0], static_argnums=1)
    x = np.arange(4, dtype=np.int32)
    assert f(x, (2, 2)).shape == (2, 2)
    assert g(x, (2,)).dtype == (kusari.Variable(x) * 2).dtype
    assert g(x, (2.0,)).dtype == (kusari.Variable(x) * 2.0).dtype
    assert len(g._entries) == 2
    g(x, (float("nan"),))
    n = len(explain_cache())
    g(x, (float("nan"),))                  # a NaN static value hits the cache
    assert len(explain_cache()) == n


def test_eager_constants_are_told_apart_by_type():
    i = kusari.Variable(np.arange(3, dtype=np.int32))
    assert (i * 2).dtype == np.int32
    assert (i * 2.0).dtype == (np.arange(3, dtype=np.int32) * 2.0).dtype
    b = kusari.Variable(np.array([True, False]))
    assert (b + True).dtype == np.bool_
    assert (b + 1).dtype == (np.array([True, False]) + 1).dtype


def test_every_per_function_cache_is_bounded():
    import importlib
    jit_module = importlib.import_module("kusari.jit")
    f = kusari.jit(lambda x: x + 1)
    for n in range(1, jit_module.MAX_SIGNATURES + 40):
        f(np.zeros(n))
    assert len(f._entries) <= jit_module.MAX_SIGNATURES


# -- what users of jit expect ---------------------------------------------------------

def test_lower_shows_the_ir_and_the_code_without_running():
    import itertools
    traces = itertools.count()                      # (an object: guarded by identity)

    def f(x):
        next(traces)
        return F.sin(x) * 2
    jf = kusari.jit(f)
    lo = jf.lower(np.ones(3, np.float32))
    assert "sin" in lo.text and "f32[3]" in lo.text
    assert "np.sin" in lo.source and "def kernel" in lo.source
    assert "sin" in lo.optimized
    assert next(traces) == 1                        # traced once, never run
    jf(np.ones(3, np.float32))
    assert next(traces) == 2                        # the call used what lower() made


def test_kusari_logs_print_compilations_and_code(capfd):
    from kusari.compiler import set_logs
    set_logs("compile", "code")
    try:
        kusari.jit(lambda x: F.exp(x) + 1)(np.ones(2))
    finally:
        set_logs()
    err = capfd.readouterr().err
    assert "[kusari compile] jit lambda: first call" in err
    assert "[kusari code]" in err and "np.exp" in err
    with pytest.raises(ValueError, match="unknown log kind"):
        set_logs("everything")


# -- a property: any sequence of changes between calls ----------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

ACTIONS = st.lists(st.tuples(
    st.sampled_from(["lr", "array", "scale", "train", "hook", "unhook", "none"]),
    st.floats(0.01, 0.3)), min_size=1, max_size=8)


@settings(max_examples=20, deadline=None)
@given(ACTIONS)
def test_jit_follows_every_kind_of_change_between_calls(actions):
    shift = [np.linspace(-1, 1, 3).astype(np.float32) for _ in range(2)]
    scale = 1.0

    def make(model, opt, bias):
        def step(x, t):
            h = model(x) + bias
            if kusari.config.train:
                h = h * 2
            loss = F.softmax_cross_entropy(h * scale, t)
            model.cleargrads()
            loss.backward()
            opt.update()
            return loss
        return step

    ma, mb = _model(), _model()
    oa, ob = kusari.optimizers.SGD(lr=0.1).setup(ma), kusari.optimizers.SGD(lr=0.1).setup(mb)
    eager, jitted = make(ma, oa, shift[0]), kusari.jit(make(mb, ob, shift[1]))
    hooked = False
    try:
        for kind, value in actions:
            if kind == "lr":
                oa.lr = ob.lr = value
            elif kind == "array":
                for s in shift:
                    s += np.float32(value)                  # changed in place
            elif kind == "scale":
                scale = 1.0 + value                         # a closure value rebound
            elif kind == "train":
                kusari.config.train = not kusari.config.train
            elif kind == "hook" and not hooked:
                for o in (oa, ob):
                    o.add_hook(kusari.optimizer_hooks.WeightDecay(value))
                hooked = True
            elif kind == "unhook" and hooked:
                for o in (oa, ob):
                    o.remove_hook("WeightDecay")
                hooked = False
            la, lb = eager(X, T), jitted(X, T)
            np.testing.assert_allclose(float(lb), float(la.array), rtol=1e-5, atol=1e-6)
    finally:
        kusari.config.train = True
    _same_params(ma, mb)


def test_a_persistent_array_of_a_nested_link_is_read_at_every_call():
    class Shift(kusari.Link):
        def __init__(self):
            super().__init__()
            self.add_persistent("offset", np.zeros(3, np.float32))

        def forward(self, x):
            return x + self.offset

    class Net(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.shift = Shift()

        def forward(self, x):
            return self.shift(x) * 2

    net = Net()
    f = kusari.jit(lambda x: net(x))
    x = np.ones(3, np.float32)
    np.testing.assert_array_equal(f(x), [2, 2, 2])
    net.shift.offset[:] = 1                          # in place
    np.testing.assert_array_equal(f(x), [4, 4, 4])
    net.shift.offset = np.full(3, 2, np.float32)     # rebound
    np.testing.assert_array_equal(f(x), [6, 6, 6])
    assert "shift.offset is another object" in _last_reason()


def test_assigning_a_parameters_array_inside_jit_is_a_clear_error():
    m = _model()
    opt = kusari.optimizers.SGD(lr=0.1).setup(m)

    def clip_before(x, t):
        for p in m.params():
            p.array = np.clip(p.array, -0.1, 0.1)
        return F.sum(m(x))

    def clip_after(x, t):
        _step(m, opt)(x, t)
        for p in m.params():
            p.array = F.clip(p, -0.1, 0.1).array
        return F.sum(m(x))

    for f in (clip_before, clip_after):
        with pytest.raises(kusari.compiler.TraceError, match="cannot assign .*inside kusari.jit"):
            kusari.jit(f)(X, T)


def test_a_backward_after_an_update_in_the_same_call_is_refused_clearly():
    m = _model()
    opt = kusari.optimizers.SGD(lr=0.1).setup(m)

    def twice(x, t):
        _step(m, opt)(x, t)
        loss = F.sum(m(x))
        m.cleargrads()
        loss.backward()                  # reaches the parameters updated above
        return loss

    with pytest.raises(kusari.compiler.TraceError, match="after an optimizer update"):
        kusari.jit(twice)(X, T)
    before = [p.array.copy() for p in m.params()]
    kusari.jit(_step(m, opt))(X, T)      # the model is intact and trains
    assert any(not np.array_equal(b, p.array) for b, p in zip(before, m.params()))


def test_a_hyperparameter_read_through_the_optimizer_is_guarded_by_value():
    m = _model()
    opt = kusari.optimizers.SGD(lr=0.1).setup(m)
    f = kusari.jit(lambda x: F.sum(x) * opt.lr)     # opt.lr: a descriptor on the class
    x = np.ones(3, np.float32)
    assert float(f(x)) == pytest.approx(0.3)
    f(x)
    assert len(explain_cache()) and "opt.lr" not in _last_reason()
    n = len(explain_cache())
    f(x)
    assert len(explain_cache()) == n                # no retrace while lr is unchanged
    opt.lr = 0.2
    assert float(f(x)) == pytest.approx(0.6)
    assert "opt.lr changed (0.1 -> 0.2)" in _last_reason()


class _Settings:
    scale = 3.0

    @classmethod
    def double(cls, v):
        return v * 2

    @staticmethod
    def half(v):
        return v * 0.5


def uses_settings(x):
    return _Settings.double(x) * _Settings.scale + _Settings.half(x)


def test_class_attributes_and_methods_read_by_the_function():
    f = kusari.jit(uses_settings)
    x = np.ones(2)
    np.testing.assert_array_equal(f(x), [6.5, 6.5])
    n = len(explain_cache())
    f(x)
    assert len(explain_cache()) == n                # methods do not retrace every call
    _Settings.scale = 1.0
    try:
        np.testing.assert_array_equal(f(x), [2.5, 2.5])
        assert "_Settings.scale changed (3.0 -> 1.0)" in _last_reason()
    finally:
        _Settings.scale = 3.0
