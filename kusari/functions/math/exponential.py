"""exp and logarithms (Chainer's chainer.functions.math.exponential)."""
from __future__ import annotations

from ._unary import node_class, unary

exp = unary("exp", "Elementwise exponential.")
log = unary("log", "Elementwise natural logarithm.")
log2 = unary("log2", "Elementwise base-2 logarithm.")
log10 = unary("log10", "Elementwise base-10 logarithm.")

Exp = node_class("Exp", "exp", "exp")
Log = node_class("Log", "log", "log")
Log2 = node_class("Log2", "log2", "log2")
Log10 = node_class("Log10", "log10", "log10")
