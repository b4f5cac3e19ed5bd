"""Activation links (Chainer's names; each in its Chainer-named module)."""
from .maxout import Maxout  # noqa: F401
from .prelu import PReLU  # noqa: F401
from .simplified_dropconnect import SimplifiedDropconnect  # noqa: F401
from .swish import Swish  # noqa: F401

__all__ = ["Maxout", "PReLU", "SimplifiedDropconnect", "Swish"]
