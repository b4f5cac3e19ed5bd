"""selu (Chainer's chainer.functions.activation.selu)."""
from __future__ import annotations

from .._core import Variable
from .elu import elu

ALPHA = 1.6732632423543772848170429916717
SCALE = 1.0507009873554804934193349852946


def selu(x, alpha: float = ALPHA, scale: float = SCALE) -> Variable:
    """scale * elu(x, alpha), with the self-normalizing constants by default."""
    return elu(x, alpha) * scale
