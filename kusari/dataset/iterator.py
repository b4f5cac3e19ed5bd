"""`Iterator`: the protocol every dataset iterator follows."""
from __future__ import annotations


class Iterator:
    """Base class of dataset iterators: each `next()` gives a minibatch (a
    list of examples).

    An iterator has `batch_size`, `epoch` (completed sweeps), `epoch_detail`
    (the epoch as a float: 2.5 is halfway through the third sweep),
    `previous_epoch_detail` (None before the first batch) and `is_new_epoch`,
    and saves and restores its position through `serialize`. `finalize()`
    releases what it holds (threads, processes); using it as a context
    manager or letting it be collected finalizes it too.
    """

    def __del__(self):
        self.finalize()

    def __iter__(self):
        return self

    def __next__(self):
        """The next batch; StopIteration at the end of a non-repeating one."""
        raise NotImplementedError(f"{type(self).__name__} must define __next__")

    def next(self):
        """The next batch (Chainer's name for `__next__`)."""
        return self.__next__()

    def finalize(self) -> None:
        """Release resources; may be called more than once."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.finalize()

    def serialize(self, serializer) -> None:
        """Save or restore the state that changes while iterating (not what
        the user set, such as the batch size)."""
