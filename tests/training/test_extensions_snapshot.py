"""snapshot / snapshot_object and the snapshot writers: files that load
back, atomic replacement (a failing save leaves the old snapshot whole and
no temporary behind), autoload, n_retains, snapshot_on_error."""
import os
import time

import numpy as np
import pytest

import kusari
from kusari.serializers import npz
from kusari.training import extensions
from kusari.training.extensions import _snapshot, snapshot_writers
from tests.training.test_extensions_base import FakeTrainer


def _link(seed):
    link = kusari.links.Linear(3, 2)
    rng = np.random.RandomState(seed)
    link.W.array[...] = rng.randn(2, 3)
    link.b.array[...] = rng.randn(2)
    return link


def _same(a, b):
    for (na, pa), (nb, pb) in zip(sorted(a.namedparams()), sorted(b.namedparams())):
        assert na == nb
        np.testing.assert_array_equal(pa.array, pb.array)


WRITERS = {
    "simple": lambda: snapshot_writers.SimpleWriter(),
    "thread": lambda: snapshot_writers.ThreadWriter(),
    "process": lambda: snapshot_writers.ProcessWriter(),
    "thread_queue": lambda: snapshot_writers.ThreadQueueWriter(),
    "process_queue": lambda: snapshot_writers.ProcessQueueWriter(),
}


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_writers_save_loadable_files_and_retain(kind, tmp_path):
    link = _link(0)
    trainer = FakeTrainer(tmp_path)
    ext = extensions.snapshot_object(link, "model_{.updater.iteration}.npz",
                                     writer=WRITERS[kind](), n_retains=2)
    ext.initialize(trainer)
    for i in range(4):
        trainer.step()
        link.b.array[...] = i
        ext(trainer)
        time.sleep(0.02)            # distinct mtimes for the retention order
    ext.finalize()
    assert sorted(os.listdir(tmp_path)) == ["model_3.npz", "model_4.npz"]
    loaded = _link(1)
    npz.load_npz(str(tmp_path / "model_4.npz"), loaded)
    _same(loaded, link)


def test_failing_save_keeps_the_old_snapshot(tmp_path):
    (tmp_path / "model.npz").write_bytes(b"old snapshot")

    def broken_save(path, target):
        with open(path, "wb") as f:
            f.write(b"half of a snap")
        raise OSError("disk full")

    trainer = FakeTrainer(tmp_path)
    ext = extensions.snapshot_object(_link(0), "model.npz", savefun=broken_save)
    with pytest.raises(OSError, match="disk full"):
        ext(trainer)
    assert os.listdir(tmp_path) == ["model.npz"]
    assert (tmp_path / "model.npz").read_bytes() == b"old snapshot"


def test_savefun_that_writes_nothing_is_an_error(tmp_path):
    ext = extensions.snapshot_object(_link(0), "model.npz", savefun=lambda path, t: None)
    with pytest.raises(FileNotFoundError, match="did not create"):
        ext(FakeTrainer(tmp_path))
    assert os.listdir(tmp_path) == []


def test_filename_without_npz_suffix_keeps_its_name(tmp_path):
    ext = extensions.snapshot_object(_link(0), "snapshot_iter_{.updater.iteration}")
    trainer = FakeTrainer(tmp_path)
    trainer.step()
    ext(trainer)
    assert os.listdir(tmp_path) == ["snapshot_iter_1"]


def test_callable_filename_and_condition(tmp_path):
    calls = []
    ext = extensions.snapshot_object(_link(0), lambda t: f"m{t.updater.iteration}",
                                     condition=lambda: calls.append(1) or len(calls) == 2)
    trainer = FakeTrainer(tmp_path)
    for _ in range(3):
        trainer.step()
        ext(trainer)
    assert os.listdir(tmp_path) == ["m2"]


def test_autoload_picks_the_newest(tmp_path):
    for i, seed in enumerate((3, 4)):
        trainer = FakeTrainer(tmp_path)
        trainer.updater.iteration = i
        extensions.snapshot_object(_link(seed), "s_{.updater.iteration}.npz")(trainer)
        t = time.time() - 10 + i
        os.utime(tmp_path / f"s_{i}.npz", (t, t))
    target = _link(9)
    ext = extensions.snapshot_object(target, "s_{.updater.iteration}.npz", autoload=True)
    ext.initialize(FakeTrainer(tmp_path))
    _same(target, _link(4))


def test_autoload_with_nothing_to_load(tmp_path):
    target = _link(9)
    ext = extensions.snapshot_object(target, "s_{.updater.iteration}.npz", autoload=True)
    ext.initialize(FakeTrainer(tmp_path / "not_yet_made"))
    _same(target, _link(9))


def test_snapshot_on_error(tmp_path):
    trainer = FakeTrainer(tmp_path)
    quiet = extensions.snapshot_object(_link(0), "quiet.npz")
    loud = extensions.snapshot_object(_link(0), "loud.npz", snapshot_on_error=True)
    for ext in (quiet, loud):
        ext.on_error(trainer, KeyboardInterrupt(), None)
    assert os.listdir(tmp_path) == ["loud.npz"]


def test_snapshot_defaults_and_arguments():
    ext = extensions.snapshot()
    assert ext.trigger == (1, "epoch") and ext.priority == -100
    assert ext.filename == "snapshot_iter_{.updater.iteration}"
    assert isinstance(ext.writer, snapshot_writers.SimpleWriter)
    with pytest.raises(TypeError, match="cannot be specified together"):
        extensions.snapshot(savefun=npz.save_npz, writer=snapshot_writers.SimpleWriter())
    with pytest.raises(TypeError, match="unexpected keyword"):
        extensions.snapshot(bogus=1)
    with pytest.warns(DeprecationWarning, match="n_retains"):
        assert extensions.snapshot(num_retain=3).n_retains == 3


def test_find_snapshot_files_by_prefix_and_suffix(tmp_path):
    for name in ("snap_1.npz", "snap_2.npz", "tmpsnap_3.npz", "snap_4.txt", "other"):
        (tmp_path / name).write_text("x")
    found = [n for _, n in _snapshot._find_snapshot_files("snap_{.x}.npz", str(tmp_path))]
    assert sorted(found) == ["snap_1.npz", "snap_2.npz"]
    assert list(_snapshot._find_stale_snapshots("snap_{}.npz", str(tmp_path), 5)) == []


@pytest.mark.parametrize("cls", [snapshot_writers.ProcessWriter,
                                 snapshot_writers.ProcessQueueWriter])
def test_process_writers_under_spawn(cls, tmp_path, monkeypatch):
    """The worker gets only picklable things (no Process or queue of the writer)."""
    import multiprocessing
    monkeypatch.setattr(snapshot_writers, "multiprocessing",
                        multiprocessing.get_context("spawn"))
    link = _link(5)
    trainer = FakeTrainer(tmp_path)
    ext = extensions.snapshot_object(link, "m_{.updater.iteration}.npz", writer=cls(),
                                     n_retains=1)
    ext.initialize(trainer)
    for _ in range(2):
        trainer.step()
        ext(trainer)
        time.sleep(0.02)
    ext.finalize()
    assert os.listdir(tmp_path) == ["m_2.npz"]
    loaded = _link(1)
    npz.load_npz(str(tmp_path / "m_2.npz"), loaded)
    _same(loaded, link)


def _failing_save(path, target):
    if "bad" in os.path.basename(path):
        raise OSError("disk full")
    npz.save_npz(path, target)


@pytest.mark.parametrize("cls", [snapshot_writers.ThreadWriter,
                                 snapshot_writers.ProcessWriter])
def test_background_failure_raised_at_the_next_snapshot(cls, tmp_path):
    writer = cls(savefun=_failing_save)
    target = npz.serialize(_link(0))
    writer("bad.npz", str(tmp_path), target)
    with pytest.raises(RuntimeError, match="'bad.npz' failed in the background"):
        writer("good.npz", str(tmp_path), target)
    writer("good.npz", str(tmp_path), target)         # the writer goes on
    writer.finalize()
    assert os.listdir(tmp_path) == ["good.npz"]


@pytest.mark.parametrize("cls", [snapshot_writers.ThreadQueueWriter,
                                 snapshot_writers.ProcessQueueWriter])
def test_queue_failure_raised_at_finalize_without_hanging(cls, tmp_path):
    writer = cls(savefun=_failing_save)
    target = npz.serialize(_link(0))
    writer("bad.npz", str(tmp_path), target)
    writer("good.npz", str(tmp_path), target)       # a failure does not stop the consumer
    with pytest.raises(RuntimeError, match="failed in the background"):
        writer.finalize()
    assert os.listdir(tmp_path) == ["good.npz"]
