"""Model links (Chainer's names; each in its Chainer-named module)."""
from .classifier import Classifier  # noqa: F401

__all__ = ["Classifier"]
