"""expm1 (Chainer's chainer.functions.math.exponential_m1)."""
from __future__ import annotations

from ._unary import node_class, unary

expm1 = unary("expm1", "Elementwise exp(x) - 1, accurate near 0.")
Expm1 = node_class("Expm1", "expm1", "expm1")
