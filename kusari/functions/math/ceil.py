"""ceil (Chainer's chainer.functions.math.ceil): no gradient flows."""
from __future__ import annotations

from ._unary import unary

ceil = unary("ceil", "Elementwise ceiling (no gradient flows back).")
