"""MultistepShift: the value is multiplied by `gamma` at each listed call count."""
from __future__ import annotations

from kusari.training import extension


class MultistepShift(extension.Extension):
    """Caffe's "multistep" policy: ``value = init * gamma ** k`` where k is
    how many of the `step_value` call counts have been reached.

    Args:
        attr: the optimizer attribute to shift.
        gamma: the factor per step.
        step_value: the increasing call counts at which a step is taken.
        init: the first value; the attribute's value at `initialize` if None.
        optimizer: the optimizer; the updater's ``'main'`` if None.
    """

    def __init__(self, attr, gamma, step_value, init, optimizer=None):
        self._attr = attr
        self._gamma = gamma
        self._step_value = step_value
        self._init = init
        self._optimizer = optimizer
        self._stepvalue_size = len(step_value)
        self._current_step = 0
        self._t = 0

    def _get_optimizer(self, trainer):
        return self._optimizer or trainer.updater.get_optimizer("main")

    def initialize(self, trainer) -> None:
        optimizer = self._get_optimizer(trainer)
        if self._init is None:
            self._init = getattr(optimizer, self._attr)
        # After a resume the steps already taken count (Chainer sets `init`
        # again, so the first iteration after a resume used the wrong value).
        setattr(optimizer, self._attr, self._init * pow(self._gamma, self._current_step)
                if self._current_step else self._init)

    def __call__(self, trainer) -> None:
        self._t += 1
        if (self._current_step < self._stepvalue_size
                and self._t >= self._step_value[self._current_step]):
            self._current_step += 1
        setattr(self._get_optimizer(trainer), self._attr,
                self._init * pow(self._gamma, self._current_step))

    def serialize(self, serializer) -> None:
        self._t = serializer("_t", self._t)
        self._current_step = serializer("_current_step", self._current_step)
