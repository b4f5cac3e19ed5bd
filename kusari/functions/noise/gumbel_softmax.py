"""gumbel_softmax: a differentiable sample of a categorical distribution."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, operand, sent, var
from ._random import draw


def gumbel_softmax(log_pi, tau: float = 0.1, axis: int = 1) -> Variable:
    """softmax((log_pi + g) / tau) along `axis`, g ~ Gumbel(0, 1) drawn by
    np.random.gumbel (a 0-d log_pi gives 1)."""
    log_pi = var(log_pi)
    if log_pi.ndim < 1:
        return var(sent(np.ones((), log_pi.dtype), log_pi))
    shape = log_pi.shape
    g = call("cast", draw(lambda xp: xp.random.gumbel(size=shape), shape, like=log_pi.array),
             dtype=log_pi.dtype)
    z = call("div", call("add", log_pi, g), operand(tau, log_pi))
    from ..activation import softmax
    return softmax(z, axis=axis)
