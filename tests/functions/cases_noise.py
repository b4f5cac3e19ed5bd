"""Special points for the noise functions, their randomness fixed (a seed
set inside the function, or eps and mask given): gaussian as a function of
mean and ln_var, zoneout linear in h and x, simplified_dropconnect bilinear
in x and W, gumbel_softmax a softmax of the shifted rows."""
from __future__ import annotations

import numpy as np

import kusari
import kusari.functions as F
from tests.functions.special_cases import (_matmul_case, _softmax_d1, _softmax_d2, binary,
                                           linear, rows, rowwise)


def _gaussian(m, v):
    return F.gaussian(m, v, eps=np.full(v.shape, 1.5, v.dtype))


def _zoneout(h, x):
    np.random.seed(0)
    with kusari.using_config("train", True):
        return F.zoneout(h, x, 0.5)


def _zoneout_ref(h, x):
    np.random.seed(0)
    return np.where(np.random.rand(*x.shape) >= 0.5, x, h)


def _two_rows(dt):
    x = rows(dt)
    return [x, x[::-1].copy()]


def _dropconnect(x, W):
    # ratio 0 with an all-true mask: x W^T, the function's bilinear core
    return F.simplified_dropconnect(x, W, None, 0.0, True, np.ones(W.shape, bool), False)


def _gumbel(v):
    np.random.seed(1)
    return F.gumbel_softmax(v, tau=1.0)


def _shifted(xs):
    """x + g with the Gumbel draw _gumbel makes (rounded in x's dtype, as there)."""
    x, = xs
    np.random.seed(1)
    g = np.random.gumbel(size=x.shape)
    return [x + g]


def _gumbel_d1(xs, ws, vs):
    return _softmax_d1(_shifted(xs), ws, vs)


def _gumbel_d2(xs, ws, vs):
    return _softmax_d2(_shifted(xs), ws, vs)


def _exp_half(b):
    return np.exp(b * 0.5)


CASES = {
    # y = m + exp(v / 2) * 1.5
    "gaussian": binary(_gaussian, lambda a, b: np.ones_like(a), lambda a, b: 0.75 * _exp_half(b),
                       lambda a, b: np.zeros_like(a), lambda a, b: np.zeros_like(a),
                       lambda a, b: 0.375 * _exp_half(b)),
    "zoneout": linear(_zoneout, _zoneout_ref, _two_rows),
    "simplified_dropconnect": _matmul_case(_dropconnect, ((3, 4), (2, 4)), transposed=True),
    "gumbel_softmax": rowwise(_gumbel, _gumbel_d1, _gumbel_d2),
}
