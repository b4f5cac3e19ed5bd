"""Connection links (Chainer's names; each in its Chainer-named module)."""
from .linear import Linear  # noqa: F401

__all__ = ["Linear"]
