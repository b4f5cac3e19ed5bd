"""Evaluation functions (Chainer's names, each in its Chainer-named module).
No gradient flows back through them."""
from __future__ import annotations

from .accuracy import accuracy
from .binary_accuracy import binary_accuracy
from .classification_summary import (classification_summary, f1_score, fbeta_score,
                                     precision, recall)
from .r2_score import r2_score

__all__ = ['accuracy', 'binary_accuracy', 'classification_summary', 'f1_score',
           'fbeta_score', 'precision', 'r2_score', 'recall']
