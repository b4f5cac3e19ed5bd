"""snapshot and snapshot_object: save the trainer (or any object) to files.

A snapshot's file name is a format string applied to the trainer
(``'snapshot_iter_{.updater.iteration}'``) or a function of the trainer.
With ``autoload=True`` the newest file in ``trainer.out`` matching the
format's fixed prefix and suffix is loaded when training starts, so a script
run again resumes where it stopped. ``n_retains=N`` keeps only the newest N
files. ``snapshot_on_error=True`` also saves when the training loop raises
(an interrupt included). Writers (`snapshot_writers`) write to a temporary
file and rename it, so a crash never leaves a broken snapshot behind.
"""
from __future__ import annotations

import os
import warnings

from kusari import configuration
from kusari.serializers import npz
from kusari.training import extension
from kusari.utils import argument

from . import snapshot_writers


def _find_snapshot_files(fmt: str, path: str) -> list:
    """``(mtime, name)`` of the files directly under `path` whose names start
    with the text of `fmt` before its first ``{`` and end with the text
    after its last ``}``; oldest first."""
    prefix = fmt.split("{")[0]
    suffix = fmt.split("}")[-1]
    found = []
    for name in os.listdir(path):
        if name.startswith(prefix) and name.endswith(suffix) \
                and len(name) >= len(prefix) + len(suffix):
            found.append((os.stat(os.path.join(path, name)).st_mtime, name))
    return sorted(found)


def _find_latest_snapshot(fmt: str, path: str):
    """The newest file name matching `fmt` under `path`, or None."""
    files = _find_snapshot_files(fmt, path)
    return files[-1][1] if files else None


def _find_stale_snapshots(fmt: str, path: str, n_retains: int, **kwargs):
    """The names of all but the newest `n_retains` matching files, oldest first."""
    if "num_retain" in kwargs:
        warnings.warn("Argument `num_retain` is deprecated. Please use `n_retains` instead",
                      DeprecationWarning)
        n_retains = kwargs["num_retain"]
    files = _find_snapshot_files(fmt, path)
    n_removes = len(files) - n_retains
    for _, name in files[:max(n_removes, 0)]:
        yield name


class _StaleSnapshotCleaner:
    """Removes all but the newest `n_retains` snapshots after each save (an
    object, not a closure, so a process writer can take it along)."""

    def __init__(self, fmt: str, outdir: str, n_retains: int):
        self.fmt = fmt
        self.outdir = outdir
        self.n_retains = n_retains

    def __call__(self) -> None:
        for name in _find_stale_snapshots(self.fmt, self.outdir, self.n_retains):
            try:
                os.remove(os.path.join(self.outdir, name))
            except FileNotFoundError:     # removed meanwhile by another cleaner
                pass


def _pop_num_retain(kwargs: dict) -> None:
    if "num_retain" in kwargs:
        warnings.warn("Argument `num_retain` is deprecated. Please use `n_retains` instead",
                      DeprecationWarning)
        kwargs["n_retains"] = kwargs.pop("num_retain")


def snapshot_object(target, filename, savefun=None, **kwargs):
    """An extension saving `target` (a link, an optimizer, ...) to
    `filename` (formatted with the trainer). The keywords are `snapshot`'s."""
    _pop_num_retain(kwargs)
    return snapshot(target=target, filename=filename, savefun=savefun, **kwargs)


def snapshot(savefun=None, filename="snapshot_iter_{.updater.iteration}", **kwargs):
    """An extension saving the trainer's state (once an epoch by default).

    Args:
        savefun: ``savefun(path, obj)`` (``save_npz``); not with `writer`.
        filename: a format string applied to the trainer, or a function of it.
        target: what to save; the trainer if None.
        condition: a function of nothing; no snapshot when it returns False.
        writer: a `snapshot_writers.Writer`; SimpleWriter(savefun) if None.
        snapshot_on_error: also save when the training loop raises.
        n_retains: keep only this many of the newest matching files (> 0).
        autoload: load the newest matching file at `initialize` (NPZ files).
    """
    _pop_num_retain(kwargs)
    target, condition, writer, snapshot_on_error, n_retains, autoload = \
        argument.parse_kwargs(kwargs, ("target", None), ("condition", None),
                              ("writer", None), ("snapshot_on_error", False),
                              ("n_retains", -1), ("autoload", False))
    if savefun is not None and writer is not None:
        raise TypeError("savefun and writer arguments cannot be specified together.")
    if writer is None:
        writer = snapshot_writers.SimpleWriter(savefun=npz.save_npz if savefun is None
                                               else savefun)
    return _Snapshot(target=target, condition=condition, writer=writer, filename=filename,
                     snapshot_on_error=snapshot_on_error, n_retains=n_retains,
                     autoload=autoload)


def _initialize_again_before(trainer, ext) -> None:
    """Run `initialize` again for the trainer's extensions that the trainer
    initialized before `ext` (a snapshot runs late, at priority -100).

    Their state has just been loaded, and `initialize` is where an extension
    restores what snapshots do not hold (a shift sets the optimizer's
    learning rate again from its loaded last value). Without this, the first
    iteration after an autoload ran with the initial learning rate, as it
    does in Chainer."""
    entries = getattr(trainer, "_extensions", None)
    if not isinstance(entries, dict):
        return
    ordered = sorted(entries.values(), key=lambda e: getattr(e, "priority", 0), reverse=True)
    for entry in ordered:
        extension = getattr(entry, "extension", None)
        if extension is ext:
            return
        initializer = getattr(extension, "initialize", None)
        if initializer and not getattr(entry.trigger, "finished", False):
            initializer(trainer)


def _always_true() -> bool:
    return True


class _Snapshot(extension.Extension):
    """The extension `snapshot` and `snapshot_object` return. It runs after
    every other extension of its iteration (priority -100)."""

    trigger = 1, "epoch"
    priority = -100

    def __init__(self, target=None, condition=None, writer=None,
                 filename="snapshot_iter_{.updater.iteration}",
                 snapshot_on_error=False, n_retains=-1, autoload=False, **kwargs):
        if "num_retain" in kwargs:
            warnings.warn("Argument `num_retain` is deprecated. "
                          "Please use `n_retains` instead", DeprecationWarning)
            n_retains = kwargs.pop("num_retain")
        argument.assert_kwargs_empty(kwargs)
        self._target = target
        self.filename = filename
        self.condition = _always_true if condition is None else condition
        self.writer = snapshot_writers.SimpleWriter() if writer is None else writer
        self._snapshot_on_error = snapshot_on_error
        self.n_retains = n_retains
        self.autoload = autoload

    def initialize(self, trainer) -> None:
        target = trainer if self._target is None else self._target
        outdir = trainer.out
        if self.autoload:
            name = _find_latest_snapshot(self.filename, outdir) \
                if isinstance(self.filename, str) and os.path.isdir(outdir) else None
            if name is None:
                if configuration.config.debug:
                    print(f"No snapshot file that matches {self.filename} was found")
            else:
                path = os.path.join(outdir, name)
                npz.load_npz(path, target)
                if configuration.config.debug:
                    print("Snapshot loaded from", path)
                if target is trainer:
                    _initialize_again_before(trainer, self)
        if (hasattr(self.writer, "_add_cleanup_hook") and self.n_retains > 0
                and isinstance(self.filename, str)):
            self.writer._add_cleanup_hook(
                _StaleSnapshotCleaner(self.filename, outdir, self.n_retains))

    def on_error(self, trainer, exc, tb) -> None:
        super().on_error(trainer, exc, tb)
        if self._snapshot_on_error:
            self._make_snapshot(trainer)

    def __call__(self, trainer) -> None:
        if self.condition():
            self._make_snapshot(trainer)

    def _make_snapshot(self, trainer) -> None:
        target = trainer if self._target is None else self._target
        serialized = npz.serialize(target)
        filename = self.filename
        filename = filename(trainer) if callable(filename) else filename.format(trainer)
        os.makedirs(trainer.out, exist_ok=True)
        self.writer(filename, trainer.out, serialized)

    def finalize(self) -> None:
        if hasattr(self.writer, "finalize"):
            self.writer.finalize()
