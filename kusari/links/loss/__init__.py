"""Loss links (Chainer's names; each in its Chainer-named module)."""
from .black_out import BlackOut  # noqa: F401
from .crf1d import CRF1d  # noqa: F401
from .hierarchical_softmax import BinaryHierarchicalSoftmax  # noqa: F401
from .negative_sampling import NegativeSampling  # noqa: F401

__all__ = ["BinaryHierarchicalSoftmax", "BlackOut", "CRF1d", "NegativeSampling"]
