"""Updaters: StandardUpdater, ParallelUpdater, MultiprocessParallelUpdater."""
from .multiprocess_parallel_updater import MultiprocessParallelUpdater  # noqa: F401
from .parallel_updater import ParallelUpdater  # noqa: F401
from .standard_updater import StandardUpdater  # noqa: F401
