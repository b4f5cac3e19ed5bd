"""PolynomialShift: ``value = init * (1 - t / max_count) ** rate``, stopped at `target`."""
from __future__ import annotations

import math

from ._shift import _ValueShift


class PolynomialShift(_ValueShift):
    """Decays an optimizer attribute polynomially to zero over `max_count` calls.

    Args:
        attr: the optimizer attribute to shift.
        rate: the exponent of the decay.
        max_count: the number of calls after which the decay factor is 0.
        init: the first value; the attribute's value at `initialize` if None.
        target: a floor (rate > 0) or ceiling (rate <= 0) for the value.
        optimizer: the optimizer; the updater's ``'main'`` if None.
    """

    def __init__(self, attr, rate, max_count, init=None, target=None, optimizer=None):
        super().__init__(attr, init, optimizer)
        self._rate = rate
        self._max_count = max_count
        self._target = target

    def _value_at(self, t):
        decay = max(1 - t / self._max_count, 0)
        if decay == 0 and self._rate < 0:
            # past max_count a negative rate diverges (Chainer raised ZeroDivisionError)
            value = math.copysign(math.inf, self._init)
        else:
            value = self._init * decay ** self._rate
        target = self._target
        if target is None:
            return value
        # The value may not pass the target: from above when it decays (rate > 0),
        # from below when it grows. As a ratio, so negative values work; a value
        # decayed to 0 is past any target (Chainer divided by it).
        if value == 0:
            return target if self._rate > 0 else value
        if self._rate > 0:
            return target if target / value > 1 else value
        return target if target / value < 1 else value
