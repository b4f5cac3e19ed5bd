"""`kusari.training`: Chainer's training loop (`chainer.training`).

A `Trainer` drives an `Updater` (StandardUpdater: batch, forward, backward,
optimizer step per iteration) until its stop trigger fires, running its
extensions when their triggers fire; the triggers, updaters and extensions
live in their subpackages, as in Chainer 7.8.1.
"""
from . import extension, extensions, triggers, updater, updaters, util  # noqa: F401
from .extension import (PRIORITY_EDITOR, PRIORITY_READER, PRIORITY_WRITER,  # noqa: F401
                        Extension, make_extension)
from .trainer import Trainer  # noqa: F401
from .trigger import IntervalTrigger, get_trigger  # noqa: F401
from .updater import ParallelUpdater, StandardUpdater, Updater  # noqa: F401
