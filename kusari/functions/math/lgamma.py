"""lgamma (Chainer's chainer.functions.math.lgamma); its NumPy form is
kusari's own (SciPy is not needed)."""
from __future__ import annotations

from ._unary import node_class, unary

lgamma = unary("lgamma", "Elementwise logarithm of the absolute value of the gamma function.")
Lgamma = node_class("Lgamma", "lgamma", "lgamma")
