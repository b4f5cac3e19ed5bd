"""square (Chainer's chainer.functions.math.square)."""
from __future__ import annotations

from ._unary import node_class, unary

square = unary("square", "Elementwise square.")
Square = node_class("Square", "square", "square")
