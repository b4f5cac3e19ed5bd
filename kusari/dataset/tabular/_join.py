"""`TabularDataset.join`: the columns of several datasets of one length,
side by side. A request for some columns asks each dataset only for its own
(each once), and none of the datasets holding none of them."""
from __future__ import annotations

from .tabular_dataset import TabularDataset


class _Join(TabularDataset):
    def __init__(self, *datasets):
        seen = set(datasets[0].keys)
        for dataset in datasets[1:]:
            if len(dataset) != len(datasets[0]):
                raise ValueError(
                    "All datasets must have the same length: "
                    f"{len(datasets[0])} != {len(dataset)}")
            common = seen.intersection(dataset.keys)
            if common:
                raise ValueError("All keys must be unique among all datasets; "
                                 f"{sorted(common, key=str)} repeat")
            seen.update(dataset.keys)
        self._datasets = datasets

    def __len__(self):
        return len(self._datasets[0])

    @property
    def keys(self):
        return tuple(key for dataset in self._datasets for key in dataset.keys)

    @property
    def mode(self):
        for dataset in self._datasets:
            if dataset.mode:
                return dataset.mode
        return tuple

    def convert(self, data):
        return self._datasets[0].convert(data)

    def get_examples(self, indices, key_indices):
        if key_indices is None:
            return tuple(column for dataset in self._datasets
                         for column in dataset.get_examples(indices, None))
        n_keys = len(self.keys)
        wanted = [k + n_keys if k < 0 else k for k in key_indices]
        columns = {}
        offset = 0
        for dataset in self._datasets:
            width = len(dataset.keys)
            own = []
            for k in wanted:
                if offset <= k < offset + width and k - offset not in own:
                    own.append(k - offset)
            if own:
                got = dataset.get_examples(indices, tuple(own))
                for k, column in zip(own, got):
                    columns[offset + k] = column
            offset += width
        try:
            return tuple(columns[k] for k in wanted)
        except KeyError as e:
            raise IndexError(f"key index {e.args[0]} is out of bounds for keys "
                             f"with size {n_keys}") from None
