"""LinearShift: the value moves linearly from v1 to v2 between calls t1 and t2."""
from __future__ import annotations

from ._shift import _ValueShift


class LinearShift(_ValueShift):
    """Shifts an optimizer attribute linearly.

    Args:
        attr: the optimizer attribute to shift.
        value_range: ``(v1, v2)``: the value up to call t1 and from call t2.
        time_range: ``(t1, t2)``.
        optimizer: the optimizer; the updater's ``'main'`` if None.
    """

    def __init__(self, attr, value_range, time_range, optimizer=None):
        super().__init__(attr, None, optimizer)
        self._value_range = value_range
        self._time_range = time_range

    def initialize(self, trainer) -> None:
        # Unlike the other shifts, the attribute's own value is never read.
        optimizer = self._get_optimizer(trainer)
        value = self._last_value if self._last_value is not None \
            else self._value_at(self._t)
        self._update_value(optimizer, value)

    def _value_at(self, t):
        t1, t2 = self._time_range
        v1, v2 = self._value_range
        if t <= t1:
            return v1
        if t >= t2:
            return v2
        return v1 + (t - t1) / (t2 - t1) * (v2 - v1)
