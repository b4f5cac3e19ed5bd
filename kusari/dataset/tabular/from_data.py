"""`from_data`: a TabularDataset from lists, arrays and functions."""
from __future__ import annotations

from ... import backend
from .tabular_dataset import TabularDataset


def from_data(data, *, size=None):
    """A TabularDataset from columns:

    - a list or array: one column (mode None, a generated key);
    - `(key, column)`: one named column, where a column is a list, an array
      or a function of the row index (then `size` gives the length);
    - `((key, ...), function)`: several columns computed by one function
      returning a tuple or a dict;
    - a tuple of the above: their columns side by side (mode tuple);
    - a dict `{key: column, (key, ...): function}`: mode dict.

    `size` is needed when no column is a list or an array.
    """
    if isinstance(data, tuple):
        if len(data) == 2 and _is_key(data[0]):
            return _column(data[0], data[1], size)
        items = [item if isinstance(item, tuple) else (None, item) for item in data]
        size = _infer_size(size, (d for _, d in items))
        parts = [_column(key, d, size) for key, d in items]
        return parts[0].join(*parts[1:]).astuple()
    if isinstance(data, dict):
        size = _infer_size(size, data.values())
        parts = [_column(key, d, size) for key, d in data.items()]
        return parts[0].join(*parts[1:]).asdict()
    return _column(None, data, size)


def _is_key(key) -> bool:
    return isinstance(key, str) or (
        isinstance(key, tuple) and all(isinstance(k, str) for k in key))


def _infer_size(size, columns):
    if size is None:
        for d in columns:
            try:
                return len(d)
            except TypeError:
                pass
    return size


def _column(key, data, size):
    if isinstance(data, backend.get_array_types()):
        return _Array("_{}".format(id(data)) if key is None else key, data)
    if isinstance(data, list):
        return _List("_{}".format(id(data)) if key is None else key, data)
    if callable(data):
        if key is None:
            raise ValueError("key(s) must be specified for callable")
        if size is None:
            raise ValueError("size must be specified for callable")
        return _Index(size).transform(key, data)
    raise TypeError("from_data: a column must be a list, an array or a function "
                    f"of the index, not {type(data).__name__}")


class _Column(TabularDataset):
    """One column held as a list or an array."""

    def __init__(self, key, data):
        self._key = key
        self._data = data

    def __len__(self):
        return len(self._data)

    @property
    def keys(self):
        return (self._key,)

    @property
    def mode(self):
        return None

    def _rows(self, indices):
        return self._data if indices is None else self._data[indices]

    def get_examples(self, indices, key_indices):
        return (self._rows(indices),) * (1 if key_indices is None else len(key_indices))


class _Array(_Column):
    pass


class _List(_Column):
    def _rows(self, indices):
        if indices is None or isinstance(indices, slice):
            return super()._rows(indices)
        return [self._data[i] for i in indices]


class _Index(TabularDataset):
    """The row numbers 0 .. size-1 (what functions of the index receive)."""

    def __init__(self, size):
        self._len = size

    def __len__(self):
        return self._len

    @property
    def keys(self):
        return ("index",)

    @property
    def mode(self):
        return None

    def get_examples(self, indices, key_indices):
        if indices is None:
            indices = slice(None)
        if isinstance(indices, slice):
            indices = list(range(*indices.indices(self._len)))
        return (indices,) * (1 if key_indices is None else len(key_indices))
