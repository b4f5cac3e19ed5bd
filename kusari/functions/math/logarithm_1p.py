"""log1p (Chainer's chainer.functions.math.logarithm_1p)."""
from __future__ import annotations

from ._unary import node_class, unary

log1p = unary("log1p", "Elementwise log(1 + x), accurate near 0.")
Log1p = node_class("Log1p", "log1p", "log1p")
