"""sinc (a kusari extension: NumPy's normalized sinc; Chainer 7 has none)."""
from __future__ import annotations

from ._unary import unary

sinc = unary("sinc", "Elementwise sin(pi x) / (pi x), 1 at 0 (NumPy's sinc).")
