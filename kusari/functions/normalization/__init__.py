"""Normalization functions (Chainer's names, each in its Chainer-named module)."""
from __future__ import annotations

from .batch_normalization import batch_normalization, fixed_batch_normalization
from .batch_renormalization import batch_renormalization, fixed_batch_renormalization
from .decorrelated_batch_normalization import (decorrelated_batch_normalization,
                                               fixed_decorrelated_batch_normalization)
from .group_normalization import group_normalization
from .l2_normalization import normalize
from .layer_normalization import layer_normalization
from .local_response_normalization import local_response_normalization

__all__ = ['batch_normalization', 'batch_renormalization', 'decorrelated_batch_normalization',
           'fixed_batch_normalization', 'fixed_batch_renormalization',
           'fixed_decorrelated_batch_normalization', 'group_normalization', 'layer_normalization',
           'local_response_normalization', 'normalize']
