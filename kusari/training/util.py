"""`get_trigger`: a trigger object from what `Trainer.extend` and the
triggers accept (Chainer's `chainer.training.util`)."""
from __future__ import annotations


def get_trigger(trigger):
    """`trigger` itself when it is callable; a trigger that never fires for
    None; otherwise ``IntervalTrigger(*trigger)`` (e.g. ``(1, 'epoch')``)."""
    if callable(trigger):
        return trigger
    if trigger is None:
        return _never_fire_trigger
    from .triggers.interval_trigger import IntervalTrigger
    return IntervalTrigger(*trigger)


def _never_fire_trigger(trainer) -> bool:
    return False
