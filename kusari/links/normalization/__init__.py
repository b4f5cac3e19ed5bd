"""Normalization links (Chainer's names; each in its Chainer-named module)."""
from .batch_normalization import BatchNormalization  # noqa: F401
from .batch_renormalization import BatchRenormalization  # noqa: F401
from .decorrelated_batch_normalization import DecorrelatedBatchNormalization  # noqa: F401
from .group_normalization import GroupNormalization  # noqa: F401
from .layer_normalization import LayerNormalization  # noqa: F401

__all__ = ["BatchNormalization", "BatchRenormalization", "DecorrelatedBatchNormalization",
           "GroupNormalization", "LayerNormalization"]
