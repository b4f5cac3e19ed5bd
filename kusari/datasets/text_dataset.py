"""`TextDataset`: the lines of text files, read on demand."""
from __future__ import annotations

import io
import threading

from ..dataset.dataset_mixin import DatasetMixin


def _per_file(value, n, name):
    if value is None or isinstance(value, str):
        return [value] * n
    value = list(value)
    if len(value) != n:
        raise ValueError(
            f"length of each option must match with the number of text files "
            f"to read: {name} has {len(value)} entries for {n} files")
    return value


class TextDataset(DatasetMixin):
    """Example i is line i of the file `paths` (a str, newline included), or
    the tuple of lines i of each file when `paths` is a list (the files must
    have as many lines). `encoding`, `errors` and `newline` are `open`'s, one
    for all files or a list with one per file. `filter_func(*lines)` keeps the
    lines for which it is true.

    Where each line starts is found once, when the dataset is made; a line is
    read when it is asked for. Pickling keeps those positions (the files must
    not change afterwards).
    """

    def __init__(self, paths, encoding=None, errors=None, newline=None,
                 filter_func=None):
        if isinstance(paths, str):
            paths = [paths]
        elif not paths:
            raise ValueError("at least one text file must be specified")
        paths = list(paths)
        n = len(paths)
        self._paths = paths
        self._encoding = _per_file(encoding, n, "encoding")
        self._errors = _per_file(errors, n, "errors")
        self._newline = _per_file(newline, n, "newline")
        self._fps = None
        self._open()

        bounds = tuple([0] for _ in self._fps)
        kept = []
        count = 0
        while True:
            # readline(), not iteration: tell() is not allowed while iterating
            lines = [fp.readline() for fp in self._fps]
            if not all(lines):
                if any(lines):
                    raise ValueError("number of lines in files does not match")
                break
            for bound, fp in zip(bounds, self._fps):
                bound.append(fp.tell())
            if filter_func is None or filter_func(*lines):
                kept.append(count)
            count += 1
        self._bounds = bounds
        self._lines = kept
        self._lock = threading.Lock()

    def _open(self):
        self._fps = [io.open(path, mode="rt", encoding=encoding, errors=errors,
                             newline=newline)
                     for path, encoding, errors, newline in
                     zip(self._paths, self._encoding, self._errors, self._newline)]

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_fps"]
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._open()
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._lines)

    def __del__(self):
        if getattr(self, "_fps", None):
            try:
                self.close()
            except Exception:       # interpreter shutdown, files already gone
                pass

    def close(self):
        """Close the files (they also close when the dataset is collected)."""
        errors = []
        for fp in self._fps or ():
            try:
                fp.close()
            except Exception as e:      # close every file, then report
                errors.append(e)
        if errors:
            raise errors[0]

    def get_example(self, idx):
        if idx < 0 or idx >= len(self._lines):
            raise IndexError(f"TextDataset index {idx} out of range "
                             f"({len(self._lines)} lines)")
        line = self._lines[idx]
        with self._lock:
            for bound, fp in zip(self._bounds, self._fps):
                fp.seek(bound[line])
            lines = [fp.readline() for fp in self._fps]
        return lines[0] if len(lines) == 1 else tuple(lines)
