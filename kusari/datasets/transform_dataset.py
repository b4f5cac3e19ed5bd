"""`TransformDataset`: a dataset whose examples pass through a function."""
from __future__ import annotations

from ..dataset.dataset_mixin import DatasetMixin


class TransformDataset(DatasetMixin):
    """Example i is `transform(dataset[i])`, computed when it is read (so a
    random augmentation differs each time). `transform` must not change its
    argument in place: that would change the dataset."""

    def __init__(self, dataset, transform):
        self._dataset = dataset
        self._transform = transform

    def __len__(self):
        return len(self._dataset)

    def get_example(self, i):
        return self._transform(self._dataset[i])
