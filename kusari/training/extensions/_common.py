"""Helpers the extensions share: triggers, atomic file replacement, matplotlib."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import warnings


def get_trigger(trigger):
    """A trigger object from a callable, ``(period, unit)`` or None, as
    `kusari.training.util.get_trigger` makes it."""
    if callable(trigger):
        return trigger
    from kusari.training import util
    return util.get_trigger(trigger)


@contextlib.contextmanager
def replacing(outdir: str, filename: str):
    """Yields a path in a fresh temporary directory under `outdir`; when the
    block ends without an error the file written there replaces
    ``outdir/filename`` in one rename, so a reader (or a crash) never sees a
    half-written file. The temporary directory is removed in every case.

    The path keeps `filename`'s own name, so a writer that appends a suffix
    when it is missing (``numpy.savez``) behaves as it would on the real path.
    """
    tmpdir = tempfile.mkdtemp(prefix="tmp" + os.path.basename(filename), dir=outdir)
    try:
        path = os.path.join(tmpdir, os.path.basename(filename))
        yield path
        if not os.path.exists(path):
            raise FileNotFoundError(f"the writer did not create {path!r} "
                                    f"(the snapshot {filename!r} would be missing)")
        final = os.path.join(outdir, filename)
        os.makedirs(os.path.dirname(final) or ".", exist_ok=True)  # 'plots/loss.png'
        os.replace(path, final)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


_MATPLOTLIB_MESSAGE = (
    "matplotlib is not installed on your environment, so nothing will be "
    "plotted at this time. Please install matplotlib to plot figures "
    "(it is an optional extra of kusari).\n\n  $ pip install matplotlib\n")
_matplotlib_available = None


def matplotlib_available(warn: bool = True) -> bool:
    """Whether matplotlib imports; warns (UserWarning) when it does not."""
    global _matplotlib_available
    if _matplotlib_available is None:
        try:
            import matplotlib  # noqa: F401
            _matplotlib_available = True
        except (ImportError, TypeError):
            _matplotlib_available = False
    if not _matplotlib_available and warn:
        warnings.warn(_MATPLOTLIB_MESSAGE, UserWarning, stacklevel=3)
    return _matplotlib_available


def observation_to_floats(stats: dict) -> dict:
    """Reported means as plain Python floats (copied off the device)."""
    out = {}
    for name, value in stats.items():
        out[name] = float(value.array if hasattr(value, "array") else value)
    return out
