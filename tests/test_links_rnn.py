"""Recurrent links against their functional forms, against files and numbers
made by Chainer 7.8.1 (tests/fixtures/chainer/make_rnn_fixtures.py), and
their state handling, lazy sizes, gradients and compilation."""
from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import Variable
from tests.functions import rnn_reference as R
from tests.helpers import check_grad

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "chainer"


def _maker():
    spec = importlib.util.spec_from_file_location(
        "make_rnn_fixtures", FIXTURES / "make_rnn_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKER = _maker()


def uniform(rng, *shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


# -- Chainer's files and numbers -------------------------------------------------

def test_parameters_drawn_as_chainer_draws_them():
    """Under one seed kusari's links draw Chainer's parameters, bit for bit,
    under Chainer's names and shapes."""
    np.random.seed(0)
    model = MAKER.build(kusari, L)
    want = np.load(FIXTURES / "rnn_links.npz")
    params = {name[1:]: p.array for name, p in model.namedparams()}
    assert set(params) == set(want.files)
    for name, array in params.items():
        assert array.dtype == want[name].dtype and array.shape == want[name].shape, name
        np.testing.assert_array_equal(array, want[name], err_msg=name)


def test_chainer_file_loads_and_gives_chainer_outputs(tmp_path):
    np.random.seed(123)
    model = MAKER.build(kusari, L)
    kusari.serializers.load_npz(str(FIXTURES / "rnn_links.npz"), model)
    want = np.load(FIXTURES / "rnn_links_outputs.npz")
    got = MAKER.outputs(kusari, model, {k: want[k] for k in MAKER.inputs()})
    assert set(got) == set(want.files) - set(MAKER.inputs())
    for name, value in got.items():
        np.testing.assert_allclose(value, want[name], rtol=1e-5, atol=1e-6, err_msg=name)
    # and kusari's file holds Chainer's keys
    kusari.serializers.save_npz(str(tmp_path / "m.npz"), model)
    assert set(np.load(tmp_path / "m.npz").files) >= set(np.load(FIXTURES / "rnn_links.npz").files)


# -- LSTM -------------------------------------------------------------------------

def test_lstm_link_is_the_function_with_its_state():
    rng = np.random.default_rng(0)
    link = L.LSTM(3, 4)
    x1, x2, x3 = uniform(rng, 4, 3), uniform(rng, 2, 3), uniform(rng, 0, 3)
    y1 = link(x1)
    c1, h1 = F.lstm(np.zeros((4, 4), np.float32), link.upward(x1))
    np.testing.assert_array_equal(y1.array, h1.array)
    np.testing.assert_array_equal(link.c.array, c1.array)
    # a shorter batch updates the first rows and keeps the rest
    y2 = link(x2)
    c2, h2 = F.lstm(c1, link.upward(x2) + link.lateral(h1[:2]))
    np.testing.assert_allclose(y2.array, h2.array, rtol=1e-6)
    np.testing.assert_allclose(link.h.array[:2], h2.array, rtol=1e-6)
    np.testing.assert_array_equal(link.h.array[2:], h1.array[2:])
    np.testing.assert_allclose(link.c.array, c2.array, rtol=1e-6)
    # an empty batch changes nothing
    h_before = link.h
    y3 = link(x3)
    assert y3.shape == (0, 4) and link.h is h_before
    with pytest.raises(TypeError, match="batch size of x must be equal to or less"):
        link(uniform(rng, 5, 3))
    link.reset_state()
    assert link.c is None and link.h is None
    c, h = Variable(uniform(rng, 4, 4)), Variable(uniform(rng, 4, 4))
    link.set_state(c, h)
    assert link.c is c and link.h is h
    with pytest.raises(TypeError):
        link.set_state(c.array, h)


def test_lstm_link_initial_biases_and_lazy_size():
    link = L.LSTM(2, 3)
    # the forget gate (third of each unit's four) starts at 1
    np.testing.assert_array_equal(link.upward.b.array, [0, 0, 1, 0] * 3)
    lazy = L.LSTM(5)
    assert lazy.upward.W.array is None and lazy.lateral.W.shape == (20, 5)
    y = lazy(np.ones((2, 3, 2), np.float32))          # flattened after the batch axis
    assert lazy.upward.W.shape == (20, 6) and y.shape == (2, 5)
    assert L.LSTM(4)(Variable(np.zeros((0, 3), np.float32))).shape == (0, 4)
    custom = L.LSTM(2, 3, bias_init=0.5, forget_bias_init=-1.0)
    np.testing.assert_array_equal(custom.upward.b.array, [0.5, 0.5, -1, 0.5] * 3)


def test_stateless_lstm_is_the_function():
    rng = np.random.default_rng(1)
    link = L.StatelessLSTM(None, 3)
    x = uniform(rng, 2, 4)
    c1, h1 = link(None, None, x)
    want_c, want_h = R.lstm(np.zeros((2, 3), np.float32), link.upward(x).array)
    np.testing.assert_allclose(c1.array, want_c, rtol=1e-6)
    np.testing.assert_allclose(h1.array, want_h, rtol=1e-6)
    c2, h2 = link(c1, h1, x)
    want_c, want_h = R.lstm(want_c, link.upward(x).array + link.lateral(h1).array)
    np.testing.assert_allclose(c2.array, want_c, rtol=1e-6)
    np.testing.assert_allclose(h2.array, want_h, rtol=1e-6)


def test_lstm_link_gradients_against_finite_differences():
    rng = np.random.default_rng(2)
    link = L.LSTM(3, 2)
    link.upward.W.array[...] = uniform(rng, 8, 3)
    link.lateral.W.array[...] = uniform(rng, 8, 2)
    link64 = link.copy("copy")
    for p in link64.params():
        p.array = p.array.astype(np.float64)

    def two_steps(x1, x2):
        link64.reset_state()
        link64(x1)
        return link64(x2)
    check_grad(two_steps, [uniform(rng, 3, 3).astype(np.float64),
                           uniform(rng, 2, 3).astype(np.float64)], np.float64)


def test_stateless_lstm_step_compiles_under_jit():
    rng = np.random.default_rng(3)
    link = L.StatelessLSTM(3, 4)
    step = kusari.jit(lambda c, h, x: link(c, h, x))
    c, h, x = uniform(rng, 2, 4), uniform(rng, 2, 4), uniform(rng, 2, 3)
    want_c, want_h = link(c, h, x)
    for _ in range(2):
        got_c, got_h = step(c, h, x)
        np.testing.assert_allclose(np.asarray(getattr(got_c, "array", got_c)), want_c.array,
                                   rtol=1e-6)
        np.testing.assert_allclose(np.asarray(getattr(got_h, "array", got_h)), want_h.array,
                                   rtol=1e-6)


# -- n-step links ----------------------------------------------------------------

@pytest.mark.parametrize("cls,kind,bi", [
    (L.NStepLSTM, "lstm", False), (L.NStepBiLSTM, "lstm", True),
    (L.NStepGRU, "gru", False), (L.NStepBiGRU, "gru", True),
    (L.NStepRNNTanh, "rnn", False), (L.NStepBiRNNReLU, "rnn", True),
])
def test_n_step_links_are_the_functions_on_sorted_sequences(cls, kind, bi):
    """Sequences in any order: each equals the function run per sequence
    (batch of one), as the reference computes it; states come back in the
    caller's order. Parameters have Chainer's names and shapes."""
    rng = np.random.default_rng(4)
    link = cls(2, 3, 2, 0.0)
    dirs = 2 if bi else 1
    nw = {"lstm": 8, "gru": 6, "rnn": 2}[kind]
    assert len(link) == 2 * dirs
    for layer in range(2):
        for d in range(dirs):
            child = link[layer * dirs + d]
            for j in range(nw):
                w_in = 2 if j >= nw // 2 else (3 if layer == 0 else 2 * dirs)
                assert getattr(child, f"w{j}").shape == (2, w_in)
                assert getattr(child, f"b{j}").shape == (2,)
    for p in link.params():
        p.array[...] = rng.uniform(-1, 1, p.shape)
    xs = [uniform(rng, n, 3) for n in (2, 4, 1)]
    states = [uniform(rng, 2 * dirs, 3, 2) for _ in range(2 if kind == "lstm" else 1)]
    out = link(*states, xs)
    ys = out[-1]
    ws = [[w.array for w in ww] for ww in link.ws]
    bs = [[b.array for b in bb] for bb in link.bs]
    activation = "relu" if cls is L.NStepBiRNNReLU else "tanh"
    for i, x in enumerate(xs):
        one = [s[:, i:i + 1] for s in states]
        hy, cy, want = R.n_step(kind, 2, one[0], one[1] if kind == "lstm" else None,
                                ws, bs, [x[t:t + 1] for t in range(len(x))], bi, activation)
        np.testing.assert_allclose(ys[i].array, np.concatenate(want), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out[0].array[:, i], hy[:, 0], rtol=1e-5, atol=1e-6)
        if kind == "lstm":
            np.testing.assert_allclose(out[1].array[:, i], cy[:, 0], rtol=1e-5, atol=1e-6)
    # no initial state: zeros
    none_out = link(*([None] * len(states)), xs)
    zero_out = link(*[np.zeros_like(s) for s in states], xs)
    for a, b in zip(none_out[-1], zero_out[-1]):
        np.testing.assert_array_equal(a.array, b.array)


def test_n_step_link_gradients_against_finite_differences():
    rng = np.random.default_rng(5)
    link = L.NStepBiLSTM(1, 2, 2, 0.0)
    for p in link.params():
        p.array = rng.uniform(-1, 1, p.shape)          # float64 parameters

    def f(h, c, x0, x1):
        hy, cy, ys = link(h, c, [x0, x1])
        return (hy, cy) + tuple(ys)
    arrays = [rng.uniform(-1, 1, s) for s in ((2, 2, 2), (2, 2, 2), (1, 2), (3, 2))]
    check_grad(f, arrays, np.float64)
    # and the parameters get their gradients
    link.cleargrads()
    hy, cy, ys = link(*[Variable(a) for a in arrays[:2]], arrays[2:])
    F.sum(hy).backward()
    assert all(p.grad is not None and np.isfinite(p.grad).all() for p in link.params())


def test_n_step_link_errors():
    with pytest.raises(ValueError, match="use_bi_direction is not supported anymore"):
        L.NStepLSTM(1, 2, 2, 0.0, use_bi_direction=True)
    link = L.NStepGRU(1, 2, 2, 0.0)
    with pytest.raises(ValueError, match="train argument is not supported anymore"):
        link(None, [np.ones((1, 2), np.float32)], train=True)
    with pytest.raises(TypeError, match="list of sequences"):
        link(None, np.ones((1, 2), np.float32))


def test_n_step_link_copy_rebinds_weights():
    link = L.NStepLSTM(1, 2, 3, 0.0)
    copied = link.copy("copy")
    assert copied.ws[0][0] is copied[0].w0 and copied.ws[0][0] is not link.ws[0][0]


# -- GRU, MGU, peephole, tree LSTM ------------------------------------------------

def test_gru_links():
    rng = np.random.default_rng(6)
    h, x = uniform(rng, 2, 3), uniform(rng, 2, 4)
    stateless = L.StatelessGRU(4, 3)
    r = R.sigmoid(stateless.W_r(x).array + stateless.U_r(h).array)
    z = R.sigmoid(stateless.W_z(x).array + stateless.U_z(h).array)
    h_bar = np.tanh(stateless.W(x).array + stateless.U(r * h).array)
    np.testing.assert_allclose(stateless(h, x).array, z * h_bar + (1 - z) * h, rtol=1e-5)
    gru = L.GRU(4, 3)
    first = gru(x)
    z = R.sigmoid(gru.W_z(x).array)
    np.testing.assert_allclose(first.array, z * np.tanh(gru.W(x).array), rtol=1e-5)
    assert gru.h is first
    with pytest.raises(ValueError, match="StatelessGRU instead"):
        gru(h, x)
    with pytest.raises(ValueError):
        gru()
    gru.reset_state()
    assert gru.h is None


def test_mgu_peephole_and_tree_links_run_their_math():
    rng = np.random.default_rng(7)
    x, h, c = uniform(rng, 2, 3), uniform(rng, 2, 2), uniform(rng, 2, 2)
    mgu = L.StatelessMGU(3, 2)
    f = R.sigmoid(mgu.W_f(np.concatenate([h, x], 1)).array)
    h_bar = np.tanh(mgu.W_h(np.concatenate([f * h, x], 1)).array)
    np.testing.assert_allclose(mgu(h, x).array, f * h_bar + (1 - f) * h, rtol=1e-5)
    peep = L.StatefulPeepholeLSTM(3, 2)
    y = peep(x)
    a, i, f_, o = R.gates_interleaved(peep.upward(x).array, 4)
    zero = np.zeros((2, 2), np.float32)
    c_new = np.tanh(a) * R.sigmoid(i + zero) + R.sigmoid(f_ + zero) * zero
    o = R.sigmoid(o + peep.peep_o(c_new).array)
    np.testing.assert_allclose(y.array, o * np.tanh(c_new), rtol=1e-5, atol=1e-6)
    nary = L.NaryTreeLSTM(3, 2, n_ary=2)
    c_out, h_out = nary(c, None, h, None, x)
    want = R.tree_lstm(c, zero, nary.W_x(x).array + nary.W_h1(h).array)
    np.testing.assert_allclose(c_out.array, want[0], rtol=1e-5)
    with pytest.raises(ValueError, match="All inputs"):
        nary(None, None, None, None, None)
    child = L.ChildSumTreeLSTM(3, 2)
    c_out, h_out = child(c, c, h, h, x)
    assert c_out.shape == (2, 2) and h_out.shape == (2, 2)


def _count_traces(jitted):
    calls = []
    original = jitted._compile

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)
    jitted._compile = counting
    return calls


@pytest.mark.parametrize("make", [lambda: L.LSTM(3, 4), lambda: L.StatefulGRU(3, 4),
                                  lambda: L.StatefulMGU(3, 4),
                                  lambda: L.StatefulPeepholeLSTM(3, 4)])
def test_stateful_links_under_jit_carry_their_state(make):
    """A jitted step of a stateful link: the state goes into the link after
    every run and the next call starts from it, as eagerly; reset_state()
    between calls is seen; once warm, calls do not trace again."""
    np.random.seed(0)
    link, ref = make(), make()
    ref.copyparams(link)
    rng = np.random.default_rng(9)
    xs = [uniform(rng, 2, 3) for _ in range(8)]
    step = kusari.jit(lambda x: link(x))
    traces = _count_traces(step)
    for i, x in enumerate(xs):
        if i == 4:
            link.reset_state()
            ref.reset_state()
        got, want = step(x), ref(x)
        np.testing.assert_allclose(np.asarray(getattr(got, "array", got)), want.array,
                                   rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(link.h.array, ref.h.array, rtol=1e-6, atol=1e-7)
    assert len(traces) <= 4          # (None, then a state) at the start and after reset
    before = len(traces)
    for x in xs[:3]:
        step(x)
        ref(x)
    assert len(traces) == before
    np.testing.assert_allclose(link.h.array, ref.h.array, rtol=1e-6, atol=1e-7)


def test_truncated_bptt_inside_one_jitted_call():
    """reset_state, three steps and a backward in one jitted call: the loss
    and the gradients equal eager ones, call after call."""
    np.random.seed(1)
    link, ref = L.LSTM(3, 4), L.LSTM(3, 4)
    ref.copyparams(link)
    rng = np.random.default_rng(10)
    xs = [uniform(rng, 2, 3) for _ in range(3)]

    def bptt(model, a, b, c):
        model.reset_state()
        loss = F.sum(model(a)) + F.sum(model(b) * 2) + F.sum(model(c))
        model.cleargrads()
        loss.backward()
        return loss
    jitted = kusari.jit(lambda a, b, c: bptt(link, a, b, c))
    for _ in range(3):
        got = jitted(*xs)
        want = bptt(ref, *xs)
        np.testing.assert_allclose(float(np.asarray(getattr(got, "array", got))),
                                   float(want.array), rtol=1e-6)
        for (name, p), q in zip(link.namedparams(), ref.params()):
            np.testing.assert_allclose(p.grad, q.grad, rtol=1e-5, atol=1e-7, err_msg=name)
        np.testing.assert_allclose(link.c.array, ref.c.array, rtol=1e-6)


def test_zoneout_lstm():
    """Outside training the LSTM; in training each unit of c and h keeps its
    old value where NumPy's draw (c's first, then h's) is below its ratio."""
    rng = np.random.default_rng(11)
    link = L.StatefulZoneoutLSTM(3, 2, c_ratio=0.5, h_ratio=0.25)
    x1, x2 = uniform(rng, 4, 3), uniform(rng, 4, 3)
    with kusari.using_config("train", False):
        h1 = link(x1)
    a, i, f, o = R.gates_interleaved(link.upward(x1).array, 4)
    c1 = np.tanh(a) * R.sigmoid(i)
    np.testing.assert_allclose(h1.array, R.sigmoid(o) * np.tanh(c1), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(link.c.array, c1, rtol=1e-5, atol=1e-7)
    np.random.seed(3)
    with kusari.using_config("train", True):
        h2 = link(x2)
    np.random.seed(3)
    keep_c = np.random.rand(4, 2) < 0.5
    keep_h = np.random.rand(4, 2) < 0.25
    pre = link.upward(x2).array + link.lateral(h1).array
    a, i, f, o = R.gates_interleaved(pre, 4)
    c_tmp = np.tanh(a) * R.sigmoid(i) + R.sigmoid(f) * c1
    np.testing.assert_allclose(link.c.array, np.where(keep_c, c1, c_tmp), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(h2.array, np.where(keep_h, h1.array,
                                                  R.sigmoid(o) * np.tanh(c_tmp)),
                               rtol=1e-5, atol=1e-7)
    link.reset_state()
    assert link.c is None and link.h is None
    with pytest.raises(ValueError, match="train argument is not supported"):
        L.StatefulZoneoutLSTM(3, 2, train=True)
