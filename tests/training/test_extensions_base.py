"""kusari.training.extension: Extension's defaults and make_extension."""
import pytest

import kusari.training.extension as ext_mod
from kusari.training.extension import (
    PRIORITY_EDITOR, PRIORITY_READER, PRIORITY_WRITER, Extension, make_extension)


def test_priorities_order():
    assert (PRIORITY_WRITER, PRIORITY_EDITOR, PRIORITY_READER) == (300, 200, 100)


def test_extension_defaults():
    class MyExtension(Extension):
        pass

    ext = MyExtension()
    assert ext.trigger == (1, "iteration")
    assert ext.priority == PRIORITY_READER
    assert ext.name is None
    assert ext.default_name == "MyExtension"
    assert ext.initialize(None) is None
    assert ext.on_error(None, ValueError(), None) is None
    assert ext.finalize() is None
    assert ext.serialize(None) is None
    with pytest.raises(NotImplementedError, match="override __call__"):
        ext(None)


def test_removed_and_missing_attributes():
    ext = Extension()
    with pytest.raises(AttributeError, match="initialize instead"):
        ext.invoke_before_training
    with pytest.raises(AttributeError, match="Extension object has no attribute foo"):
        ext.foo
    assert not hasattr(ext, "bar")


def test_default_name_can_be_hidden_by_attribute():
    class Named(Extension):
        default_name = "custom"

    assert Named().default_name == "custom"


def test_make_extension_sets_attributes():
    def init(trainer):
        pass

    def fin():
        pass

    def err(trainer, exc, tb):
        pass

    @make_extension(trigger=(2, "epoch"), default_name="my_ext", priority=50,
                    initializer=init, finalizer=fin, on_error=err)
    def my_extension(trainer):
        return trainer

    assert my_extension.trigger == (2, "epoch")
    assert my_extension.default_name == "my_ext"
    assert my_extension.priority == 50
    assert my_extension.initialize is init
    assert my_extension.finalize is fin
    assert my_extension.on_error is err
    assert my_extension(7) == 7


def test_make_extension_defaults():
    @make_extension()
    def my_extension(trainer):
        pass

    assert my_extension.trigger == (1, "iteration")
    assert my_extension.default_name == "my_extension"
    assert my_extension.priority == PRIORITY_READER
    assert my_extension.initialize is None
    assert my_extension.finalize is None
    assert my_extension.on_error is None


def test_make_extension_bad_kwargs():
    with pytest.raises(ValueError, match="initializer="):
        make_extension(invoke_before_training=False)
    with pytest.raises(TypeError, match="foo"):
        make_extension(foo=1)


def test_module_exports():
    for name in ("Extension", "make_extension", "PRIORITY_WRITER",
                 "PRIORITY_EDITOR", "PRIORITY_READER"):
        assert hasattr(ext_mod, name)


# -- a stand-in trainer for extension unit tests (the Trainer has its own tests) --

class FakeUpdater:
    """Counts iterations as a StandardUpdater over `iter_per_epoch` batches."""

    def __init__(self, iter_per_epoch=10, optimizers=None):
        self.iter_per_epoch = iter_per_epoch
        self.iteration = 0
        self.optimizers = optimizers or {}

    @property
    def epoch(self):
        return self.iteration // self.iter_per_epoch

    @property
    def epoch_detail(self):
        return self.iteration / self.iter_per_epoch

    @property
    def is_new_epoch(self):
        return self.iteration > 0 and self.iteration % self.iter_per_epoch == 0

    def get_optimizer(self, name):
        return self.optimizers[name]

    def get_all_optimizers(self):
        return dict(self.optimizers)


class FakeTrainer:
    def __init__(self, out, iter_per_epoch=10, optimizers=None, stop_trigger=None):
        self.out = str(out)
        self.updater = FakeUpdater(iter_per_epoch, optimizers)
        self.observation = {}
        self.elapsed_time = 0.0
        self.stop_trigger = stop_trigger
        self.is_before_training = False

    def step(self, **observed):
        self.updater.iteration += 1
        self.elapsed_time += 0.5
        self.observation = dict(observed)


def every(n, unit="iteration"):
    """A callable trigger firing every n iterations (or epochs)."""
    def trigger(trainer):
        u = trainer.updater
        return u.iteration % n == 0 if unit == "iteration" else \
            (u.is_new_epoch and u.epoch % n == 0)
    return trigger


def test_fake_trainer_counts():
    t = FakeTrainer("/tmp", iter_per_epoch=3)
    for _ in range(4):
        t.step()
    assert (t.updater.iteration, t.updater.epoch) == (4, 1)
    assert t.updater.epoch_detail == 4 / 3
