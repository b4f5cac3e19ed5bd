"""Formatting arrays for error messages."""
from __future__ import annotations


def _format_array_props(arrays) -> str:
    """'shape:dtype' of each array (None as 'None'), comma separated."""
    assert isinstance(arrays, (list, tuple))
    return ", ".join("None" if a is None else f"{a.shape}:{a.dtype.name}"
                     for a in arrays)
