"""Chainer's `chainer.training.updater` module path."""
from ._updater import Updater  # noqa: F401
from .updaters.parallel_updater import ParallelUpdater  # noqa: F401
from .updaters.standard_updater import StandardUpdater  # noqa: F401
