"""`TupleDataset`: equal-length datasets zipped into one of tuples."""
from __future__ import annotations


class TupleDataset:
    """Example i is `(d0[i], d1[i], ...)` for the datasets given (lists,
    arrays, other datasets: anything with `__len__` and `__getitem__`).

    `ds[a:b]` is a list of tuples; `ds[i]` a tuple; an index list or array
    gives a tuple of what each dataset gives for it (arrays index fancily).
    """

    def __init__(self, *datasets):
        if not datasets:
            raise ValueError("no datasets are given")
        length = len(datasets[0])
        for i, dataset in enumerate(datasets):
            if len(dataset) != length:
                raise ValueError(
                    f"dataset of the index {i} has a wrong length: "
                    f"{len(dataset)} != {length}")
        self._datasets = datasets
        self._length = length

    def __getitem__(self, index):
        batches = [dataset[index] for dataset in self._datasets]
        if isinstance(index, slice):
            return list(zip(*batches))
        return tuple(batches)

    def __len__(self):
        return self._length
