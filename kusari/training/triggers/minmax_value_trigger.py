"""Triggers firing when a reported value reaches its best so far."""
from __future__ import annotations

from ... import reporter
from .. import util


class BestValueTrigger:
    """Fires at the end of each interval whose mean of ``observation[key]``
    is better than every earlier interval's (the first always is).

    Args:
        key (str): the observation's key.
        compare: ``compare(best, new)`` is True when `new` is better.
        trigger: the interval (a trigger or ``(period, unit)``).
    """

    def __init__(self, key: str, compare, trigger=(1, "epoch")):
        self._key = key
        self._best_value = None
        self._interval_trigger = util.get_trigger(trigger)
        self._init_summary()
        self._compare = compare

    def __call__(self, trainer) -> bool:
        observation = trainer.observation
        key = self._key
        if key in observation:
            self._summary.add({key: observation[key]})
        if not self._interval_trigger(trainer):
            return False
        value = float(self._summary.compute_mean()[key])  # off the device
        self._init_summary()
        if self._best_value is None or self._compare(self._best_value, value):
            self._best_value = value
            return True
        return False

    def _init_summary(self) -> None:
        self._summary = reporter.DictSummary()

    def serialize(self, serializer) -> None:
        self._interval_trigger.serialize(serializer["interval_trigger"])
        self._summary.serialize(serializer["summary"])
        self._best_value = serializer("best_value", self._best_value)


def _greater(best, new) -> bool:
    return new > best


def _less(best, new) -> bool:
    return new < best


class MaxValueTrigger(BestValueTrigger):
    """Fires when ``observation[key]``'s interval mean is the largest so far."""

    def __init__(self, key: str, trigger=(1, "epoch")):
        super().__init__(key, _greater, trigger)


class MinValueTrigger(BestValueTrigger):
    """Fires when ``observation[key]``'s interval mean is the smallest so far."""

    def __init__(self, key: str, trigger=(1, "epoch")):
        super().__init__(key, _less, trigger)
