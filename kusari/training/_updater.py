"""The Updater interface (Chainer's `chainer.training.Updater`)."""
from __future__ import annotations


class Updater:
    """What a Trainer drives: one `update()` per iteration (fetch a batch,
    forward, backward, update the parameters), with `iteration`, `epoch`,
    `epoch_detail`, `previous_epoch_detail` and `is_new_epoch` read by the
    triggers."""

    def connect_trainer(self, trainer) -> None:
        """Called at the end of `Trainer.__init__` (e.g. to register more
        observers to `trainer.reporter`); does nothing by default."""

    def finalize(self) -> None:
        """Called at the end of the training loop (finalizes the iterators)."""
        raise NotImplementedError(f"{type(self).__name__} does not define finalize()")

    def get_optimizer(self, name: str):
        """The optimizer registered under `name`."""
        raise NotImplementedError(f"{type(self).__name__} does not define get_optimizer()")

    def get_all_optimizers(self) -> dict:
        """name -> optimizer."""
        raise NotImplementedError(
            f"{type(self).__name__} does not define get_all_optimizers()")

    def update(self) -> None:
        """Runs one iteration."""
        raise NotImplementedError(f"{type(self).__name__} does not define update()")

    def serialize(self, serializer) -> None:
        """Saves or loads the updater's state."""
        raise NotImplementedError(f"{type(self).__name__} does not define serialize()")
