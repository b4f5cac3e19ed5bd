"""arctanh (Chainer's chainer.functions.math.arctanh)."""
from __future__ import annotations

from ._unary import node_class, unary

arctanh = unary("arctanh", "Elementwise inverse hyperbolic tangent.")
Arctanh = node_class("Arctanh", "arctanh", "arctanh")
