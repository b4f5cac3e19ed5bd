"""kusari.training.Trainer: extension order, names, initialize/on_error/finalize,
elapsed time, snapshot/resume equal to an uninterrupted run, and Ctrl-C stopping at
an iteration boundary with a snapshot that resumes."""
import os
import signal

import numpy as np
import pytest

import kusari
import kusari.links as L
from kusari import serializers, testing, training
from kusari.datasets import TupleDataset
from kusari.iterators import SerialIterator
from kusari.training import extension as extension_module


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path, monkeypatch):
    # a mock trainer writes to its default out, ./result
    monkeypatch.chdir(tmp_path)


def mock_trainer(iterations=10, iter_per_epoch=10):
    return testing.get_trainer_with_mock_updater((iterations, "iteration"), iter_per_epoch)


# -- a small real training ----------------------------------------------------------

def make_real_trainer(out, stop=6, seed=0):
    rng = np.random.default_rng(0)
    data = TupleDataset(rng.standard_normal((24, 5)).astype(np.float32),
                        rng.integers(0, 3, 24).astype(np.int32))
    np.random.seed(seed)
    model = L.Classifier(L.Linear(5, 3, initialW=kusari.initializers.Normal(0.5)))
    opt = kusari.optimizers.MomentumSGD(lr=0.1)
    opt.setup(model)
    it = SerialIterator(data, 4, shuffle=True)
    updater = training.updaters.StandardUpdater(it, opt)
    return training.Trainer(updater, (stop, "iteration"), out=str(out)), model


def params(model):
    return {name: p.array.copy() for name, p in model.namedparams()}


def assert_same_params(a, b):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


# -- registration -------------------------------------------------------------------

def test_extension_order_is_priority_then_registration():
    trainer = mock_trainer(2)
    calls = []
    for name, prio in [("a", 100), ("b", 300), ("c", 100), ("d", 200), ("e", 300)]:
        trainer.extend(lambda t, n=name: calls.append(n), name=name, priority=prio)
    trainer.run()
    assert calls == ["b", "e", "d", "a", "c"] * 2


def test_extension_defaults_come_from_the_extension():
    trainer = mock_trainer(6)
    calls = []

    @training.make_extension(trigger=(3, "iteration"), priority=training.PRIORITY_WRITER)
    def every_third(t):
        calls.append(t.updater.iteration)

    trainer.extend(every_third)
    trainer.run()
    assert calls == [3, 6]
    assert trainer.get_extension("every_third") is every_third
    assert trainer._extensions["every_third"].priority == training.PRIORITY_WRITER


def test_duplicate_names_get_suffixes_and_names_are_set():
    trainer = mock_trainer()

    class Ext(training.Extension):
        def __call__(self, t):
            pass

    exts = [Ext(), Ext(), Ext()]
    for e in exts:
        trainer.extend(e)
    assert [e.name for e in exts] == ["Ext", "Ext_1", "Ext_2"]
    assert trainer.get_extension("Ext_2") is exts[2]
    with pytest.raises(ValueError, match="extension nope not found"):
        trainer.get_extension("nope")


def test_bad_registrations():
    trainer = mock_trainer()
    with pytest.raises(ValueError, match='"training" is prohibited'):
        trainer.extend(lambda t: None, name="training")

    class NoName:
        def __call__(self, t):
            pass
    with pytest.raises(TypeError, match="name is not given"):
        trainer.extend(NoName())
    with pytest.raises(ValueError, match="invoke_before_training has been removed"):
        trainer.extend(lambda t: None, invoke_before_training=True)
    with pytest.raises(TypeError):
        trainer.extend(lambda t: None, foo=1)


def test_extensions_given_to_the_constructor():
    seen = []

    def ext(t):
        seen.append(t.updater.iteration)
    trainer = testing.get_trainer_with_mock_updater((3, "iteration"), extensions=[ext])
    trainer.run()
    assert seen == [1, 2, 3]


# -- the loop -----------------------------------------------------------------------

def test_initialize_skipped_for_finished_triggers_and_call_before_training():
    trainer = mock_trainer(3)
    log = []

    class Ext(training.Extension):
        def __init__(self, tag):
            self.tag = tag

        def initialize(self, t):
            log.append(("init", self.tag))

        def __call__(self, t):
            log.append((self.tag, t.updater.iteration, t.is_before_training))

    class Finished:
        finished = True

        def __call__(self, t):
            return False
    finished = Finished()
    trainer.extend(Ext("done"), trigger=finished)
    trainer.extend(Ext("pre"), trigger=(2, "iteration"), call_before_training=True)
    trainer.run()
    assert log == [("init", "pre"), ("pre", 0, True), ("pre", 2, False)]


def test_errors_reach_every_on_error_then_finalize(capsys):
    trainer = mock_trainer(5)
    log = []

    class Boom(Exception):
        pass

    class Ext(training.Extension):
        def __init__(self, tag, fail=False, handler_fails=False):
            self.tag, self.fail, self.handler_fails = tag, fail, handler_fails

        def __call__(self, t):
            if self.fail and t.updater.iteration == 2:
                raise Boom("at 2")

        def on_error(self, t, exc, tb):
            log.append(("on_error", self.tag, type(exc).__name__, tb is not None))
            if self.handler_fails:
                raise ValueError("handler broke")

        def finalize(self):
            log.append(("finalize", self.tag))

    trainer.extend(Ext("a", handler_fails=True), priority=10)
    trainer.extend(Ext("b", fail=True), priority=5)
    finalized = []
    trainer.updater.finalize = lambda: finalized.append(True)
    with pytest.raises(Boom):
        trainer.run()
    assert log == [("on_error", "a", "Boom", True), ("on_error", "b", "Boom", True),
                   ("finalize", "a"), ("finalize", "b")]
    assert finalized == [True]
    err = capsys.readouterr().err
    assert "Exception in main training loop: at 2" in err
    assert "Exception in error handler: handler broke" in err


def test_show_loop_exception_msg_false(capsys):
    trainer = mock_trainer(5)

    def fail(t):
        raise RuntimeError("quiet")
    trainer.extend(fail)
    with pytest.raises(RuntimeError, match="quiet"):
        trainer.run(show_loop_exception_msg=False)
    assert "Exception in main training loop" not in capsys.readouterr().err


def test_observation_is_fresh_each_iteration_and_reporter_observers(tmp_path):
    trainer, model = make_real_trainer(tmp_path, stop=3)
    seen = []

    def look(t):
        seen.append(t.observation)
        assert kusari.get_current_reporter() is t.reporter
    trainer.extend(look)
    trainer.run()
    assert len(seen) == 3 and len({id(o) for o in seen}) == 3
    for obs in seen:
        assert set(obs) == {"main/loss", "main/accuracy"}
        assert obs["main/loss"].creator is None      # cut from the graph
    assert trainer.reporter._observer_names[id(model.predictor)] == "main/predictor"


def test_run_once_and_elapsed_time():
    trainer = mock_trainer(3)
    with pytest.raises(RuntimeError, match="not been started"):
        trainer.elapsed_time
    trainer.run()
    t = trainer.elapsed_time
    assert t > 0 and trainer.elapsed_time == t      # frozen after the run
    with pytest.raises(RuntimeError, match="multiple times"):
        trainer.run()


def test_elapsed_time_carries_over_a_resume(tmp_path):
    trainer = mock_trainer(3)
    trainer.run()
    path = str(tmp_path / "t.npz")
    serializers.save_npz(path, trainer)
    resumed = mock_trainer(3)
    serializers.load_npz(path, resumed)
    assert resumed._snapshot_elapsed_time == pytest.approx(trainer.elapsed_time)
    resumed.run()
    assert resumed.elapsed_time > trainer.elapsed_time


def test_snapshot_resume_equals_uninterrupted(tmp_path):
    whole, whole_model = make_real_trainer(tmp_path / "a", stop=6)
    whole.run()

    first, _ = make_real_trainer(tmp_path / "b", stop=3)
    first.run()
    path = str(tmp_path / "snap.npz")
    serializers.save_npz(path, first)
    second, second_model = make_real_trainer(tmp_path / "c", stop=6, seed=1)
    serializers.load_npz(path, second)
    assert second.updater.iteration == 3
    second.run()
    assert second.updater.iteration == 6
    assert_same_params(params(whole_model), params(second_model))


# -- Ctrl-C -------------------------------------------------------------------------

@pytest.fixture
def default_sigint():
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def sigint_at(iteration, times=1):
    def ext(t):
        if t.updater.iteration == iteration:
            for _ in range(times):
                os.kill(os.getpid(), signal.SIGINT)
    return ext


def test_ctrl_c_stops_at_the_boundary_and_the_snapshot_resumes(tmp_path, default_sigint,
                                                               capsys):
    whole, whole_model = make_real_trainer(tmp_path / "whole", stop=6)
    whole.run()

    out = tmp_path / "run"
    trainer, _ = make_real_trainer(out, stop=6)
    after = []
    finalized = []
    trainer.extend(sigint_at(3), name="interrupt", priority=300)
    # runs after the interrupting extension in the same iteration: the
    # iteration is finished before the trainer stops
    trainer.extend(lambda t: after.append(t.updater.iteration), name="after", priority=1)
    trainer.extend(training.make_extension(finalizer=lambda: finalized.append(1))(
        lambda t: None), name="fin")
    with pytest.raises(KeyboardInterrupt, match="after iteration 3"):
        trainer.run()
    assert after == [1, 2, 3]
    assert finalized == [1]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    snap = out / "snapshot_iter_3"
    assert snap.exists()
    assert [p.name for p in out.iterdir()] == ["snapshot_iter_3"]   # no temp files left
    err = capsys.readouterr().err
    assert "snapshot written to" in err and "load_npz" in err

    resumed, resumed_model = make_real_trainer(tmp_path / "resumed", stop=6, seed=5)
    serializers.load_npz(str(snap), resumed)
    resumed.run()
    assert_same_params(params(whole_model), params(resumed_model))


def test_second_ctrl_c_stops_at_once_without_snapshot(tmp_path, default_sigint):
    trainer, _ = make_real_trainer(tmp_path, stop=6)
    after = []
    trainer.extend(sigint_at(2, times=2), name="interrupt", priority=300)
    trainer.extend(lambda t: after.append(t.updater.iteration), name="after", priority=1)
    with pytest.raises(KeyboardInterrupt):
        trainer.run()
    assert after == [1]                     # iteration 2's extensions were cut short
    assert not any(p.name.startswith("snapshot") for p in tmp_path.iterdir())
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_without_snapshot_when_disabled(tmp_path, default_sigint):
    trainer, _ = make_real_trainer(tmp_path, stop=6)
    trainer.extend(sigint_at(2), name="interrupt")
    with pytest.raises(KeyboardInterrupt):
        trainer.run(snapshot_on_interrupt=False)
    assert trainer.updater.iteration == 2
    assert not any(p.name.startswith("snapshot") for p in tmp_path.iterdir())


def test_a_programs_own_sigint_handler_is_left_alone(tmp_path):
    seen = []
    previous = signal.signal(signal.SIGINT, lambda s, f: seen.append(s))
    try:
        trainer, _ = make_real_trainer(tmp_path, stop=3)
        trainer.extend(sigint_at(1), name="interrupt")
        trainer.run()
        assert seen == [signal.SIGINT] and trainer.updater.iteration == 3
    finally:
        signal.signal(signal.SIGINT, previous)


def test_priority_constants_are_the_extension_modules():
    assert training.PRIORITY_READER is extension_module.PRIORITY_READER
    assert training.Extension is extension_module.Extension


def test_ctrl_c_when_the_snapshot_cannot_be_written(tmp_path, default_sigint, capsys):
    blocked = tmp_path / "a_file"
    blocked.write_text("not a directory")
    trainer, _ = make_real_trainer(blocked, stop=6)
    trainer.extend(sigint_at(2), name="interrupt")
    with pytest.raises(KeyboardInterrupt, match="after iteration 2 \\(no snapshot\\)"):
        trainer.run()
    assert "its snapshot could not be written" in capsys.readouterr().err
    assert trainer.updater.iteration == 2
    assert [p.name for p in tmp_path.iterdir()] == ["a_file"]
