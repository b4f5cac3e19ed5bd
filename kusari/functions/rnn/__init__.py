"""Rnn functions (Chainer's names and signatures)."""
from __future__ import annotations

__all__: list = []
