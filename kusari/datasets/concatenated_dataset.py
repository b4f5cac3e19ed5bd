"""`ConcatenatedDataset`: datasets one after another."""
from __future__ import annotations

from ..dataset.dataset_mixin import DatasetMixin


class ConcatenatedDataset(DatasetMixin):
    """The examples of each dataset in turn: with datasets of 10 and 20
    examples, examples 10..29 are the second's 0..19."""

    def __init__(self, *datasets):
        self._datasets = datasets

    def __len__(self):
        return sum(len(dataset) for dataset in self._datasets)

    def get_example(self, i):
        if i < 0:
            raise IndexError(f"ConcatenatedDataset index {i} is negative")
        j = i
        for dataset in self._datasets:
            n = len(dataset)
            if j < n:
                return dataset[j]
            j -= n
        raise IndexError(f"ConcatenatedDataset index {i} is out of range "
                         f"(length {len(self)})")
