"""`TabularDataset.concat`: the rows of several datasets, one after another.

A request is split into one request per dataset that holds some of the
rows asked for (a slice stays a slice, a list a list); a dataset holding
none is not asked. When only one dataset answers, its columns are returned
as they are (arrays stay arrays); otherwise the pieces are joined as lists.
"""
from __future__ import annotations

from .tabular_dataset import TabularDataset


class _Concat(TabularDataset):
    def __init__(self, *datasets):
        for dataset in datasets[1:]:
            if dataset.keys != datasets[0].keys:
                raise ValueError(
                    "All datasets must have the same keys: "
                    f"{datasets[0].keys} != {dataset.keys}")
        self._datasets = datasets

    def __len__(self):
        return sum(len(dataset) for dataset in self._datasets)

    @property
    def keys(self):
        return self._datasets[0].keys

    @property
    def mode(self):
        return self._datasets[0].mode

    def convert(self, data):
        return self._datasets[0].convert(data)

    def get_examples(self, indices, key_indices):
        n_cols = len(self.keys) if key_indices is None else len(key_indices)
        if indices is None:
            parts = [d.get_examples(None, key_indices) for d in self._datasets]
            return _joined(parts, n_cols)
        if isinstance(indices, slice):
            return self._get_slice(indices, key_indices, n_cols)
        return self._get_list(indices, key_indices, n_cols)

    def _get_slice(self, indices, key_indices, n_cols):
        rows = range(*indices.indices(len(self)))
        parts = []
        offset = 0
        for dataset in self._datasets:
            n = len(dataset)
            # the rows of `rows` in [offset, offset + n): a contiguous run
            if rows.step > 0:
                first = _first_at_or_after(rows, offset)
                stop = min(rows.stop - offset, n)
            else:
                first = _first_at_or_after(rows, offset + n - 1)
                stop = max(rows.stop - offset, -1)
            if first is not None and 0 <= first - offset < n:
                start = first - offset
                if len(range(start, stop, rows.step)) > 0:
                    parts.append(dataset.get_examples(
                        slice(start, stop if stop >= 0 else None, rows.step),
                        key_indices))
            offset += n
        if rows.step < 0:
            parts.reverse()
        return _joined(parts, n_cols)

    def _get_list(self, indices, key_indices, n_cols):
        total = len(self)
        bounds = []
        offset = 0
        for dataset in self._datasets:
            bounds.append((offset, offset + len(dataset)))
            offset += len(dataset)
        per_dataset = [[] for _ in self._datasets]
        where = []                  # (dataset, position in its request)
        for index in indices:
            i = int(index)
            if i < 0:
                i += total
            for d, (lo, hi) in enumerate(bounds):
                if lo <= i < hi:
                    where.append((d, len(per_dataset[d])))
                    per_dataset[d].append(i - lo)
                    break
            else:
                raise IndexError(f"index {int(index)} is out of bounds for dataset "
                                 f"with size {total}")
        answers = {d: self._datasets[d].get_examples(sub, key_indices)
                   for d, sub in enumerate(per_dataset) if sub}
        if not answers:
            return tuple([] for _ in range(n_cols))
        if len(answers) == 1:
            return next(iter(answers.values()))
        return tuple([answers[d][col][p] for d, p in where] for col in range(n_cols))


def _first_at_or_after(rows: range, position: int):
    """The first item of `rows` at or beyond `position` in the direction
    `rows` walks (>= for a positive step, <= for a negative one)."""
    if len(rows) == 0:
        return None
    step = rows.step
    if step > 0:
        k = max(0, -(-(position - rows.start) // step))
    else:
        k = max(0, -(-(rows.start - position) // -step))
    return rows[k] if k < len(rows) else None


def _joined(parts, n_cols):
    if not parts:
        return tuple([] for _ in range(n_cols))
    if len(parts) == 1:
        return parts[0]
    return tuple([value for part in parts for value in part[col]] for col in range(n_cols))
