"""erf (Chainer's chainer.functions.math.erf); its NumPy form is
kusari's own (SciPy is not needed)."""
from __future__ import annotations

from ._unary import node_class, unary

erf = unary("erf", "Elementwise error function, 2 / sqrt(pi) times the integral of exp(-t^2) from 0 to x.")
Erf = node_class("Erf", "erf", "erf")
