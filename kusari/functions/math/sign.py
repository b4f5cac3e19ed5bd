"""sign (Chainer's chainer.functions.math.sign): no gradient flows."""
from __future__ import annotations

from ._unary import unary

sign = unary("sign", "Elementwise sign: -1, 0 or 1 (no gradient flows back).")
