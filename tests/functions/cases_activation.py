"""Special points of the activations added for Chainer's toolkit
(test_special_points.py walks them), with Chainer's rules at the kinks."""
from __future__ import annotations

import math

import numpy as np

import kusari.functions as F
from tests.functions import decimal_reference as R
from tests.functions.special_cases import (WEIGHTS, Case, ZEROS, _row_defined, _row_input,
                                           sigmoid, unary)

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _celu(alpha):
    def d1(x):
        return np.where(x > 0, 1, np.expm1(x * x.dtype.type(1 / alpha)) + 1)

    def d2(x):
        return np.where(x > 0, 0, (np.expm1(x * x.dtype.type(1 / alpha)) + 1) / alpha)
    return unary(lambda v: F.celu(v, alpha), d1, d2, wide=False)


def _selu_d1(x):
    return SELU_SCALE * np.where(x > 0, 1, SELU_ALPHA * (np.expm1(x) + 1))


def _selu_d2(x):
    return SELU_SCALE * np.where(x > 0, 0, SELU_ALPHA * (np.expm1(x) + 1))


def _phi(x):
    return np.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _crelu_case() -> Case:
    """relu(x) and relu(-x) side by side along axis 1: d1 = w1 [x > 0] - w2 [x < 0]."""
    def d1(xs, ws, vs):
        x, = xs
        w, = ws
        n = x.shape[1]
        return [(w[:, :n] * (x > 0) - w[:, n:] * (x < 0)).astype(x.dtype)]
    return Case(F.crelu, _row_input, d1, None, _row_defined, ws=WEIGHTS)


def _maxout_case() -> Case:
    """Pairs of a row's entries: every entry equal to its pair's maximum
    gets the pair's weight (Chainer's max)."""
    def d1(xs, ws, vs):
        x, = xs
        w, = ws
        pairs = x.reshape(x.shape[0], 2, 2)
        hit = pairs == pairs.max(axis=2, keepdims=True)
        return [np.where(hit, w[:, :, None], 0).reshape(x.shape).astype(x.dtype)]
    return Case(lambda v: F.maxout(v, 2), _row_input, d1, None, _row_defined, ws=WEIGHTS)


CASES = {
    "celu": _celu(0.5),
    # Chainer: 1 where 0 < x < z, else 0 (both ends excluded)
    "clipped_relu": unary(lambda v: F.clipped_relu(v, 2.0),
                          lambda x: ((x > 0) & (x < 2)).astype(x.dtype), ZEROS),
    "relu6": unary(F.relu6, lambda x: ((x > 0) & (x < 6)).astype(x.dtype), ZEROS),
    "crelu": _crelu_case(),
    "gelu": unary(F.gelu, lambda x: R.vec(R.ndtr, x) + x * _phi(x),
                  lambda x: _phi(x) * (2 - x * x)),
    # Chainer: 0.2 where -2.5 < x < 2.5, else 0
    "hard_sigmoid": unary(F.hard_sigmoid,
                          lambda x: np.where((x > -2.5) & (x < 2.5), 0.2, 0.0), ZEROS),
    "log_sigmoid": unary(F.log_sigmoid, lambda x: sigmoid(-x),
                         lambda x: -sigmoid(-x) * (1 - sigmoid(-x)), wide=False),
    "maxout": _maxout_case(),
    # Chainer: the slope where x < 0, 1 where x >= 0 (the kink included)
    "prelu": unary(lambda v: F.reshape(F.prelu(F.reshape(v, (-1, 1)),
                                               np.array([0.25], v.dtype)), v.shape),
                   lambda x: np.where(x >= 0, 1, 0.25), ZEROS),
    "rrelu": unary(lambda v: F.rrelu(v, r=np.full(v.shape, 0.25, v.dtype)),
                   lambda x: np.where(x >= 0, 1, 0.25), ZEROS),
    "selu": unary(F.selu, _selu_d1, _selu_d2, wide=False),
}

