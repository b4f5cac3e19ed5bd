"""Hyperbolic functions (Chainer's chainer.functions.math.hyperbolic)."""
from __future__ import annotations

from ._unary import node_class, unary

sinh = unary("sinh", "Elementwise hyperbolic sine.")
cosh = unary("cosh", "Elementwise hyperbolic cosine.")
Sinh = node_class("Sinh", "sinh", "sinh")
Cosh = node_class("Cosh", "cosh", "cosh")
