"""identity: the inputs themselves, as new Variables joined to the graph."""
from __future__ import annotations

from ._util import new_node


def identity(*xs):
    out = tuple(new_node(x) for x in xs)
    return out[0] if len(out) == 1 else out
