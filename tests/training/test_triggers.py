"""kusari.training.triggers: firing sequences step by step, after a resume from a
snapshot, and their argument checks."""
import io
import warnings

import numpy as np
import pytest

from kusari import serializers, testing, training
from kusari.training import triggers


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path, monkeypatch):
    # a mock trainer writes to its default out, ./result
    monkeypatch.chdir(tmp_path)


def mock(iter_per_epoch=10, stop=None):
    return testing.get_trainer_with_mock_updater(stop, iter_per_epoch)


def fired(trigger, trainer, n):
    """The iterations (1..n) at which `trigger` fires, called after each update."""
    out = []
    for _ in range(n):
        trainer.updater.update()
        if trigger(trainer):
            out.append(trainer.updater.iteration)
    return out


def roundtrip(src, dst):
    f = io.BytesIO()
    serializers.save_npz(f, src)
    serializers.load_npz(io.BytesIO(f.getvalue()), dst)
    return dst


# -- get_trigger --------------------------------------------------------------------

def test_get_trigger():
    def t(trainer):
        return True
    assert training.get_trigger(t) is t
    never = training.get_trigger(None)
    assert never(mock()) is False
    it = training.get_trigger((3, "epoch"))
    assert isinstance(it, triggers.IntervalTrigger)
    assert (it.period, it.unit) == (3, "epoch")
    assert training.util.get_trigger is training.get_trigger


# -- IntervalTrigger ----------------------------------------------------------------

@pytest.mark.parametrize("ipe,interval,expected", [
    (5, (2, "iteration"), [2, 4, 6, 8, 10]),
    (2, (1.5, "epoch"), [3, 6, 9]),          # epoch_detail 1.5, 3.0, 4.5
    (2.5, (1, "epoch"), [3, 5, 8, 10]),      # unaligned: first iteration past each epoch
    (0.5, (1, "epoch"), list(range(1, 11))),
])
def test_interval_sequence(ipe, interval, expected):
    trainer = mock(ipe)
    trigger = triggers.IntervalTrigger(*interval)
    assert trigger(trainer) is False          # before the first update
    assert fired(trigger, trainer, 10) == expected
    assert trigger.get_training_length() == interval
    assert str(trigger) == f"IntervalTrigger({interval[0]}, '{interval[1]}')"


def test_interval_sparse_calls_still_fire():
    trainer = mock(5)
    trigger = triggers.IntervalTrigger(3, "iteration")
    for _ in range(4):            # iterations 1..4 pass unseen; 3 was crossed
        trainer.updater.update()
    assert trigger(trainer) is True
    assert trigger(trainer) is False


def test_interval_resume_and_old_snapshots():
    trainer = mock(5)
    trigger = triggers.IntervalTrigger(4, "iteration")
    assert fired(trigger, trainer, 5) == [4]
    resumed = roundtrip(trigger, triggers.IntervalTrigger(4, "iteration"))
    assert resumed._previous_iteration == 5
    assert fired(resumed, trainer, 5) == [8]

    old = io.BytesIO()
    np.savez(old, dummy=0)
    guessed = triggers.IntervalTrigger(4, "iteration")
    with pytest.warns(UserWarning, match="previous value of iteration is not saved"):
        serializers.load_npz(io.BytesIO(old.getvalue()), guessed)
    assert guessed._previous_iteration == -1
    assert fired(guessed, trainer, 6) == [12, 16]


def test_interval_bad_unit():
    with pytest.raises(ValueError, match="'epoch' or 'iteration'"):
        triggers.IntervalTrigger(1, "day")


# -- ManualScheduleTrigger ----------------------------------------------------------

def test_manual_schedule_points_and_finished():
    trainer = mock(4)
    trigger = triggers.ManualScheduleTrigger([2, 5], "iteration")
    seq = []
    for _ in range(7):
        trainer.updater.update()
        seq.append((trigger(trainer), trigger.finished))
    assert seq == [(False, False), (True, False), (False, False), (False, False),
                   (True, True), (False, True), (False, True)]


def test_manual_schedule_epochs_and_resume():
    trainer = mock(4)
    trigger = triggers.ManualScheduleTrigger([0.5, 2], "epoch")
    assert fired(trigger, trainer, 3) == [2]
    resumed = roundtrip(trigger, triggers.ManualScheduleTrigger([0.5, 2], "epoch"))
    assert fired(resumed, trainer, 6) == [8]
    assert resumed.finished
    with pytest.raises(ValueError):
        triggers.ManualScheduleTrigger(1, "days")


# -- OnceTrigger, TimeTrigger -------------------------------------------------------

@pytest.mark.parametrize("call_on_resume", [False, True])
def test_once_trigger(call_on_resume):
    trainer = mock()
    trigger = triggers.OnceTrigger(call_on_resume)
    assert not trigger.finished
    assert [trigger(trainer) for _ in range(3)] == [True, False, False]
    assert trigger.finished
    resumed = roundtrip(trigger, triggers.OnceTrigger(call_on_resume))
    assert [resumed(trainer) for _ in range(2)] == [call_on_resume, False]


def test_time_trigger():
    class T:
        elapsed_time = 0.0
    t, trigger = T(), triggers.TimeTrigger(1.0)
    seq = []
    for now in [0.5, 1.2, 1.5, 2.1, 5.0, 5.1]:
        t.elapsed_time = now
        seq.append(trigger(t))
    # one firing per call at most; the schedule catches up a call at a time
    assert seq == [False, True, False, True, True, True]
    assert roundtrip(trigger, triggers.TimeTrigger(1.0))._next_time == 5.0


# -- best-value triggers in a running trainer -----------------------------------------

def run_with_values(trigger, values, ipe=2):
    trainer = testing.get_trainer_with_mock_updater((len(values), "iteration"), ipe)

    def observe(t):
        t.observation = {"v": values[t.updater.iteration - 1]}
    trainer.extend(observe, name="observe", priority=300)
    hits = []
    trainer.extend(lambda t: hits.append(t.updater.iteration), name="rec",
                   trigger=trigger, priority=100)
    trainer.run()
    return hits


def test_max_and_min_value_triggers_use_interval_means():
    # means per epoch (2 iterations): 2, 1, 3, 3, 0.5
    values = [1., 3., 1., 1., 2., 4., 3., 3., 0., 1.]
    assert run_with_values(triggers.MaxValueTrigger("v", (1, "epoch")), values) == [2, 6]
    assert run_with_values(triggers.MinValueTrigger("v", (1, "epoch")), values) == [2, 4, 10]
    best = triggers.BestValueTrigger("v", lambda best, new: abs(new - 2) < abs(best - 2),
                                     (1, "epoch"))
    assert run_with_values(best, values) == [2]


def test_min_value_trigger_resume_keeps_best_and_partial_interval():
    values = [1., 3., 1., 1., 2., 4.]
    trigger = triggers.MinValueTrigger("v", (2, "iteration"))
    trainer = testing.get_trainer_with_mock_updater((3, "iteration"), 2)

    def observe(t):
        t.observation = {"v": values[t.updater.iteration - 1]}
    trainer.extend(observe, name="observe", priority=300)
    trainer.extend(lambda t: None, name="rec", trigger=trigger)
    trainer.run()
    assert trigger._best_value == 2.0
    resumed = roundtrip(trigger, triggers.MinValueTrigger("v", (2, "iteration")))
    assert resumed._best_value == 2.0
    # iteration 3's value (1.0) is in the saved partial summary
    assert float(resumed._summary.compute_mean()["v"]) == 1.0


# -- EarlyStoppingTrigger -------------------------------------------------------------

def early_stop_iteration(values, **kwargs):
    trainer = testing.get_trainer_with_mock_updater(None, 1)
    trigger = triggers.EarlyStoppingTrigger(check_trigger=(1, "epoch"), **kwargs)
    trainer.stop_trigger = trigger

    def observe(t):
        t.observation = {kwargs.get("monitor", "main/loss"): values[t.updater.iteration - 1]}
    trainer.extend(observe, priority=300)
    trainer.observation = {}
    trainer.run()
    return trainer.updater.iteration


def test_early_stopping_patience_and_modes():
    losses = [5., 4., 4.5, 4.2, 4.1, 3., 2., 1., 0.5, 0.1, 0.05, 0.01]
    # stop checks run before each iteration on the previous one's observation
    assert early_stop_iteration(losses, patience=3) == 5
    # patience 4: 4.5, 4.2, 4.1 are three misses; 3.0 improves, and the rest do
    assert early_stop_iteration(losses, patience=4, max_trigger=(12, "iteration")) == 12
    accuracy = [0.1, 0.2, 0.15, 0.15, 0.15, 0.3]
    assert early_stop_iteration(accuracy, monitor="main/accuracy", patience=3) == 5
    # mode='min' on an accuracy key reverses 'auto'
    assert early_stop_iteration(accuracy, monitor="main/accuracy", patience=2,
                                mode="min") == 3
    assert early_stop_iteration(losses, patience=100, max_trigger=(4, "iteration")) == 4


def test_early_stopping_arguments():
    t = triggers.EarlyStoppingTrigger(patients=7)
    assert t.patience == 7
    assert triggers.EarlyStoppingTrigger().patience == 3
    with pytest.raises(TypeError, match="patients"):
        triggers.EarlyStoppingTrigger(patience=1, patients=2)
    with pytest.raises(TypeError):
        triggers.EarlyStoppingTrigger(foo=1)
    assert triggers.EarlyStoppingTrigger(max_trigger=(7, "epoch")).get_training_length() \
        == (7, "epoch")


def test_early_stopping_warns_when_the_key_is_missing():
    trainer = mock(1)
    trainer.observation = {}
    trigger = triggers.EarlyStoppingTrigger(check_trigger=(1, "iteration"))
    trainer.updater.update()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert trigger(trainer) is False
    assert any("main/loss is not in observation" in str(x.message) for x in w)
