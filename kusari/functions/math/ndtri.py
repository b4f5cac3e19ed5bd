"""ndtri (Chainer's chainer.functions.math.ndtri); its NumPy form is
kusari's own (SciPy is not needed)."""
from __future__ import annotations

from ._unary import node_class, unary

ndtri = unary("ndtri", "Elementwise inverse of ndtr (the standard normal quantile function).")
Ndtri = node_class("Ndtri", "ndtri", "ndtri")
