"""`DaliIterator`: batches from an NVIDIA DALI pipeline (experimental, as
in Chainer). kusari needs no DALI to import it; the pipeline object is the
user's (anything with `build()`, `epoch_size()`, `run()` and `batch_size`)."""
from __future__ import annotations

from ..dataset.iterator import Iterator
from ..utils import experimental


class DaliIterator(Iterator):
    """Each `next()` is `pipeline.run()`; the position advances by the
    pipeline's batch size over an epoch of `pipeline.epoch_size()` (read when
    the pipeline is built, at the first `next()`)."""

    def __init__(self, pipeline, repeat=True):
        experimental("DaliIterator")
        self.pipeline = pipeline
        self._repeat = repeat
        self._is_build = False
        self.epoch_size = 1             # until the pipeline is built
        self.reset()

    def __next__(self):
        if not self._is_build:
            self.pipeline.build()
            self._is_build = True
            self.epoch_size = tuple(self.pipeline.epoch_size().values())[0]
        if not self._repeat and self.epoch > 0:
            raise StopIteration
        self._previous_epoch_detail = self.epoch_detail
        end = self.current_position + self.batch_size
        if end >= self.epoch_size:
            self.current_position = end - self.epoch_size if self._repeat else 0
            self.epoch += 1
            self.is_new_epoch = True
        else:
            self.current_position = end
            self.is_new_epoch = False
        return self.pipeline.run()

    next = __next__

    @property
    def batch_size(self):
        return self.pipeline.batch_size

    @property
    def epoch_detail(self):
        return self.epoch + self.current_position / self.epoch_size

    @property
    def previous_epoch_detail(self):
        return None if self._previous_epoch_detail < 0 else self._previous_epoch_detail

    @property
    def repeat(self):
        return self._repeat

    def serialize(self, serializer):
        self.current_position = serializer("current_position", self.current_position)
        self.epoch = serializer("epoch", self.epoch)
        self.is_new_epoch = serializer("is_new_epoch", self.is_new_epoch)
        try:
            self._previous_epoch_detail = serializer("previous_epoch_detail",
                                                     self._previous_epoch_detail)
        except KeyError:
            previous = self.epoch + (self.current_position - self.batch_size) / self.epoch_size
            self._previous_epoch_detail = max(previous, 0.) if self.epoch_detail > 0 else -1.

    def reset(self):
        """Back to the start of the first epoch."""
        self.current_position = 0
        self.epoch = 0
        self.is_new_epoch = False
        self._previous_epoch_detail = -1.
