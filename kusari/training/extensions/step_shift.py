"""StepShift: ``value = init * gamma ** floor(t / step)``, stopped at `target`."""
from __future__ import annotations

import numpy

from ._shift import _ValueShift, clip_to_target


class StepShift(_ValueShift):
    """Multiplies an optimizer attribute by `gamma` every `step` calls.

    Args:
        attr: the optimizer attribute to shift.
        gamma: the factor per step.
        step: the number of calls per step.
        init: the first value; the attribute's value at `initialize` if None.
        target: a bound the value stops at; None for no bound.
        optimizer: the optimizer; the updater's ``'main'`` if None.
    """

    def __init__(self, attr, gamma, step, init=None, target=None, optimizer=None):
        super().__init__(attr, init, optimizer)
        self._gamma = gamma
        self._step = step
        self._target = target

    def _value_at(self, t):
        value = self._init * self._gamma ** numpy.floor(t / self._step)
        return clip_to_target(value, self._target, growing=self._gamma > 1)
