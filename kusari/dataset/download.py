"""Where data sets are downloaded and cached, in Chainer's layout.

The root is, in order: what `set_dataset_root` set; `$KUSARI_DATASET_ROOT`;
Chainer's root (`$CHAINER_DATASET_ROOT`, else `~/.chainer/dataset`). So by
default kusari shares Chainer's cache, and a file Chainer downloaded is
found. When kusari's own root is set (by the environment variable) and a
file is not in it, the same relative path under Chainer's root is read
instead of downloading it again.

Under the root: `_dl_cache/<md5 of the URL>` holds downloaded files,
`pfnet/chainer/<name>/...` the converted data sets (`train.npz` ...).
Files are written to a temporary name and renamed into place under a file
lock, so concurrent processes never see a half-written file.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
import threading
import urllib.error
import urllib.request

_explicit_root: str | None = None


def _chainer_root() -> str:
    return os.environ.get(
        "CHAINER_DATASET_ROOT",
        os.path.join(os.path.expanduser("~"), ".chainer", "dataset"))


def get_dataset_root() -> str:
    """The directory data sets are downloaded to and cached in."""
    if _explicit_root is not None:
        return _explicit_root
    return os.environ.get("KUSARI_DATASET_ROOT") or _chainer_root()


def set_dataset_root(path) -> None:
    """Set the dataset root (it wins over the environment variables);
    `None` goes back to what the environment says."""
    global _explicit_root
    _explicit_root = None if path is None else os.fspath(path)


def get_dataset_directory(dataset_name: str, create_directory: bool = True) -> str:
    """`<root>/<dataset_name>` (slashes in the name are path separators),
    created unless `create_directory` is False."""
    path = os.path.join(get_dataset_root(), dataset_name)
    if create_directory:
        try:
            os.makedirs(path)
        except OSError:
            if not os.path.isdir(path):
                raise
    return path


def _fallback_path(path: str) -> str | None:
    """The same file under Chainer's root, when `path` is under a different
    (kusari) root set by `$KUSARI_DATASET_ROOT` and that file exists."""
    if _explicit_root is not None or not os.environ.get("KUSARI_DATASET_ROOT"):
        return None
    root = os.path.abspath(get_dataset_root())
    chainer_root = os.path.abspath(_chainer_root())
    if root == chainer_root:
        return None
    try:
        relative = os.path.relpath(os.path.abspath(path), root)
    except ValueError:          # another drive (Windows)
        return None
    if relative.startswith(os.pardir):
        return None
    candidate = os.path.join(chainer_root, relative)
    return candidate if os.path.exists(candidate) else None


# -- a lock between threads and processes ------------------------------------

_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


@contextlib.contextmanager
def _file_lock(lock_path: str):
    """Hold an exclusive lock on `lock_path` (created if missing) against
    other threads of this process and other processes."""
    with _thread_locks_guard:
        thread_lock = _thread_locks.setdefault(os.path.abspath(lock_path), threading.Lock())
    with thread_lock:
        with open(lock_path, "a+b") as f:
            _lock_file(f)
            try:
                yield
            finally:
                _unlock_file(f)


if os.name == "nt":     # pragma: no cover (Windows)
    import msvcrt

    def _lock_file(f):
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)

    def _unlock_file(f):
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock_file(f):
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)

    def _unlock_file(f):
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)


# -- downloading ---------------------------------------------------------------

class DownloadError(urllib.error.URLError):
    """A data set file could not be downloaded (no network, a dead link).
    Says where a copy fetched by other means can be put."""

    def __init__(self, url: str, cache_path: str, reason):
        super().__init__(reason)
        self.url = url
        self.cache_path = cache_path

    def __str__(self):
        return (f"cannot download {self.url}: {self.reason}. Without network "
                f"access, copy the file to {self.cache_path} (kusari and Chainer "
                "look there first)")


def _urlretrieve():
    # Chainer downloads through `six.moves.urllib.request`; code that patches
    # that name (Chainer's own tests do) still reaches this function
    six = sys.modules.get("six")
    if six is not None:
        try:
            return six.moves.urllib.request.urlretrieve
        except AttributeError:
            pass
    return urllib.request.urlretrieve


def cached_download(url: str) -> str:
    """Download `url` into the cache (`<root>/_dl_cache/<md5 of url>`) unless
    it is there already, and return the cached file's path. OSError when the
    cache directory cannot be made; DownloadError when the download fails."""
    cache_root = os.path.join(get_dataset_root(), "_dl_cache")
    try:
        os.makedirs(cache_root)
    except OSError:
        if not os.path.isdir(cache_root):
            raise
    lock_path = os.path.join(cache_root, "_dl_lock")
    name = hashlib.md5(url.encode("utf-8")).hexdigest()
    cache_path = os.path.join(cache_root, name)
    with _file_lock(lock_path):
        if os.path.exists(cache_path):
            return cache_path
    fallback = _fallback_path(cache_path)
    if fallback is not None:
        return fallback

    temp_root = tempfile.mkdtemp(dir=cache_root)
    try:
        temp_path = os.path.join(temp_root, "dl")
        sys.stderr.write(f"Downloading from {url}...\n")
        sys.stderr.flush()
        try:
            _urlretrieve()(url, temp_path)
        except (urllib.error.URLError, OSError) as e:
            if isinstance(e, DownloadError):
                raise
            raise DownloadError(url, cache_path, getattr(e, "reason", e)) from e
        with _file_lock(lock_path):
            if not os.path.exists(cache_path):
                os.replace(temp_path, cache_path)
    finally:
        shutil.rmtree(temp_root, ignore_errors=True)
    return cache_path


def cache_or_load_file(path: str, creator, loader):
    """`loader(path)` when `path` exists; otherwise `creator(temp_path)`
    writes the file (to a temporary path) and returns its content, and the
    file is moved to `path` (atomically, under a lock; when another process
    made it meanwhile, its file is kept). Returns what `creator` or `loader`
    returned. RuntimeError when the dataset root cannot be created."""
    if os.path.exists(path):
        return loader(path)
    fallback = _fallback_path(path)
    if fallback is not None:
        return loader(fallback)

    root = get_dataset_root()
    try:
        os.makedirs(root)
    except OSError:
        if not os.path.isdir(root):
            raise RuntimeError(f"cannot create dataset directory {root!r}")
    lock_path = os.path.join(root, "_create_lock")

    directory = os.path.dirname(os.path.abspath(path))
    temp_dir = tempfile.mkdtemp(dir=directory if os.path.isdir(directory) else None)
    try:
        temp_path = os.path.join(temp_dir, os.path.basename(path))
        content = creator(temp_path)
        with _file_lock(lock_path):
            if not os.path.exists(path):
                shutil.move(temp_path, path)
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)
    return content
