"""Order samplers: what an iterator calls at each epoch's end for the order
of the next epoch."""
from __future__ import annotations

import numpy


class OrderSampler:
    """Base class: `sampler(current_order, current_position)` returns the next
    epoch's order, a 1-d array of indices as long as `current_order`."""

    def __call__(self, current_order, current_position):
        raise NotImplementedError(f"{type(self).__name__} must define __call__")


class ShuffleOrderSampler(OrderSampler):
    """A random permutation each epoch, drawn from `random_state` (a
    `numpy.random.RandomState`; NumPy's global one by default, so
    `numpy.random.seed(s)` makes the orders repeatable, and equal to
    Chainer's under the same seed)."""

    def __init__(self, random_state=None):
        if random_state is None:
            random_state = numpy.random.random.__self__   # the global RandomState
        self._random = random_state

    def __call__(self, current_order, current_position):
        return self._random.permutation(len(current_order))
