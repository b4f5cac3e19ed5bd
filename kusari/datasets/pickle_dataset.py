"""`PickleDataset`: examples pickled one after another in a file, read
back at random positions (the file is scanned once for where each starts)."""
from __future__ import annotations

import io
import os
import pickle
import threading
import weakref

from ..dataset.dataset_mixin import DatasetMixin


class PickleDatasetWriter:
    """Appends examples to a binary file-like object (with `write` and
    `tell`) in the format `PickleDataset` reads. A context manager that
    closes the file."""

    def __init__(self, writer, protocol=pickle.HIGHEST_PROTOCOL):
        self._positions = []
        self._writer = writer
        self._protocol = protocol

    def close(self):
        self._writer.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()

    def write(self, x):
        """Append one example."""
        position = self._writer.tell()
        pickle.dump(x, self._writer, protocol=self._protocol)
        self._positions.append(position)

    def flush(self):
        if hasattr(self._writer, "flush"):
            self._writer.flush()


# datasets whose reader reopens its file in a forked child (a file
# description shared by two processes has one position: they would race)
_live = weakref.WeakSet()


def _after_fork_in_child():
    for dataset in list(_live):
        dataset._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class PickleDataset(DatasetMixin):
    """The examples pickled in `reader` (a seekable binary file-like object,
    e.g. from `open_pickle_dataset`). Reads are serialized by a lock, so
    threads may share the dataset; a forked worker process reopens the file
    (the reader's `after_fork()`), so processes may too."""

    def __init__(self, reader):
        if not reader.seekable():
            raise ValueError("reader must support random access")
        self._reader = reader
        self._positions = []
        reader.seek(0)
        while True:
            position = reader.tell()
            try:
                pickle.load(reader)
            except EOFError:
                break
            self._positions.append(position)
        self._lock = threading.RLock()
        _live.add(self)

    def _after_fork(self):
        self._lock = threading.RLock()
        after_fork = getattr(self._reader, "after_fork", None)
        if callable(after_fork):
            after_fork()

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.RLock()
        _live.add(self)

    def close(self):
        """Close the file; the dataset cannot be read afterwards."""
        with self._lock:
            self._reader.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()

    def __len__(self):
        return len(self._positions)

    def get_example(self, index):
        with self._lock:
            self._reader.seek(self._positions[index])
            return pickle.load(self._reader)


class _FileReader(io.RawIOBase):
    """A binary file that reopens itself after a fork (`after_fork`) and
    when unpickled, so each process has its own file position."""

    def __init__(self, path):
        super().__init__()
        self._path = path
        self._fp = None
        self._open()

    def _open(self):
        self._fp = open(self._path, "rb")

    def after_fork(self):
        """Reopen the file (in a child process)."""
        self.close()
        self._open()

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_fp"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._open()

    def flush(self):
        self._fp.flush()

    def close(self):
        self._fp.close()

    def fileno(self):
        return self._fp.fileno()

    def seekable(self):
        return self._fp.seekable()

    def seek(self, offset, whence=io.SEEK_SET):
        return self._fp.seek(offset, whence)

    def tell(self):
        return self._fp.tell()

    def readinto(self, b):
        return self._fp.readinto(b)


def open_pickle_dataset(path) -> PickleDataset:
    """Open the PickleDataset in the file `path` (close it with `close()` or
    a `with` block)."""
    return PickleDataset(_FileReader(path))


def open_pickle_dataset_writer(path, protocol=pickle.HIGHEST_PROTOCOL) -> PickleDatasetWriter:
    """A PickleDatasetWriter writing the file `path` (close it with `close()`
    or a `with` block)."""
    return PickleDatasetWriter(open(path, "wb"), protocol=protocol)
