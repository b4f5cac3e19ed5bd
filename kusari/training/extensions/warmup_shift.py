"""WarmupShift: the value moves linearly from `warmup_start` to `init` over
the first `warmup_iter` calls, then stays."""
from __future__ import annotations

from kusari.training import extension


class WarmupShift(extension.Extension):
    """Linear warm-up of an optimizer attribute.

    Args:
        attr: the optimizer attribute to shift.
        warmup_start: the value before the first call; the attribute's value
            at `initialize` if None.
        warmup_iter: the number of calls the warm-up lasts.
        init: the value reached at the end of the warm-up.
        optimizer: the optimizer; the updater's ``'main'`` if None.
    """

    def __init__(self, attr, warmup_start, warmup_iter, init, optimizer=None):
        self._attr = attr
        self._warmup_start = warmup_start
        self._warmup_iter = warmup_iter
        self._init = init
        self._optimizer = optimizer
        self._t = 0

    def _get_optimizer(self, trainer):
        return self._optimizer or trainer.updater.get_optimizer("main")

    def _value_at(self, t):
        return (t * self._init + (self._warmup_iter - t) * self._warmup_start) \
            / self._warmup_iter

    def initialize(self, trainer) -> None:
        optimizer = self._get_optimizer(trainer)
        if self._warmup_start is None:
            self._warmup_start = getattr(optimizer, self._attr)
        if self._t == 0:
            setattr(optimizer, self._attr, self._warmup_start)
        else:
            # Resumed from a snapshot: the value the last call set (Chainer
            # sets warmup_start again, which stays for good past the warm-up).
            setattr(optimizer, self._attr, self._value_at(min(self._t, self._warmup_iter)))

    def __call__(self, trainer) -> None:
        self._t += 1
        if self._t <= self._warmup_iter:
            setattr(self._get_optimizer(trainer), self._attr, self._value_at(self._t))

    def serialize(self, serializer) -> None:
        self._t = serializer("_t", self._t)
