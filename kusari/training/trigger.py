"""Chainer's `chainer.training.trigger` module path (kept for compatibility)."""
from .triggers.interval_trigger import IntervalTrigger  # noqa: F401
from .util import _never_fire_trigger, get_trigger  # noqa: F401
