"""ExponentialShift: ``value = init * rate ** t``, stopped at `target`."""
from __future__ import annotations

from ._shift import _ValueShift, clip_to_target


class ExponentialShift(_ValueShift):
    """Multiplies an optimizer attribute by `rate` at each call.

    Args:
        attr: the optimizer attribute to shift (e.g. ``'lr'``).
        rate: the factor per call (not negative).
        init: the first value; the attribute's value at `initialize` if None.
        target: a bound the value stops at (from above when rate < 1,
            from below when rate > 1); None for no bound.
        optimizer: the optimizer; the updater's ``'main'`` if None.
    """

    def __init__(self, attr, rate, init=None, target=None, optimizer=None):
        if rate < 0:
            raise ValueError("ExponentialShift does not support negative rate")
        super().__init__(attr, init, optimizer)
        self._rate = rate
        self._target = target

    def _value_at(self, t):
        value = self._init * (self._rate ** t)
        return clip_to_target(value, self._target, growing=self._rate > 1)
