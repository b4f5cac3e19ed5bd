"""ManualScheduleTrigger: fires at given iterations or epochs."""
from __future__ import annotations

import warnings

from ._position import check_unit, previous_positions, remember, serialize_position


class ManualScheduleTrigger:
    """Fires when the training passes one of `points` (an iteration count or
    an epoch, fractions allowed in epochs) since the last call.

    Attributes:
        finished (bool): whether the trigger will never fire again (the
            trainer does not initialize an extension whose trigger has
            finished when a training resumes).
    """

    def __init__(self, points, unit: str):
        check_unit(unit)
        self.points = points if isinstance(points, list) else [points]
        self.unit = unit
        self.finished = False
        self._previous_iteration = 0
        self._previous_epoch_detail = 0.

    def __call__(self, trainer) -> bool:
        updater = trainer.updater
        previous_iteration, previous_epoch_detail = previous_positions(self, updater)
        if self.unit == "epoch":
            previous, now = previous_epoch_detail, updater.epoch_detail
        else:
            previous, now = previous_iteration, updater.iteration
        fire = any(previous < p <= now for p in self.points)
        last = max(self.points)
        if getattr(self, "_finished_is_tmp", False):
            # loaded from a snapshot that did not save `finished`
            del self._finished_is_tmp
            if now >= last:
                self.finished = True
        if fire and now >= last:
            self.finished = True
        remember(self, updater)
        return fire

    def serialize(self, serializer) -> None:
        serialize_position(self, serializer)
        try:
            self.finished = serializer("finished", self.finished)
        except KeyError:
            warnings.warn(
                "The flag of finished is not saved. "
                "ManualScheduleTrigger set the flag to `False` to force "
                "initialization and reset in next `__call__`.")
            self.finished = False
            self._finished_is_tmp = True
