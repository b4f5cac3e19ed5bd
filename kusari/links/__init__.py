"""kusari.links: layers that own parameters."""
from .linear import Linear  # noqa: F401
from ..link import Chain, ChainList, Link  # noqa: F401


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotImplementedError(f"kusari.links.{name} is not implemented yet")
