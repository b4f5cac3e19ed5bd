"""floor (Chainer's chainer.functions.math.floor): no gradient flows."""
from __future__ import annotations

from ._unary import unary

floor = unary("floor", "Elementwise floor (no gradient flows back).")
