"""`TabularDataset`: a dataset of rows with named columns, fetched a block
(rows x columns) at a time, with lazy views (slice, concat, join,
transform) that fetch only what is asked for."""
from __future__ import annotations

import numpy

from ... import backend
from ..dataset_mixin import DatasetMixin


class TabularDataset(DatasetMixin):
    """A dataset whose examples all have the same columns (`keys`).

    An example is a tuple `(a[i], b[i], ...)` when `mode` is `tuple`, a dict
    `{'a': a[i], ...}` when it is `dict`, and the value `a[i]` itself when
    `mode` is None (one column). A subclass defines `__len__`, `keys`,
    `mode` and `get_examples(indices, key_indices)`, which returns a tuple
    of columns (lists or arrays) for the rows `indices` (a list of ints, a
    slice, or None for all rows) and the columns `key_indices` (a tuple of
    ints, or None for all).

    Views: `ds.slice[rows, keys]`, `astuple()`, `asdict()`, `concat(...)`
    (more rows), `join(...)` (more columns), `transform(keys, f)`,
    `transform_batch(keys, f)`, `with_converter(f)`. `fetch()` reads every
    row column by column; `convert(data)` makes arrays of fetched columns.
    """

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    @property
    def keys(self) -> tuple:
        """The column names."""
        raise NotImplementedError(f"{type(self).__name__} must define keys")

    @property
    def mode(self):
        """`tuple`, `dict` or None: what an example is."""
        raise NotImplementedError(f"{type(self).__name__} must define mode")

    def get_examples(self, indices, key_indices):
        """A tuple of columns for rows `indices` and columns `key_indices`."""
        raise NotImplementedError(f"{type(self).__name__} must define get_examples")

    @property
    def slice(self):
        """`ds.slice[indices]` or `ds.slice[indices, keys]`: a view of some rows
        (a slice, a list of ints, or a list of bools as long as the dataset)
        and some columns (a key or index, or a tuple of them)."""
        from ._views import _SliceHelper
        return _SliceHelper(self)

    def fetch(self):
        """Every row, column by column: a tuple (mode tuple), a dict (mode
        dict) or the one column (mode None) of lists or arrays."""
        return _as_mode(self.mode, self.keys, self.get_examples(None, None))

    def convert(self, data):
        """Fetched columns made arrays (the default converter;
        `with_converter` replaces it)."""
        if isinstance(data, tuple):
            return tuple(_as_array(d) for d in data)
        if isinstance(data, dict):
            return {k: _as_array(v) for k, v in data.items()}
        return _as_array(data)

    def astuple(self):
        """This dataset as a view whose examples are tuples."""
        from ._views import _AsMode
        return _AsMode(self, tuple)

    def asdict(self):
        """This dataset as a view whose examples are dicts."""
        from ._views import _AsMode
        return _AsMode(self, dict)

    def concat(self, *datasets):
        """The rows of this dataset followed by those of `datasets` (which
        must have the same keys, in the same order)."""
        from ._concat import _Concat
        return _Concat(self, *datasets)

    def join(self, *datasets):
        """The columns of this dataset followed by those of `datasets` (which
        must have as many rows, and keys of their own)."""
        from ._join import _Join
        return _Join(self, *datasets)

    def transform(self, keys, transform):
        """A view whose examples are `transform(example)` (called with the
        example's values as positional arguments, or as keywords in dict
        mode); its columns are `keys`, its mode what `transform` returns."""
        from ._transform import _Transform
        return _Transform(self, keys, transform)

    def transform_batch(self, keys, transform_batch):
        """As `transform`, but `transform_batch` receives whole columns and
        returns whole columns of the same length."""
        from ._transform import _TransformBatch
        return _TransformBatch(self, keys, transform_batch)

    def with_converter(self, converter):
        """A view whose `convert(data)` is `converter(*data)` (tuple),
        `converter(**data)` (dict) or `converter(data)`."""
        from ._views import _WithConverter
        return _WithConverter(self, converter)

    def get_example(self, i):
        columns = self.get_examples([i], None)
        return _as_mode(self.mode, self.keys, tuple(column[0] for column in columns))

    def __iter__(self):
        return (self.get_example(i) for i in range(len(self)))


def _as_mode(mode, keys, values):
    if mode is tuple:
        return tuple(values)
    if mode is dict:
        return dict(zip(keys, values))
    return values[0]


def _as_array(data):
    if isinstance(data, backend.get_array_types()):
        return data
    if len(data) == 0:
        return numpy.asarray(data)
    device = backend.get_device_from_array(data[0])
    with backend.using_device(device):
        return device.xp.asarray(data)
