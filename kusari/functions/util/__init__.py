"""Utility functions (Chainer's `chainer.functions.util`): forget."""
from __future__ import annotations

from .forget import forget

__all__ = ['forget']
