"""erfc (Chainer's chainer.functions.math.erfc); its NumPy form is
kusari's own (SciPy is not needed)."""
from __future__ import annotations

from ._unary import node_class, unary

erfc = unary("erfc", "Elementwise complementary error function, 1 - erf(x), accurate where erf(x) is near 1.")
Erfc = node_class("Erfc", "erfc", "erfc")
