"""GradientNoise: add annealed Gaussian noise to the gradients (Neelakantan et al.)."""
from __future__ import annotations

import numpy

from ._apply import per_param


def exponential_decay_noise(xp, shape, dtype, hook, opt):
    """N(0, eta / (1 + t)**0.55) noise (t: the update rule's step count)."""
    std = numpy.sqrt(hook.eta / numpy.power(1 + opt.t, 0.55))
    return xp.random.normal(0, std, shape).astype(dtype)


class GradientNoise:
    """grad += noise_func(xp, shape, dtype, hook, rule): drawn eagerly from
    NumPy's generator, in the order Chainer draws (inside kusari.jit: at
    every call, in the same order)."""

    name = "GradientNoise"
    call_for_each_param = True
    timing = "pre"

    def __init__(self, eta, noise_func=exponential_decay_noise):
        self.eta = eta
        self.noise_func = noise_func

    def __call__(self, rule, param) -> None:
        def noise(p, ctx):
            g = p.grad
            shape, dtype = g.shape, g.dtype
            if ctx is None:
                xp = numpy if isinstance(g, numpy.ndarray) else _xp(g)
                return (self.noise_func(xp, shape, dtype, self, rule),)
            return (ctx.random(lambda: self.noise_func(numpy, shape, dtype, self, rule),
                               shape, dtype),)
        per_param(self, param, {}, lambda hp, p, g, n: g + n, arrays_of=noise)


def _xp(array):
    from ..backends import cuda
    return cuda.get_array_module(array)
