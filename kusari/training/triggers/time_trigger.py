"""TimeTrigger: fires once each `period` seconds of training time."""
from __future__ import annotations


class TimeTrigger:
    """Fires at the first call after each multiple of `period` seconds of
    `trainer.elapsed_time` (which counts the time before a resume too)."""

    def __init__(self, period: float):
        self._period = period
        self._next_time = self._period

    def __call__(self, trainer) -> bool:
        if self._next_time < trainer.elapsed_time:
            self._next_time += self._period
            return True
        return False

    def serialize(self, serializer) -> None:
        self._next_time = serializer("next_time", self._next_time)
