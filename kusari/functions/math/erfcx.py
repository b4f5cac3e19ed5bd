"""erfcx (Chainer's chainer.functions.math.erfcx); its NumPy form is
kusari's own (SciPy is not needed)."""
from __future__ import annotations

from ._unary import node_class, unary

erfcx = unary("erfcx", "Elementwise scaled complementary error function, exp(x^2) erfc(x).")
Erfcx = node_class("Erfcx", "erfcx", "erfcx")
