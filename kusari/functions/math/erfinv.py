"""erfinv (Chainer's chainer.functions.math.erfinv); its NumPy form is
kusari's own (SciPy is not needed)."""
from __future__ import annotations

from ._unary import node_class, unary

erfinv = unary("erfinv", "Elementwise inverse error function (+-inf at +-1, NaN outside [-1, 1]).")
Erfinv = node_class("Erfinv", "erfinv", "erfinv")
