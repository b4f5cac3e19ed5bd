"""IntervalTrigger: fires every `period` iterations or epochs."""
from __future__ import annotations

from ._position import check_unit, serialize_position


class IntervalTrigger:
    """Fires when the iteration count (or `epoch_detail`) crosses a multiple
    of `period` since the last call, so it also fires correctly when it is
    not called at every iteration. Fractional periods are allowed in epochs.

    Args:
        period (int or float): the interval's length.
        unit (str): ``'iteration'`` or ``'epoch'``.
    """

    def __init__(self, period, unit: str):
        check_unit(unit)
        self.period = period
        self.unit = unit
        self._previous_iteration = 0
        self._previous_epoch_detail = 0.
        self.count = 0

    def __call__(self, trainer) -> bool:
        updater = trainer.updater
        period = self.period
        if self.unit == "epoch":
            epoch_detail = updater.epoch_detail
            previous = self._previous_epoch_detail
            if previous < 0:
                previous = updater.previous_epoch_detail
            self.count = epoch_detail // period
            fire = previous // period != epoch_detail // period
            self._previous_iteration = updater.iteration
            self._previous_epoch_detail = epoch_detail
            return fire
        iteration = updater.iteration
        previous = self._previous_iteration
        if previous < 0:
            previous = iteration - 1
        fire = previous // period != iteration // period
        self._previous_iteration = iteration
        if hasattr(updater, "epoch_detail"):
            self._previous_epoch_detail = updater.epoch_detail
        return fire

    def serialize(self, serializer) -> None:
        serialize_position(self, serializer)

    def get_training_length(self):
        """``(period, unit)``: how long a training this trigger stops."""
        return self.period, self.unit

    def __str__(self) -> str:
        return f"{type(self).__name__}({self.period}, '{self.unit}')"
