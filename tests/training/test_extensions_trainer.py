"""Extensions inside a real Trainer: Evaluator's modes and iterator handling,
a whole run's log, a resumed run equal to an uninterrupted one with a shifted
learning rate, DumpGraph's IR, ParameterStatistics, MicroAverage,
observe_lr, FailOnNonNumber, unchain_variables."""
import io
import json
import os

import numpy as np
import pytest

import kusari
import kusari.links as L
from kusari import configuration, testing, training
from kusari.datasets import TupleDataset
from kusari.iterators import SerialIterator
from kusari.training import extensions

N_TRAIN, N_VAL = 24, 10


def _data(n, seed):
    rng = np.random.default_rng(seed)
    return TupleDataset(rng.standard_normal((n, 5)).astype(np.float32),
                        rng.integers(0, 3, n).astype(np.int32))


class Net(kusari.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(5, 4, initialW=kusari.initializers.Normal(0.5))
            self.l2 = L.Linear(4, 3, initialW=kusari.initializers.Normal(0.5))
        self.modes = []

    def forward(self, x):
        self.modes.append((configuration.config.train,
                           configuration.config.enable_backprop))
        return self.l2(kusari.functions.relu(self.l1(x)))


def make_trainer(out, stop=(2, "epoch"), seed=0):
    np.random.seed(seed)
    net = Net()
    model = L.Classifier(net)
    opt = kusari.optimizers.MomentumSGD(lr=0.1)
    opt.setup(model)
    it = SerialIterator(_data(N_TRAIN, 0), 4, shuffle=True)
    updater = training.updaters.StandardUpdater(it, opt)
    return training.Trainer(updater, stop, out=str(out)), model, net


def params(model):
    return {name: p.array.copy() for name, p in model.namedparams()}


def test_evaluator_modes_reset_and_means(tmp_path):
    trainer, model, net = make_trainer(tmp_path)
    val = SerialIterator(_data(N_VAL, 1), 4, repeat=False, shuffle=False)
    hooks = []
    ev = extensions.Evaluator(val, model, eval_hook=hooks.append)
    trainer.extend(ev)
    trainer.extend(extensions.LogReport(), name="LogReport")
    trainer.run()

    # 6 training iterations an epoch, 3 validation batches at each of 2 epochs
    train_modes = [m for m in net.modes if m == (True, True)]
    eval_modes = [m for m in net.modes if m != (True, True)]
    assert len(train_modes) == 12 and eval_modes == [(False, False)] * 6
    assert net.modes[-3:] == [(False, False)] * 3
    assert configuration.config.train is True
    assert hooks == [ev, ev]

    # the logged validation loss is the batch-size-weighted mean Chainer computes
    # (the mean of the batch means), equal to a direct evaluation now
    log = json.loads((tmp_path / "log").read_text())
    assert [e["epoch"] for e in log] == [1, 2]
    with configuration.using_config("train", False), kusari.no_backprop_mode():
        x, t = kusari.dataset.concat_examples(_data(N_VAL, 1)[:])
        means = [float(model(x[i:i + 4], t[i:i + 4]).array) for i in (0, 4, 8)]
    assert log[-1]["validation/main/loss"] == pytest.approx(np.mean(means), rel=1e-6)
    # evaluating again resets the iterator: the same value
    again = ev()
    assert float(again["validation/main/loss"]) == pytest.approx(np.mean(means), rel=1e-6)


def test_evaluator_repeat_warning_and_dict_targets():
    it = SerialIterator(_data(4, 0), 2)
    with pytest.warns(UserWarning, match="repeat=False"):
        extensions.Evaluator(it, {})
    ev = extensions.Evaluator({"main": SerialIterator(_data(4, 0), 2, repeat=False)},
                              {"main": L.Classifier(L.Linear(5, 3))})
    assert set(ev.get_all_targets()) == {"main"} and set(ev.get_all_iterators()) == {"main"}
    assert ev.default_name == "validation" and ev.priority == training.PRIORITY_WRITER


def test_evaluator_eval_func_and_device():
    got = []
    ev = extensions.Evaluator(SerialIterator(_data(4, 0), 2, repeat=False, shuffle=False),
                              {}, eval_func=lambda x, t: got.append((type(x), x.shape)),
                              device="@numpy")
    assert ev() == {}
    assert got == [(np.ndarray, (2, 5))] * 2
    assert ev.device.xp is np


def test_full_run_log_print_progress(tmp_path):
    trainer, model, _ = make_trainer(tmp_path)
    out, bar = io.StringIO(), io.StringIO()
    val = SerialIterator(_data(N_VAL, 1), 5, repeat=False, shuffle=False)
    trainer.extend(extensions.Evaluator(val, model))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.observe_lr())
    trainer.extend(extensions.PrintReport(
        ["epoch", "main/loss", "validation/main/loss", "main/accuracy", "lr"], out=out))
    trainer.extend(extensions.ProgressBar(update_interval=1, out=bar))
    trainer.extend(extensions.snapshot(), trigger=(1, "epoch"))
    trainer.run()
    rows = out.getvalue().splitlines()
    assert rows[0].split() == ["epoch", "main/loss", "validation/main/loss",
                               "main/accuracy", "lr"]
    assert [r.split()[0] for r in rows[1:]] == ["1", "2"]
    assert rows[1].split()[-1] == "0.1"
    assert len(bar.getvalue().splitlines()) == 12 and "\033" not in bar.getvalue()
    assert sorted(os.listdir(tmp_path)) == ["log", "snapshot_iter_12", "snapshot_iter_6"]


def test_resumed_run_equals_uninterrupted_with_shifted_lr(tmp_path):
    def build(out, stop):
        trainer, model, _ = make_trainer(out, stop=(stop, "iteration"))
        trainer.extend(extensions.ExponentialShift("lr", 0.5), trigger=(2, "iteration"))
        trainer.extend(extensions.LogReport(trigger=(3, "iteration")))
        trainer.extend(extensions.snapshot(filename="snap_{.updater.iteration}",
                                           autoload=True), trigger=(5, "iteration"))
        return trainer, model

    whole, whole_model = build(tmp_path / "whole", 10)
    whole.run()
    first, _ = build(tmp_path / "part", 5)
    first.run()
    second, second_model = build(tmp_path / "part", 10)   # autoload picks snap_5
    second.run()
    assert second.updater.iteration == 10
    assert second.updater.get_optimizer("main").lr == whole.updater.get_optimizer("main").lr
    a, b = params(whole_model), params(second_model)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    log_a = json.loads((tmp_path / "whole" / "log").read_text())
    log_b = json.loads((tmp_path / "part" / "log").read_text())
    for ea, eb in zip(log_a, log_b):
        assert ea["main/loss"] == pytest.approx(eb["main/loss"], rel=1e-6)
        assert (ea["epoch"], ea["iteration"]) == (eb["epoch"], eb["iteration"])


def test_dump_graph_writes_kusari_ir(tmp_path):
    flag = configuration.config.keep_graph_on_report
    trainer, model, _ = make_trainer(tmp_path, stop=(2, "iteration"))
    trainer.extend(extensions.DumpGraph("main/loss", filename="g.dot"))
    trainer.run()
    dot = (tmp_path / "g.dot").read_text()
    assert dot.startswith('digraph "main/loss" {')
    for text in ("= linear", "relu", "softmax_cross_entropy", "/predictor/l1/W",
                 "/predictor/l2/b", "f32[4,5]"):
        assert text in dot, text
    assert configuration.config.keep_graph_on_report == flag
    assert not [f for f in os.listdir(tmp_path) if f.startswith("tmp")]


def test_dump_graph_refuses_a_non_variable(tmp_path):
    trainer = testing.get_trainer_with_mock_updater((1, "iteration"))
    trainer.out = str(tmp_path)

    @training.make_extension(priority=training.PRIORITY_WRITER)
    def put(t):
        t.observation["loss"] = 1.0

    trainer.extend(put)
    trainer.extend(extensions.DumpGraph("loss"))
    with pytest.raises(TypeError, match="not a Variable"):
        trainer.run(show_loop_exception_msg=False)


def test_parameter_statistics_values(tmp_path):
    link = L.Linear(3, 2)
    link.W.array[...] = np.arange(6, dtype=np.float32).reshape(2, 3)
    link.b.array[...] = 0
    trainer = testing.get_trainer_with_mock_updater((1, "iteration"))
    trainer.extend(extensions.ParameterStatistics(link, trigger=(1, "iteration"),
                                                  prefix="p", skip_nan_params=True))
    seen = {}
    trainer.extend(lambda t: seen.update(t.observation), priority=0)
    trainer.run()
    w = np.arange(6.0)
    assert seen["p/None/W/data/mean"] == pytest.approx(w.mean())
    assert seen["p/None/W/data/std"] == pytest.approx(w.std())
    assert seen["p/None/W/data/zeros"] == 1 and seen["p/None/b/data/zeros"] == 2
    assert seen["p/None/W/data/percentile/3"] == pytest.approx(np.percentile(w, 50))
    assert np.isnan(seen["p/None/W/grad/mean"])           # grads NaN before backward
    assert len(seen) == 2 * (5 + 7) + 2 * 6


def test_micro_average_observe_value_and_fail_on_nonnumber(tmp_path):
    trainer = testing.get_trainer_with_mock_updater((4, "iteration"), 2)
    v = kusari.Variable
    counts = iter([(1, 2), (3, 4), (0, 1), (v(np.array(5.0)), v(np.array(5.0)))])

    @training.make_extension(priority=training.PRIORITY_WRITER + 1)
    def put(t):
        t.observation["n"], t.observation["d"] = next(counts)

    seen = []
    trainer.extend(put)
    trainer.extend(extensions.MicroAverage("n", "d", "ratio", trigger=(2, "iteration")))
    trainer.extend(extensions.observe_value("it", lambda t: t.updater.iteration * 10),
                   trigger=(1, "iteration"))
    trainer.extend(lambda t: seen.append((t.observation.get("ratio"),
                                          t.observation["it"])), priority=0)
    trainer.run()
    assert seen == [(None, 10), (4 / 6, 20), (None, 30), (5 / 6, 40)]

    link = L.Linear(2, 2)
    opt = kusari.optimizers.SGD()
    opt.setup(link)
    t = testing.get_trainer_with_mock_updater()
    t.updater.get_all_optimizers.return_value = {"main": opt}
    check = extensions.FailOnNonNumber()
    check(t)
    link.b.array[0] = np.inf
    with pytest.raises(RuntimeError, match="'main' diverge"):
        check(t)


def test_unchain_variables_follows_keep_graph_on_report():
    trainer = testing.get_trainer_with_mock_updater((2, "iteration"))
    x = kusari.Variable(np.ones(2, np.float32))
    kept = []

    @training.make_extension(priority=training.PRIORITY_WRITER)
    def put(t):
        y = x * 2
        t.observation["y"] = y
        kept.append(y)

    trainer.extend(put)
    trainer.extend(extensions.unchain_variables())
    with configuration.using_config("keep_graph_on_report", True):
        trainer.run()
    # the flag was on before each iteration: each reported y lost its creator
    assert [y.creator is None for y in kept] == [True, True]


class _NoReset(kusari.dataset.Iterator):
    def __init__(self, batches):
        self.batches = batches
        self.position = 0

    def __next__(self):
        if self.position == len(self.batches):
            raise StopIteration
        self.position += 1
        return self.batches[self.position - 1]


def test_evaluator_copies_an_iterator_without_reset():
    it = _NoReset([[(np.ones(5, np.float32), np.int32(0))]] * 2)
    seen = []
    ev = extensions.Evaluator(it, {}, eval_func=lambda x, t: seen.append(x.shape))
    for _ in range(2):
        with pytest.warns(DeprecationWarning, match="copies the iterator"):
            ev()
    assert seen == [(1, 5)] * 4 and it.position == 0      # the original never moved


def test_evaluator_bad_arguments():
    with pytest.raises(TypeError, match="Link or a dict of Links, not function"):
        extensions.Evaluator(SerialIterator([1], 1, repeat=False), lambda x: x)
    with pytest.raises(TypeError, match="iterator must be a kusari.dataset.Iterator"):
        extensions.Evaluator([1, 2], {})
    with pytest.raises(TypeError, match="unexpected keyword"):
        extensions.Evaluator(SerialIterator([1], 1, repeat=False), {}, bogus=True)


def test_dump_graph_warns_without_a_graph(tmp_path):
    trainer = testing.get_trainer_with_mock_updater((1, "iteration"))
    trainer.out = str(tmp_path)

    @training.make_extension(priority=training.PRIORITY_WRITER)
    def put(t):
        t.observation["loss"] = kusari.Variable(np.array(2.0, np.float32))

    trainer.extend(put)
    trainer.extend(extensions.DumpGraph("loss"))
    with pytest.warns(UserWarning, match="no recorded graph"):
        trainer.run()
    dot = (tmp_path / "cg.dot").read_text()
    assert " = " not in dot and 'n0 [label="a:f32[]", shape=ellipse];' in dot
