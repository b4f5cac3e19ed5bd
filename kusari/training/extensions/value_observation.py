"""observe_value and observe_lr: put a value into each epoch's observation."""
from __future__ import annotations

from kusari.training import extension


def observe_value(observation_key: str, target_func):
    """An extension that stores ``target_func(trainer)`` as
    ``trainer.observation[observation_key]`` (once an epoch by default;
    a writer, so it runs before LogReport reads the observation)."""

    @extension.make_extension(trigger=(1, "epoch"), priority=extension.PRIORITY_WRITER)
    def _observe_value(trainer):
        trainer.observation[observation_key] = target_func(trainer)

    return _observe_value


def observe_lr(optimizer_name: str = "main", observation_key: str = "lr"):
    """An extension that records the learning rate (``lr``) of an optimizer."""
    return observe_value(
        observation_key,
        lambda trainer: trainer.updater.get_optimizer(optimizer_name).lr)
