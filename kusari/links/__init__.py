"""kusari.links: layers that own parameters, laid out as Chainer's packages
(`kusari.links.connection.linear.Linear` is `kusari.links.Linear`)."""
from ..link import Chain, ChainList, Link  # noqa: F401
from .connection.linear import Linear  # noqa: F401
