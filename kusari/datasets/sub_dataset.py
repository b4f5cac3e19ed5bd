"""`SubDataset` and the splits made of it: train/validation splits, n-way
splits and cross-validation folds, in order or at random (a seed makes the
random ones repeatable: the permutation is NumPy's RandomState(seed)'s, as
in Chainer, so the same seed gives the same split as Chainer)."""
from __future__ import annotations

import warnings

import numpy

from ..dataset.dataset_mixin import DatasetMixin


class SubDataset(DatasetMixin):
    """Examples `start` .. `finish`-1 of `dataset`, or of its permutation
    `order` when given (example i is `dataset[order[start + i]]`). Negative
    indices count back from `finish`."""

    def __init__(self, dataset, start, finish, order=None):
        if start < 0 or finish > len(dataset):
            raise ValueError(
                f"subset overruns the base dataset: [{start}, {finish}) of "
                f"{len(dataset)} examples")
        if order is not None and len(order) != len(dataset):
            raise ValueError(
                "order option must have the same length as the base dataset: "
                f"len(order) = {len(order)} while len(dataset) = {len(dataset)}")
        self._dataset = dataset
        self._start = start
        self._finish = finish
        self._size = finish - start
        self._order = order

    def __len__(self):
        return self._size

    def get_example(self, i):
        if i >= 0:
            if i >= self._size:
                raise IndexError("dataset index out of range")
            index = self._start + i
        else:
            if i < -self._size:
                raise IndexError("dataset index out of range")
            index = self._finish + i
        if self._order is not None:
            index = self._order[index]
        return self._dataset[index]


def split_dataset(dataset, split_at, order=None):
    """Two SubDatasets: examples `[:split_at]` and `[split_at:]` (of the
    permutation `order`, when given)."""
    n = len(dataset)
    if not isinstance(split_at, (int, numpy.integer)) or isinstance(split_at, bool):
        raise TypeError(f"split_at must be int, got {type(split_at)} instead")
    if split_at < 0:
        raise ValueError(f"split_at must be non-negative, got {split_at}")
    if split_at > n:
        raise ValueError(f"split_at ({split_at}) exceeds the dataset size ({n})")
    return (SubDataset(dataset, 0, split_at, order),
            SubDataset(dataset, split_at, n, order))


def _permutation(n, seed):
    return numpy.random.RandomState(seed).permutation(n)


def split_dataset_random(dataset, first_size, seed=None):
    """Two SubDatasets of `first_size` and the rest of the examples, drawn at
    random without replacement (`seed` makes the split repeatable)."""
    return split_dataset(dataset, first_size, _permutation(len(dataset), seed))


def split_dataset_n(dataset, n, order=None):
    """`n` SubDatasets of `len(dataset) // n` examples each (the last
    `len(dataset) % n` examples are in none)."""
    size = len(dataset) // n
    return [SubDataset(dataset, size * i, size * (i + 1), order) for i in range(n)]


def split_dataset_n_random(dataset, n, seed=None):
    """`split_dataset_n` of a random permutation (`seed` makes it repeatable)."""
    return split_dataset_n(dataset, n, _permutation(len(dataset), seed))


def _n_folds_argument(n_folds, kwargs, function):
    if "n_fold" in kwargs:
        warnings.warn("Argument `n_fold` is deprecated. Please use `n_folds` instead",
                      DeprecationWarning)
        n_folds = kwargs.pop("n_fold")
    if kwargs:
        raise TypeError(f"{function}() got unexpected keyword arguments "
                        f"{sorted(kwargs)}")
    if n_folds is None:
        raise TypeError(f"{function}() needs n_folds")
    return n_folds


def get_cross_validation_datasets(dataset, n_folds=None, order=None, **kwargs):
    """`n_folds` (train, test) pairs of SubDatasets: the test sets are
    disjoint, cover the dataset and differ in size by at most one; each
    train set is the rest. As in Chainer, split k's test set is fold
    n_folds-1-k and its train set starts right after that fold."""
    n_folds = _n_folds_argument(n_folds, kwargs, "get_cross_validation_datasets")
    n = len(dataset)
    order = numpy.arange(n) if order is None else numpy.array(order)
    borders = [n * i // n_folds for i in range(n_folds + 1)]
    test_sizes = [borders[i + 1] - borders[i] for i in range(n_folds)]
    splits = []
    for test_size in reversed(test_sizes):
        splits.append(split_dataset(dataset, n - test_size, order))
        # rotate: the test fold just used moves to the front of the train part
        order = numpy.roll(order, test_size)
    return splits


def get_cross_validation_datasets_random(dataset, n_folds=None, seed=None, **kwargs):
    """`get_cross_validation_datasets` of a random permutation (`seed` makes
    it repeatable)."""
    n_folds = _n_folds_argument(n_folds, kwargs, "get_cross_validation_datasets_random")
    return get_cross_validation_datasets(dataset, n_folds,
                                         _permutation(len(dataset), seed))
