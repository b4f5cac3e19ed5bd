"""digamma (Chainer's chainer.functions.math.digamma); its NumPy form is
kusari's own (SciPy is not needed)."""
from __future__ import annotations

from ._unary import node_class, unary

digamma = unary("digamma", "Elementwise digamma function, the derivative of lgamma.")
Digamma = node_class("Digamma", "digamma", "digamma")
