"""`DictDataset`: equal-length datasets under names, examples as dicts."""
from __future__ import annotations


class DictDataset:
    """Example i is `{key: dataset[i], ...}` for `DictDataset(key=dataset,
    ...)`; `ds[a:b]` is a list of such dicts."""

    def __init__(self, **datasets):
        if not datasets:
            raise ValueError("no datasets are given")
        length = None
        for key, dataset in datasets.items():
            if length is None:
                length = len(dataset)
            elif len(dataset) != length:
                raise ValueError(f'dataset length conflicts at "{key}": '
                                 f"{len(dataset)} != {length}")
        self._datasets = datasets
        self._length = length

    def __getitem__(self, index):
        batches = {key: dataset[index] for key, dataset in self._datasets.items()}
        if isinstance(index, slice):
            n = len(next(iter(batches.values())))
            return [{key: batch[i] for key, batch in batches.items()} for i in range(n)]
        return batches

    def __len__(self):
        return self._length
