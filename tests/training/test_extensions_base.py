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
