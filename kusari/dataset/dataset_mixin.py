"""`DatasetMixin`: indexing by int, slice and integer lists for datasets
that only know how to produce one example (`get_example`)."""
from __future__ import annotations

import numpy


class DatasetMixin:
    """Gives a dataset Chainer's indexing from its `get_example(i)`.

    `ds[i]` is `get_example(i)`; `ds[a:b:c]` and `ds[[i, j, ...]]` (a list or
    a one-dimensional integer array) are lists of examples. A subclass
    defines `__len__` and `get_example`; it may override `__getitem__` where
    it can slice faster.
    """

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.get_example(i) for i in range(*index.indices(len(self)))]
        if isinstance(index, (list, numpy.ndarray)):
            return [self.get_example(i) for i in index]
        return self.get_example(index)

    def __len__(self) -> int:
        """The number of examples (a subclass defines it)."""
        raise NotImplementedError(
            f"{type(self).__name__} must define __len__ (DatasetMixin does not "
            "know how many examples it has)")

    def get_example(self, i):
        """The i-th example; IndexError when `i` is out of range (a subclass
        defines it)."""
        raise NotImplementedError(
            f"{type(self).__name__} must define get_example(i)")
