"""Where the training was when a schedule trigger was last called, saved in
snapshots so that a resumed trigger fires as the uninterrupted one would."""
from __future__ import annotations

import warnings


def check_unit(unit) -> None:
    if unit not in ("epoch", "iteration"):
        raise ValueError("Trigger unit must be either 'epoch' or 'iteration'.")


def serialize_position(trigger, serializer) -> None:
    """Saves or loads ``_previous_iteration`` and ``_previous_epoch_detail``.

    A snapshot from before these were saved lacks them: the trigger then
    marks them unknown (-1) and guesses them from the updater on its next
    call, as Chainer does, with Chainer's warnings.
    """
    name = type(trigger).__name__
    try:
        trigger._previous_iteration = serializer(
            "previous_iteration", trigger._previous_iteration)
    except KeyError:
        warnings.warn(
            "The previous value of iteration is not saved. "
            f"{name} guesses it using current iteration. "
            "If this trigger is not called at every iteration, "
            "it may not work correctly.")
        trigger._previous_iteration = -1
    try:
        trigger._previous_epoch_detail = serializer(
            "previous_epoch_detail", trigger._previous_epoch_detail)
    except KeyError:
        warnings.warn(
            "The previous value of epoch_detail is not saved. "
            f"{name} uses the value of trainer.updater.previous_epoch_detail. "
            "If this trigger is not called at every iteration, "
            "it may not work correctly.")
        trigger._previous_epoch_detail = -1.


def previous_positions(trigger, updater):
    """``(previous_iteration, previous_epoch_detail)`` as of the last call
    (guessed from the updater where unknown)."""
    previous_iteration = trigger._previous_iteration
    if previous_iteration < 0:
        previous_iteration = updater.iteration - 1
    previous_epoch_detail = trigger._previous_epoch_detail
    if previous_epoch_detail < 0:
        previous_epoch_detail = updater.previous_epoch_detail
    return previous_iteration, previous_epoch_detail


def remember(trigger, updater) -> None:
    trigger._previous_iteration = updater.iteration
    if hasattr(updater, "epoch_detail"):
        trigger._previous_epoch_detail = updater.epoch_detail
