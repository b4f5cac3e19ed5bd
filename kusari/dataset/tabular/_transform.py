"""`TabularDataset.transform` and `transform_batch`: views whose examples
are computed from the examples below them. The view's mode is what the
function returns (tuple, dict or one value), found by transforming the
first row when it is asked for before any data; a function that changes
what it returns is a ValueError."""
from __future__ import annotations

from .tabular_dataset import TabularDataset

_UNKNOWN = object()


class _TransformBase(TabularDataset):
    _what = "transform"

    def __init__(self, dataset, keys, function):
        if not isinstance(keys, tuple):
            keys = (keys,)
        self._dataset = dataset
        self._keys = keys
        self._function = function
        self._mode = _UNKNOWN

    def __len__(self):
        return len(self._dataset)

    @property
    def keys(self):
        return self._keys

    @property
    def mode(self):
        if self._mode is _UNKNOWN:
            if len(self._dataset) == 0:
                # nothing to call the function on: what the keys suggest
                return tuple if len(self._keys) != 1 else None
            self.get_examples([0], None)
        return self._mode

    def convert(self, data):
        return self._dataset.convert(data)

    def _call(self, values):
        """The function applied to one row (or all columns) of the dataset."""
        mode = self._dataset.mode
        if mode is dict:
            return self._function(**dict(zip(self._dataset.keys, values)))
        return self._function(*values)

    def _set_mode(self, out):
        mode = tuple if isinstance(out, tuple) else dict if isinstance(out, dict) else None
        if self._mode is not _UNKNOWN and self._mode is not mode:
            raise ValueError(f"{self._what} must not change its return type "
                             f"(it returned a {type(out).__name__} after "
                             f"{getattr(self._mode, '__name__', 'a single value')})")
        self._mode = mode
        if mode is tuple:
            return out
        if mode is dict:
            try:
                return tuple(out[key] for key in self._keys)
            except KeyError as e:
                raise KeyError(f"{self._what} returned a dict without the key "
                               f"{e.args[0]!r} (keys: {self._keys})") from None
        return (out,)


class _Transform(_TransformBase):
    def get_examples(self, indices, key_indices):
        if key_indices is None:
            key_indices = range(len(self._keys))
        columns = tuple([] for _ in key_indices)
        for row in zip(*self._dataset.get_examples(indices, None)):
            values = self._set_mode(self._call(row))
            for column, k in zip(columns, key_indices):
                column.append(values[k])
        return columns


class _TransformBatch(_TransformBase):
    _what = "transform_batch"

    def get_examples(self, indices, key_indices):
        if indices is None:
            n = len(self)
        elif isinstance(indices, slice):
            n = len(range(*indices.indices(len(self))))
        else:
            n = len(indices)
        if key_indices is None:
            key_indices = range(len(self._keys))
        out = self._set_mode(self._call(self._dataset.get_examples(indices, None)))
        if any(len(column) != n for column in out):
            raise ValueError("transform_batch must not change the length of data "
                             f"({n} rows in, {[len(c) for c in out]} out)")
        return tuple(out[k] for k in key_indices)
