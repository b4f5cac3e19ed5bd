"""StandardUpdater's compiled step and report() inside kusari.jit: each
against the same training run eagerly (parameters, optimizer state and
every iteration's observation)."""
from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import datasets, iterators, reporter as reporter_module, training
from kusari.training import extensions

RNG = np.random.default_rng(7)
X = RNG.standard_normal((40, 6)).astype(np.float32)
T = RNG.integers(0, 4, 40).astype(np.int32)


class MLP(kusari.Chain):
    def __init__(self, dropout=0.0):
        super().__init__()
        self.dropout = dropout
        with self.init_scope():
            self.l1 = L.Linear(None, 12)
            self.l2 = L.Linear(None, 4)

    def forward(self, x):
        h = F.relu(self.l1(x))
        if self.dropout:
            h = F.dropout(h, self.dropout)
        return self.l2(h)


class Branchy(MLP):
    """Python control flow on a value: cannot be traced."""

    def forward(self, x):
        y = super().forward(x)
        if float(F.sum(y).array) > 1e9:
            return y * 2
        return y


def _run(compile_updates, *, model=MLP, batch=8, iterations=7, repeat=True, make_opt=None,
         loss_func=None, converter=None, dataset=None, extend=(), epochs=None, **cfg):
    """Train from a fixed start; returns (model, optimizer, updater, observations)."""
    np.random.seed(3)
    target = L.Classifier(model())
    opt = (make_opt or (lambda: kusari.optimizers.Adam()))().setup(target)
    data = dataset if dataset is not None else datasets.TupleDataset(X, T)
    it = iterators.SerialIterator(data, batch, repeat=repeat, shuffle=False)
    kwargs = {} if converter is None else {"converter": converter}
    up = training.updaters.StandardUpdater(
        it, opt, loss_func=loss_func(target) if loss_func else None, **kwargs)
    stop = (epochs, "epoch") if epochs else (iterations, "iteration")
    trainer = training.Trainer(up, stop, out="/tmp/kusari-unused-out")
    seen = []

    @training.make_extension(trigger=(1, "iteration"))
    def record(tr):
        seen.append({k: np.asarray(getattr(v, "array", v)).copy()
                     for k, v in tr.observation.items()})
    trainer.extend(record)
    for e in extend:
        trainer.extend(e())
    with kusari.using_config("compile_updates", compile_updates):
        with _configs(cfg):
            trainer.run()
    return target, opt, up, seen


class _configs:
    def __init__(self, cfg):
        self.cms = [kusari.using_config(k, v) for k, v in cfg.items()]

    def __enter__(self):
        for c in self.cms:
            c.__enter__()

    def __exit__(self, *exc):
        for c in reversed(self.cms):
            c.__exit__(*exc)


def _same(a, b, rtol=1e-5, atol=1e-6):
    """Two runs' models, optimizer state and observations agree."""
    ma, oa, _, sa = a
    mb, ob, _, sb = b
    for (name, pa), (_, pb) in zip(ma.namedparams(), mb.namedparams()):
        np.testing.assert_allclose(pb.array, pa.array, rtol=rtol, atol=atol, err_msg=name)
    assert oa.t == ob.t and oa.epoch == ob.epoch
    for (name, pa), (_, pb) in zip(ma.namedparams(), mb.namedparams()):
        ra, rb = pa.update_rule, pb.update_rule
        assert ra.t == rb.t, name
        for k in ra.state:
            np.testing.assert_allclose(rb.state[k], ra.state[k], rtol=rtol, atol=atol,
                                       err_msg=f"{name} {k}")
    assert len(sa) == len(sb)
    for i, (da, db) in enumerate(zip(sa, sb)):
        assert list(da) == list(db), i
        for k in da:
            np.testing.assert_allclose(db[k], da[k], rtol=rtol, atol=atol,
                                       err_msg=f"iteration {i + 1} {k}")


# -- the updater -------------------------------------------------------------------------

@pytest.fixture
def traces(monkeypatch):
    """The reasons the update step is traced (compiled) from now on."""
    from kusari.compiler import cache_log
    seen, record = [], cache_log.record

    def counting(kind, name, reason):
        if kind == "jit" and name == "StandardUpdater.update":
            seen.append(reason)
        record(kind, name, reason)
    monkeypatch.setattr(cache_log, "record", counting)
    return seen


def test_compiled_training_equals_eager_and_says_so(traces):
    eager = _run(False)
    compiled = _run(True)
    # traced once: the Classifier's loss, y and accuracy (Variables the guards
    # hold by identity) are given each step's values in place
    assert traces == ["first call (f32[8,6], i32[8])"]
    _same(eager, compiled)
    assert not eager[2].compiled
    assert eager[2].explain_compile() == "eager: kusari.config.compile_updates is False"
    assert _run(True, iterations=1)[2].explain_compile() == (
        "eager: batches float32[8, 6], int32[8] seen 1 time, compiled at "
        "config.compile_threshold = 2")
    up = compiled[2]
    assert up.compiled
    assert up.explain_compile() == ("compiled for batches float32[8, 6], int32[8] "
                                    "(the last update ran compiled)")
    # the Classifier's attributes hold this step's values, not placeholders
    model = compiled[0]
    for name in ("loss", "accuracy", "y"):
        value = getattr(model, name)
        assert isinstance(value, kusari.Variable) and isinstance(value.array, np.ndarray)
    assert model.y.shape == (8, 4) and model.loss.shape == ()
    np.testing.assert_allclose(model.loss.array, compiled[3][-1]["main/loss"])


def test_the_step_compiles_after_compile_threshold_batches_of_one_structure():
    runs = []
    for threshold in (1, 2, 4):
        calls = []
        target = L.Classifier(MLP())
        opt = kusari.optimizers.SGD().setup(target)
        it = iterators.SerialIterator(datasets.TupleDataset(X, T), 8, shuffle=False)
        up = training.updaters.StandardUpdater(it, opt)
        with kusari.using_config("compile_threshold", threshold):
            for _ in range(5):
                up.update()
                calls.append(up.compiled)
        runs.append(calls)
    # threshold 1: the first step still runs eagerly (it shapes Linear(None, n))
    assert runs == [[False, True, True, True, True],
                    [False, True, True, True, True],
                    [False, False, False, True, True]]


def test_each_batch_shape_compiles_on_its_own_and_the_short_last_batch_too():
    # 40 examples in batches of 16 without repeat: 16, 16, 8 per epoch
    eager = _run(False, batch=16, repeat=False, epochs=1)
    assert len(eager[3]) == 3
    eager = _run(False, batch=16, repeat=True, iterations=9)
    compiled = _run(True, batch=16, repeat=True, iterations=9)
    _same(eager, compiled)
    assert "float32[16, 6], int32[16]" in compiled[2].explain_compile()


def test_dropout_draws_follow_the_seed_as_eagerly():
    _same(_run(False, model=lambda: MLP(0.5)), _run(True, model=lambda: MLP(0.5)))


@pytest.mark.parametrize("make_opt", [
    lambda: kusari.optimizers.MomentumSGD(lr=0.05),
    lambda: kusari.optimizers.AdaGrad(),
    lambda: kusari.optimizers.RMSprop(),
])
def test_other_optimizers(make_opt):
    eager, compiled = _run(False, make_opt=make_opt), _run(True, make_opt=make_opt)
    _same(eager, compiled)
    assert compiled[2].compiled


def test_optimizer_hooks_and_a_learning_rate_shift_are_followed():
    def make_opt():
        opt = kusari.optimizers.MomentumSGD(lr=0.1)
        return _Hooked(opt)

    def shift():
        return extensions.ExponentialShift("lr", 0.5)

    eager = _run(False, make_opt=make_opt, extend=[shift])
    compiled = _run(True, make_opt=make_opt, extend=[shift])
    _same(eager, compiled)
    assert compiled[2].compiled
    assert compiled[1].lr == eager[1].lr == 0.1 * 0.5 ** 7


class _Hooked:
    """setup() adds a weight decay hook after the optimizer is set up."""

    def __init__(self, opt):
        self.opt = opt

    def setup(self, target):
        self.opt.setup(target)
        self.opt.add_hook(kusari.optimizer_hooks.WeightDecay(1e-3))
        return self.opt


def test_a_loss_func_and_dict_batches():
    def convert(batch, device=None):
        x, t = kusari.dataset.concat_examples(batch, device)
        return {"x": x, "t": t}

    def loss_func(model):
        def f(x, t):
            loss = F.softmax_cross_entropy(model.predictor(x), t)
            kusari.report({"loss": loss, "mean_x": F.mean(x), "lr_note": 0.5}, model)
            return loss
        return f

    eager = _run(False, loss_func=loss_func, converter=convert)
    compiled = _run(True, loss_func=loss_func, converter=convert)
    _same(eager, compiled)
    assert compiled[2].compiled
    assert list(compiled[3][-1]) == ["main/loss", "main/mean_x", "main/lr_note"]


def test_a_step_that_cannot_be_traced_falls_back_for_good_and_says_why_once(caplog):
    eager = _run(False, model=Branchy)
    with caplog.at_level(logging.WARNING, logger="kusari.compile"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")         # no Python warning (-W error)
            compiled = _run(True, model=Branchy)
    _same(eager, compiled)
    said = [r for r in caplog.records if r.name == "kusari.compile"]
    assert len(said) == 1 and said[0].levelno == logging.WARNING
    assert "StandardUpdater: the update step cannot be compiled and runs eagerly from " \
           "now on (TraceError: cannot use the value of traced array" in said[0].getMessage()
    up = compiled[2]
    assert not up.compiled
    text = up.explain_compile()
    assert text.startswith("eager for good: TraceError: cannot use the value of traced "
                           "array f32[] as a Python float"), text
    # the model keeps concrete values (the eager steps after the failed trace)
    assert isinstance(compiled[0].loss.array, np.ndarray)


class Counting(MLP):
    """Keeps Python state that each forward changes."""

    def __init__(self):
        super().__init__()
        self.calls = []
        self.n = 0

    def forward(self, x):
        self.calls.append(x.shape)
        self.n += 1
        return super().forward(x)


@pytest.mark.parametrize("attr", ["calls", "n"])
def test_python_state_the_forward_changes_is_refused_and_left_as_eagerly(attr):
    if attr == "n":
        class Model(Counting):
            def forward(self, x):
                self.n += 1
                return MLP.forward(self, x)
    else:
        class Model(Counting):
            def forward(self, x):
                self.calls.append(x.shape)
                return MLP.forward(self, x)
    eager = _run(False, model=Model)
    compiled = _run(True, model=Model)
    _same(eager, compiled)
    assert compiled[2].explain_compile() == (
        f"eager for good: TypeError: the step changes Model.{attr}, a Python-side effect "
        "a compiled step would not repeat")
    # the trace's own forward left no trace: one entry per step, as eagerly
    pe, pc = eager[0].predictor, compiled[0].predictor
    assert pc.n == pe.n and pc.calls == pe.calls


def test_keep_graph_on_report_runs_the_eager_step():
    eager = _run(False)
    compiled = _run(True, keep_graph_on_report=True)
    _same(eager, compiled)
    assert not compiled[2].compiled


def test_inputs_that_are_not_numpy_arrays_run_eagerly():
    def convert(batch, device=None):
        x, t = kusari.dataset.concat_examples(batch, device)
        return kusari.Variable(x), t

    eager = _run(False, converter=convert)
    compiled = _run(True, converter=convert)
    _same(eager, compiled)
    assert not compiled[2].compiled
    assert compiled[2].explain_compile() == (
        "eager: the converted batch holds a Variable, not only NumPy arrays of numbers")


def test_snapshot_resume_of_a_compiled_run_equals_an_uninterrupted_one(tmp_path):
    def trainer(iterations):
        np.random.seed(3)
        target = L.Classifier(MLP())
        opt = kusari.optimizers.Adam().setup(target)
        it = iterators.SerialIterator(datasets.TupleDataset(X, T), 8, shuffle=False)
        up = training.updaters.StandardUpdater(it, opt)
        return training.Trainer(up, (iterations, "iteration"), out=str(tmp_path)), target

    whole, m_whole = trainer(8)
    whole.run()
    first, _ = trainer(4)
    first.run()
    kusari.serializers.save_npz(str(tmp_path / "snap.npz"), first)
    second, m_second = trainer(8)
    kusari.serializers.load_npz(str(tmp_path / "snap.npz"), second)
    second.run()
    assert second.updater.compiled and whole.updater.compiled
    for (name, a), (_, b) in zip(m_whole.namedparams(), m_second.namedparams()):
        np.testing.assert_allclose(b.array, a.array, rtol=1e-6, atol=1e-7, err_msg=name)


def test_a_hook_added_between_steps_traces_again():
    def train(compile_updates):
        np.random.seed(3)
        target = L.Classifier(MLP())
        opt = kusari.optimizers.SGD(lr=0.1).setup(target)
        it = iterators.SerialIterator(datasets.TupleDataset(X, T), 8, shuffle=False)
        up = training.updaters.StandardUpdater(it, opt)
        with kusari.using_config("compile_updates", compile_updates):
            for _ in range(3):
                up.update()
            opt.add_hook(kusari.optimizer_hooks.WeightDecay(0.5))
            up.update()
        return target, up

    (ma, ua), (mb, ub) = train(False), train(True)
    assert ub.compiled and not ua.compiled
    for (name, a), (_, b) in zip(ma.namedparams(), mb.namedparams()):
        np.testing.assert_allclose(b.array, a.array, rtol=1e-6, atol=1e-7, err_msg=name)


# -- report() inside kusari.jit -------------------------------------------------------------

def _model_and_step():
    np.random.seed(1)
    model = L.Classifier(MLP())
    model(X[:8], T[:8])                        # shapes the lazy Linear links

    def step(x, t):
        return model(x, t)
    return model, step


def test_reports_inside_jit_are_written_at_every_call_as_eagerly():
    model, step = _model_and_step()
    jitted = kusari.jit(step)
    rep = reporter_module.Reporter()
    rep.add_observer("main", model)
    for lo in (0, 8, 16):
        x, t = X[lo:lo + 8], T[lo:lo + 8]
        want, got = {}, {}
        with rep.scope(want):
            step(x, t)
        with rep.scope(got):
            jitted(x, t)
        assert list(got) == list(want) == ["main/loss", "main/accuracy"]
        for k in want:
            assert isinstance(got[k], kusari.Variable)
            np.testing.assert_allclose(got[k].array, want[k].array, rtol=1e-6)


def test_report_names_come_from_the_reporter_current_at_each_call():
    model, step = _model_and_step()
    jitted = kusari.jit(step)
    jitted(X[:8], T[:8])                       # traced with no reporter: nothing written
    other = reporter_module.Reporter()
    other.add_observer("validation/main", model)
    got = {}
    with other.scope(got):
        jitted(X[:8], T[:8])
    assert sorted(got) == ["validation/main/accuracy", "validation/main/loss"]
    stranger = reporter_module.Reporter()
    with stranger.scope({}):
        with pytest.raises(KeyError, match="not registered"):
            jitted(X[:8], T[:8])


def test_report_without_observer_constants_arrays_and_a_given_reporter():
    mine = reporter_module.Reporter()

    @kusari.jit
    def f(x):
        y = F.sum(x * 2)
        kusari.report({"y": y, "half": y.array, "note": "text", "n": 3})
        mine.report({"direct": y * 0})
        return y

    current, direct = {}, {}
    mine.observation = direct           # (not current: written all the same)
    with reporter_module.Reporter().scope(current):
        f(X[:2])
        f(X[2:4])
    want = float((X[2:4] * 2).sum())
    assert list(current) == ["y", "half", "note", "n"]
    np.testing.assert_allclose(current["y"].array, want, rtol=1e-6)
    assert isinstance(current["half"], np.ndarray)
    np.testing.assert_allclose(current["half"], want, rtol=1e-6)
    assert current["note"] == "text" and current["n"] == 3
    assert list(direct) == ["direct"] and float(direct["direct"].array) == 0.0


def test_reports_of_a_jitted_function_called_with_variables_and_inside_another():
    model, step = _model_and_step()
    inner = kusari.jit(step)

    @kusari.jit
    def outer(x, t):
        return inner(x, t) * 1

    rep = reporter_module.Reporter()
    rep.add_observer("main", model)
    want = {}
    with rep.scope(want):
        step(X[:8], T[:8])
    for f, args in ((inner, (kusari.Variable(X[:8]), T[:8])), (outer, (X[:8], T[:8]))):
        got = {}
        with rep.scope(got):
            f(*args)
        assert list(got) == list(want)
        for k in want:
            np.testing.assert_allclose(np.asarray(got[k].array), want[k].array, rtol=1e-6)


def test_a_loss_scale_is_applied_as_eagerly():
    def train(compile_updates):
        np.random.seed(3)
        target = L.Classifier(MLP())
        opt = kusari.optimizers.SGD(lr=0.05).setup(target)
        it = iterators.SerialIterator(datasets.TupleDataset(X, T), 8, shuffle=False)
        up = training.updaters.StandardUpdater(it, opt, loss_scale=8.0)
        with kusari.using_config("compile_updates", compile_updates):
            for _ in range(4):
                up.update()
        return target, up

    (ma, ua), (mb, ub) = train(False), train(True)
    assert ub.compiled
    for (name, a), (_, b) in zip(ma.namedparams(), mb.namedparams()):
        np.testing.assert_allclose(b.array, a.array, rtol=1e-6, atol=1e-7, err_msg=name)


@pytest.mark.parametrize("kind", ["function", "link", "local link"])
def test_hooks_in_force_see_every_step_eagerly(kind):
    from kusari import function_hooks, link_hooks
    target = L.Classifier(MLP())
    opt = kusari.optimizers.SGD(lr=0.05).setup(target)
    it = iterators.SerialIterator(datasets.TupleDataset(X, T), 8, shuffle=False)
    up = training.updaters.StandardUpdater(it, opt)
    up.update()
    up.update()
    assert up.compiled
    if kind == "local link":
        hook = link_hooks.TimerHook()
        target.predictor.l1.add_hook(hook)
        up.update()
        up.update()
        target.predictor.l1.delete_hook(hook.name)
        assert len(hook.call_history) == 2
    else:
        hook = function_hooks.TimerHook() if kind == "function" else link_hooks.TimerHook()
        with hook:
            up.update()
            up.update()
        assert len(hook.call_history) > 2       # both steps' calls seen
    assert not up.compiled
    assert "hooks" in up.explain_compile()
    up.update()
    assert up.compiled                          # compiled again without them


def test_loss_scale_with_a_recorded_backward():
    # (the compiled step's backward is recorded; so is enable_double_backprop's)
    x = kusari.Variable(np.array([1.0, 2.0], np.float32))
    y = F.sum(x * x)
    y.backward(enable_double_backprop=True, loss_scale=4.0)
    np.testing.assert_array_equal(x.grad, [8.0, 16.0])
    assert x.grad.dtype == np.float32


class Recurrent(kusari.Chain):
    def __init__(self, reset):
        super().__init__()
        self.reset = reset
        with self.init_scope():
            self.lstm = L.LSTM(6, 5)
            self.out = L.Linear(5, 4)

    def forward(self, x):
        if self.reset:
            self.lstm.reset_state()
        return self.out(self.lstm(x))


@pytest.mark.parametrize("reset", [False, True])
def test_recurrent_state_kept_from_step_to_step_runs_eagerly(reset):
    eager = _run(False, model=lambda: Recurrent(reset))
    compiled = _run(True, model=lambda: Recurrent(reset))
    _same(eager, compiled)
    text = compiled[2].explain_compile()
    if reset:
        assert text.startswith("eager for good: TypeError: the step keeps LSTM."), text
    else:
        assert text == ("eager for good: TypeError: the step reads LSTM.h, a Variable with "
                        "a graph from an earlier step (a recurrent state not reset?), which "
                        "the eager backward goes through")


def test_a_link_flag_changed_between_steps_is_followed(traces):
    def train(compile_updates):
        np.random.seed(3)
        target = L.Classifier(MLP())
        opt = kusari.optimizers.Adam().setup(target)
        it = iterators.SerialIterator(datasets.TupleDataset(X, T), 8, shuffle=False)
        up = training.updaters.StandardUpdater(it, opt)
        rep = reporter_module.Reporter()
        rep.add_observer("main", target)
        seen = []
        with kusari.using_config("compile_updates", compile_updates):
            for i in range(6):
                if i == 3:
                    target.compute_accuracy = False
                obs = {}
                with rep.scope(obs):
                    up.update()
                seen.append((sorted(obs), up.compiled))
        return target, seen

    ma, sa = train(False)
    mb, sb = train(True)
    assert len(traces) == 3         # the first, the switch, accuracy None
    assert [keys for keys, _ in sa] == [keys for keys, _ in sb]
    assert sb[3][0] == ["main/loss"] and sb[3][1]     # traced again, compiled
    assert ma.accuracy is None and mb.accuracy is None
    np.testing.assert_allclose(mb.loss.array, ma.loss.array, rtol=1e-6)
    for (name, a), (_, b) in zip(ma.namedparams(), mb.namedparams()):
        np.testing.assert_allclose(b.array, a.array, rtol=1e-6, atol=1e-7, err_msg=name)


def test_a_converter_giving_one_array():
    data = np.concatenate([X, T[:, None].astype(np.float32)], axis=1)

    def loss_func(model):
        def f(xt):
            loss = F.softmax_cross_entropy(model.predictor(xt[:, :6]),
                                           F.cast(xt[:, 6], np.int32))
            kusari.report({"loss": loss}, model)
            return loss
        return f

    eager = _run(False, loss_func=loss_func, dataset=data)
    compiled = _run(True, loss_func=loss_func, dataset=data)
    _same(eager, compiled)
    assert compiled[2].compiled


def test_an_evaluator_between_epochs_does_not_trace_again(traces):
    def evaluator():
        val = iterators.SerialIterator(datasets.TupleDataset(X[:16], T[:16]), 8,
                                       repeat=False, shuffle=False)
        return _EvaluatorOnMain(val)

    eager = _run(False, epochs=3, extend=[evaluator])
    compiled = _run(True, epochs=3, extend=[evaluator])
    assert len(traces) == 1
    _same(eager, compiled)
    assert "validation/main/loss" in compiled[3][-1]


class _EvaluatorOnMain(extensions.Evaluator):
    """An Evaluator of the trainer's own model (found at initialize)."""

    def __init__(self, iterator):
        super().__init__(iterator, {})

    def initialize(self, trainer):
        self._targets = {"main": trainer.updater.get_optimizer("main").target}


def test_dump_graph_sees_the_eager_first_step_then_the_step_compiles(tmp_path):
    np.random.seed(3)
    target = L.Classifier(MLP())
    opt = kusari.optimizers.SGD().setup(target)
    it = iterators.SerialIterator(datasets.TupleDataset(X, T), 8, shuffle=False)
    up = training.updaters.StandardUpdater(it, opt)
    trainer = training.Trainer(up, (4, "iteration"), out=str(tmp_path))
    trainer.extend(extensions.DumpGraph("main/loss"))
    with kusari.using_config("compile_threshold", 1), warnings.catch_warnings():
        warnings.simplefilter("error")          # (DumpGraph warns on a graph-less loss)
        trainer.run()
    assert up.compiled
    text = (tmp_path / "cg.dot").read_text()
    assert "linear" in text or "Linear" in text
