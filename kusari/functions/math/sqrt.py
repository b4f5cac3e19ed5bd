"""sqrt and rsqrt (Chainer's chainer.functions.math.sqrt)."""
from __future__ import annotations

from ._unary import node_class, unary

sqrt = unary("sqrt", "Elementwise square root.")
rsqrt = unary("rsqrt", "Elementwise reciprocal square root, 1 / sqrt(x).")
Sqrt = node_class("Sqrt", "sqrt", "sqrt")
