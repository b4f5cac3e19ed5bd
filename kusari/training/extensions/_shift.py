"""The common shape of the hyperparameter-shift extensions.

A shift sets an optimizer attribute (``lr``, ``alpha``, ``momentum`` ...) to a
value that depends on how many times the extension has run (``_t``). It
keeps the last value it set and saves it with ``_t`` in snapshots: the
optimizer's attribute itself is not in a snapshot, so after a resume
`initialize` sets it again from the saved value.
"""
from __future__ import annotations

import numpy

from kusari.training import extension


class _ValueShift(extension.Extension):
    """Base class: subclasses give `_value_at(t)` and, optionally,
    `_initial_value()` (the value set before the first call)."""

    def __init__(self, attr: str, init=None, optimizer=None):
        self._attr = attr
        self._init = init
        self._optimizer = optimizer
        self._t = 0
        self._last_value = None

    def _get_optimizer(self, trainer):
        return self._optimizer or trainer.updater.get_optimizer("main")

    def _initial_value(self):
        return self._init

    def initialize(self, trainer) -> None:
        optimizer = self._get_optimizer(trainer)
        if self._init is None:
            self._init = getattr(optimizer, self._attr)
        if self._last_value is not None:        # resumed from a snapshot
            self._update_value(optimizer, self._last_value)
        else:
            self._update_value(optimizer, self._initial_value())

    def __call__(self, trainer) -> None:
        self._t += 1
        self._update_value(self._get_optimizer(trainer), self._value_at(self._t))

    def _value_at(self, t):
        raise NotImplementedError

    def serialize(self, serializer) -> None:
        self._t = serializer("_t", self._t)
        self._last_value = serializer("_last_value", self._last_value)
        if isinstance(self._last_value, numpy.ndarray):
            # A loaded snapshot gives a 0-d array (or a 0-d object array for None).
            self._last_value = self._last_value.item()

    def _update_value(self, optimizer, value) -> None:
        setattr(optimizer, self._attr, value)
        self._last_value = value


def clip_to_target(value, target, growing: bool):
    """`value` stopped at `target`: growing values may not pass above it,
    shrinking ones not below it. Written as a ratio against 1 so that
    negative values and targets work as they do in Chainer."""
    if target is None:
        return value
    if growing:
        return target if value / target > 1 else value
    return target if value / target < 1 else value
