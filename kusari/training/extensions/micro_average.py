"""MicroAverage: the ratio of two summed observations (e.g. accuracy over
all examples when batches have different sizes)."""
from __future__ import annotations

from kusari import reporter
from kusari.training import extension

from ._common import get_trigger


class MicroAverage(extension.Extension):
    """Sums ``observation[numerator_key]`` and ``observation[denominator_key]``
    over iterations and, when `trigger` fires, reports their ratio as
    `result_key` and starts again. An editor: it runs after the updater's
    reports and before readers such as LogReport.

    Args:
        numerator_key: the observation key summed as numerator.
        denominator_key: the observation key summed as denominator.
        result_key: the key the ratio is reported under.
        trigger: when the ratio is reported.
    """

    priority = extension.PRIORITY_EDITOR

    def __init__(self, numerator_key, denominator_key, result_key, trigger=(1, "epoch")):
        self._trigger = get_trigger(trigger)
        self._numerator_key = numerator_key
        self._denominator_key = denominator_key
        self._result_key = result_key
        self._numerator = 0
        self._denominator = 0

    def __call__(self, trainer) -> None:
        observation = trainer.observation
        if not (self._numerator_key in observation
                and self._denominator_key in observation):
            return
        # reported Variables count by their values (Chainer's float() refused them)
        self._numerator += _value(observation[self._numerator_key])
        self._denominator += _value(observation[self._denominator_key])
        if self._trigger(trainer):
            result = float(self._numerator) / self._denominator
            self._numerator = 0
            self._denominator = 0
            reporter.report({self._result_key: result})

    def serialize(self, serializer) -> None:
        self._numerator = serializer("_numerator", self._numerator)
        self._denominator = serializer("_denominator", self._denominator)


def _value(x):
    return getattr(x, "array", x)
