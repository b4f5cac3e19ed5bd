"""Trainer extensions: the `Extension` base class and `make_extension`.

An extension is any callable taking the trainer. Its attributes give the
defaults `Trainer.extend` uses when the caller gives none: `trigger` (when it
runs), `priority` (order among extensions fired at the same iteration; writers
before editors before readers) and `default_name`. `initialize` runs before the
training loop (and after a resume), `on_error` when the loop raises, and
`finalize` at the end in every case. This follows Chainer 7.8.1.
"""
from __future__ import annotations

from kusari.utils import argument

PRIORITY_WRITER = 300
PRIORITY_EDITOR = 200
PRIORITY_READER = 100


class Extension:
    """Base class of trainer extensions (see the module docstring).

    Attributes:
        trigger: default trigger, ``(1, 'iteration')``.
        priority: default priority, ``PRIORITY_READER``.
        name: the name under which the trainer registered it (set by
            `Trainer.extend`), ``None`` before that.
    """

    trigger = 1, "iteration"
    priority = PRIORITY_READER
    name = None

    @property
    def default_name(self) -> str:
        """The class name; subclasses may override it or hide it with an attribute."""
        return type(self).__name__

    def __call__(self, trainer):
        raise NotImplementedError(
            "Extension implementation must override __call__.")

    def __getattr__(self, name):
        # Only reached for attributes that do not exist.
        if name == "invoke_before_training":
            raise AttributeError(
                "invoke_before_training has been removed since Chainer "
                "v2.0.0. Use Extension.initialize instead.")
        raise AttributeError(
            f"{type(self).__name__} object has no attribute {name}")

    def finalize(self) -> None:
        """Called once at the end of the training loop (also after an error)."""

    def initialize(self, trainer) -> None:
        """Called before the training loop; after a resume it restores the
        part of the trainer's state the extension owns (e.g. a shifted
        learning rate, which snapshots do not hold)."""

    def on_error(self, trainer, exc, tb) -> None:
        """Called when the training loop raises, before `finalize`."""

    def serialize(self, serializer) -> None:
        """Saves or loads the extension's state; nothing by default."""


def make_extension(trigger=None, default_name=None, priority=None,
                   finalizer=None, initializer=None, on_error=None, **kwargs):
    """Decorator turning a function of the trainer into an extension.

    It only sets the attributes `Extension` has (trigger, default_name,
    priority, finalize, initialize, on_error) on the function; the defaults are
    `Extension`'s and the function's name.
    """
    if kwargs:
        argument.check_unexpected_kwargs(
            kwargs,
            invoke_before_training="invoke_before_training has been removed "
            "since Chainer v2.0.0. Use initializer= instead.")
        argument.assert_kwargs_empty(kwargs)
    if trigger is None:
        trigger = Extension.trigger
    if priority is None:
        priority = Extension.priority

    def decorator(ext):
        ext.trigger = trigger
        ext.default_name = default_name or ext.__name__
        ext.priority = priority
        ext.finalize = finalizer
        ext.initialize = initializer
        ext.on_error = on_error
        return ext

    return decorator
