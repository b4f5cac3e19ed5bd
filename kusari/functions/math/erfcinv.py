"""erfcinv (Chainer's chainer.functions.math.erfcinv); its NumPy form is
kusari's own (SciPy is not needed)."""
from __future__ import annotations

from ._unary import node_class, unary

erfcinv = unary("erfcinv", "Elementwise inverse complementary error function (+inf at 0, -inf at 2, NaN outside [0, 2]).")
Erfcinv = node_class("Erfcinv", "erfcinv", "erfcinv")
