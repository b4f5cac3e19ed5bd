"""ndtr (Chainer's chainer.functions.math.ndtr); its NumPy form is
kusari's own (SciPy is not needed)."""
from __future__ import annotations

from ._unary import node_class, unary

ndtr = unary("ndtr", "Elementwise standard normal cumulative distribution function.")
Ndtr = node_class("Ndtr", "ndtr", "ndtr")
