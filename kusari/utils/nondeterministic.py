"""Warn when code that may be non-deterministic runs."""
from __future__ import annotations

import warnings


def nondeterministic(f_name):
    """Warn if `config.warn_nondeterministic` is set."""
    from ..configuration import config
    if getattr(config, "warn_nondeterministic", False):
        warnings.warn("Potentially non-deterministic code is being executed while "
                      "config.warn_nondeterministic set. Source: " + f_name)
