"""InverseShift: ``value = init * (1 + gamma * t) ** -power``, stopped at `target`."""
from __future__ import annotations

from ._shift import _ValueShift, clip_to_target


class InverseShift(_ValueShift):
    """Shifts an optimizer attribute by Caffe's "inv" policy.

    Args:
        attr: the optimizer attribute to shift.
        gamma: the parameter gamma (not negative).
        power: the exponent.
        init: the first value; the attribute's value at `initialize` if None.
        target: a bound the value stops at; None for no bound.
        optimizer: the optimizer; the updater's ``'main'`` if None.
    """

    def __init__(self, attr, gamma, power, init=None, target=None, optimizer=None):
        if gamma < 0:
            raise ValueError("InverseShift does not support negative gamma")
        super().__init__(attr, init, optimizer)
        self._gamma = gamma
        self._power = power
        self._target = target

    def _value_at(self, t):
        value = self._init * (1 + self._gamma * t) ** (-self._power)
        return clip_to_target(value, self._target, growing=self._power < 0)
