"""Noise: dropout, gaussian, simplified_dropconnect, zoneout, gumbel_softmax.

Each draws from NumPy's global generator exactly as Chainer does (same
numbers under np.random.seed); inside `kusari.jit` the draws are inputs
made at every call, in eager order."""
from __future__ import annotations

__all__ = ['dropout', 'gaussian', 'gumbel_softmax', 'simplified_dropconnect', 'zoneout']

from .dropout import dropout
from .gaussian import gaussian
from .gumbel_softmax import gumbel_softmax
from .simplified_dropconnect import simplified_dropconnect
from .zoneout import zoneout
