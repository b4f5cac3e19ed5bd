"""Views of a TabularDataset that change which rows and columns it has
(`slice`), what an example is (`astuple`/`asdict`) or how fetched data is
converted (`with_converter`). Views hold no data: `get_examples` on a view
is one `get_examples` on the dataset below it."""
from __future__ import annotations

import numbers

import numpy

from .tabular_dataset import TabularDataset


class _Delegating(TabularDataset):
    """A view with the rows, columns and converter of `self._dataset`."""

    def __init__(self, dataset):
        self._dataset = dataset

    def __len__(self):
        return len(self._dataset)

    @property
    def keys(self):
        return self._dataset.keys

    @property
    def mode(self):
        return self._dataset.mode

    def get_examples(self, indices, key_indices):
        return self._dataset.get_examples(indices, key_indices)

    def convert(self, data):
        return self._dataset.convert(data)


class _AsMode(_Delegating):
    def __init__(self, dataset, mode):
        super().__init__(dataset)
        self._mode = mode

    @property
    def mode(self):
        return self._mode


class _WithConverter(_Delegating):
    def __init__(self, dataset, converter):
        super().__init__(dataset)
        self._converter = converter

    def convert(self, data):
        if isinstance(data, tuple):
            return self._converter(*data)
        if isinstance(data, dict):
            return self._converter(**data)
        return self._converter(data)


class _SliceHelper:
    """What `dataset.slice` gives: index it with rows, or rows and keys."""

    def __init__(self, dataset):
        self._dataset = dataset

    def __getitem__(self, args):
        if isinstance(args, tuple):
            if len(args) != 2:
                raise IndexError(
                    "TabularDataset.slice takes [indices] or [indices, keys]; "
                    f"got {len(args)} entries")
            indices, keys = args
        else:
            indices, keys = args, None
        return _Slice(self._dataset, indices, keys)


class _Slice(_Delegating):
    """Rows `indices` (None, a slice or a list of valid non-negative ints)
    and columns `key_indices` (None or a tuple of ints) of a dataset."""

    def __init__(self, dataset, indices, keys):
        super().__init__(dataset)
        if keys is None:
            self._unary = None              # the dataset's mode
        elif isinstance(keys, tuple):
            self._unary = False
        else:
            self._unary = True              # one column, mode None
            keys = (keys,)
        self._indices = _normalize_indices(indices, len(dataset))
        self._key_indices = _normalize_keys(keys, dataset.keys)

    def __len__(self):
        if self._indices is None:
            return len(self._dataset)
        if isinstance(self._indices, slice):
            return len(range(*self._indices.indices(len(self._dataset))))
        return len(self._indices)

    @property
    def keys(self):
        keys = self._dataset.keys
        if self._key_indices is None:
            return keys
        return tuple(keys[k] for k in self._key_indices)

    @property
    def mode(self):
        if self._unary is None:
            return self._dataset.mode
        if self._unary:
            return None
        return self._dataset.mode or tuple

    def get_examples(self, indices, key_indices):
        indices = _compose_indices(self._indices, indices, len(self._dataset), len(self))
        if key_indices is not None and self._key_indices is not None:
            key_indices = tuple(self._key_indices[k] for k in key_indices)
        elif key_indices is None:
            key_indices = self._key_indices
        return self._dataset.get_examples(indices, key_indices)


def _normalize_indices(indices, length):
    """Rows as a slice, or a list of ints in [0, length): negative ints count
    from the end; a list of bools as long as the dataset selects rows."""
    if isinstance(indices, slice):
        return indices
    if isinstance(indices, numbers.Integral):
        raise TypeError(
            "TabularDataset.slice takes a slice or a list of indices or bools, "
            f"not a single index ({indices!r}); use dataset[i] for one example")
    if len(indices) == 0:
        return indices
    if all(isinstance(i, (bool, numpy.bool_)) for i in indices):
        if len(indices) != length:
            raise ValueError(
                f"The number of booleans ({len(indices)}) is different from the "
                f"length of dataset ({length})")
        return [i for i, selected in enumerate(indices) if selected]
    out = []
    for index in indices:
        i = int(index)
        if i < 0:
            i += length
        if not 0 <= i < length:
            raise IndexError(f"index {int(index)} is out of bounds for dataset "
                             f"with size {length}")
        out.append(i)
    return out


def _normalize_keys(keys, names):
    """Column positions for keys given as names or (negative) ints."""
    if keys is None:
        return None
    out = []
    for key in keys:
        if isinstance(key, numbers.Integral):
            k = int(key)
            if k < 0:
                k += len(names)
            if not 0 <= k < len(names):
                raise IndexError(f"index {int(key)} is out of bounds for keys "
                                 f"with size {len(names)}")
        else:
            try:
                k = names.index(key)
            except ValueError:
                raise KeyError(f"{key!r} does not exist (keys: {names})") from None
        out.append(k)
    return tuple(out)


def _compose_indices(outer, inner, len_outer, len_inner):
    """Rows of the base dataset that rows `inner` of a view with rows `outer`
    are. A slice of a slice stays a slice; anything with a list is a list."""
    if inner is None:
        return outer
    if outer is None:
        return inner
    if isinstance(outer, slice):
        base = range(*outer.indices(len_outer))
        if isinstance(inner, slice):
            return _range_as_slice(base[inner])
        return [base[i] for i in inner]
    if isinstance(inner, slice):
        return outer[inner]
    return [outer[i] for i in inner]


def _range_as_slice(r: range) -> slice:
    """A slice picking exactly the items of `r` (non-negative) from a
    sequence (a negative stop would count from the end)."""
    if len(r) == 0:
        return slice(0, 0, 1)
    stop = r.stop if r.stop >= 0 else None
    return slice(r.start, stop, r.step)
