"""fix (Chainer's chainer.functions.math.fix): rounding toward zero."""
from __future__ import annotations

from ._unary import unary

fix = unary("fix", "Elementwise rounding toward zero (no gradient flows back).")
