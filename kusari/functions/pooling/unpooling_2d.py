"""2-dimensional unpooling (Chainer's F.unpooling_2d)."""
from __future__ import annotations

__all__ = ["unpooling_2d"]

from .._core import Variable
from .unpooling_nd import unpool


def unpooling_2d(x, ksize, stride=None, pad=0, outsize=None, cover_all: bool = True
                 ) -> Variable:
    """Each element of x (n, c, h, w) copied to its k_H x k_W window of the
    output (see unpooling_nd); outsize (h_O, w_O) defaults to the size
    pooling with these arguments maps back to x's."""
    return unpool("Unpooling2D", x, 2, ksize, stride, pad, outsize, cover_all)
