"""Graph passes: each a small function Graph -> Graph (in place, returned)."""
from .dce import dce  # noqa: F401


def optimize(g):
    """Run the pass pipeline on `g` in place; return it."""
    dce(g)
    return g
