"""Special points of the loss functions: inputs with 0, -0.0, +-inf, NaN,
huge, tiny and subnormal entries; first and second derivatives against the
hyper-dual derivatives of NumPy references (dual_numbers.py) wherever the
outputs are finite. Losses that reduce over a whole array run per row (one
infinite element would hide every other), or unreduced (reduce="no")."""
from __future__ import annotations

import math

import numpy as np

import kusari.functions as F
from tests.functions import dual_numbers as D
from tests.functions.special_cases import (_elementwise_defined, _per_row, _row_defined, grid,
                                           pattern, rows)


def _row_labels(dt):
    x = rows(dt)
    return [x, np.resize(np.array([0, 3, 1, 2, 2], np.int32), x.shape[0])]


def _rows_and_shifted(dt, k=1):
    x = rows(dt)
    return [x, np.roll(pattern(x.shape, dt, (0.5, -1.0, 2.0, 0.25, 1.5)), k, axis=1)]


def _huge_rows(xs):
    """Rows with an element whose square overflows the dtype: there an
    intermediate of the derivatives (a product of two such elements)
    overflows, in Chainer's formulas as in kusari's; inf or NaN is accepted."""
    floats = [x for x in xs if x.dtype.kind == "f"]
    with np.errstate(all="ignore"):
        big = np.zeros(floats[0].shape[0], bool)
        for x in floats:
            big |= (np.abs(x.astype(np.float64)) ** 2 >
                    np.finfo(x.dtype).max / 16).reshape(x.shape[0], -1).any(axis=1)
    return [np.broadcast_to(big.reshape((-1,) + (1,) * (x.ndim - 1)), x.shape)
            for x in floats]


def _hinge_ref(x, t):
    sign = np.where(np.arange(x.shape[1]) == t[:, None], -1.0, 1.0).astype(x.a.dtype)
    return D.relu(x * sign + 1.0)


def _hinge_l2_ref(x, t):
    m = _hinge_ref(x, t)
    return m * m


def _contrastive_inputs(dt):
    x0, x1 = _rows_and_shifted(dt)
    return [x0, x1, np.resize(np.array([0, 1, 0], np.int32), x0.shape[0])]


def _contrastive_ref(x0, x1, y, margin=1.5):
    d = x0 - x1
    s = (d * d).sum(axis=1)
    with np.errstate(all="ignore"):
        zero = s.a == 0
    dist = D.where(zero, 0.0, D.sqrt(D.where(zero, 1.0, s)))
    short = D.relu(margin - dist)
    similar = y.astype(x0.a.dtype)
    return (s * similar + short * short * (1 - similar)) * 0.5


def _triplet_inputs(dt):
    a, p = _rows_and_shifted(dt)
    return [a, p, np.roll(pattern(a.shape, dt, (1.0, -0.5, 0.25, 2.0)), 2, axis=1)]


def _triplet_ref(a, p, n, margin=0.5):
    dp, dn = a - p, a - n
    return D.relu((dp * dp - dn * dn).sum(axis=1) + margin)


def _huber_ref(a, b, delta=1.0):
    d = a - b
    dd = delta * delta
    linear = D.maximum(D.absolute(d) * (2 * delta) - dd, dd)
    return D.minimum(d * d, linear) * 0.5


def _mae_ref(a, b):
    return D.absolute(a - b).mean(axis=1)


def _vae_three(dt):
    a, b = grid(dt)
    return [a, b, np.resize(np.array([0.5, -1.0, 2.0, 0.0], dt), a.shape)]


def _kl_ref(m, v):
    return (m * m + D.exp(v) - v - 1.0) * 0.5


def _nll_ref(x, m, v):
    d = x - m
    return (v + math.log(2 * math.pi)) * 0.5 + d * d * D.exp(-v) * 0.5


def _bernoulli_ref(x, y):
    return D.softplus(y) - x * y


def _matrix_rows(dt):
    """Each row of `rows` as a 2x2 batch (2 samples, 2 features)."""
    return [rows(dt)]


def _cross_cov(y, z=None):
    zs = pattern((2, 3), y.dtype, (0.5, -1.0, 2.0, 1.5, -0.5))
    return F.stack([F.cross_covariance(F.reshape(y[i], (2, 2)), zs, "no")
                    for i in range(y.shape[0])])


def _cross_cov_ref(y):
    zs = pattern((2, 3), y.a.dtype, (0.5, -1.0, 2.0, 1.5, -0.5))
    zc = zs - zs.mean(axis=0)
    out = []
    for i in range(y.shape[0]):
        yi = y[i].reshape(2, 2)
        yc = yi - yi.mean(axis=0, keepdims=True)
        out.append((yc.T @ zc * 0.5).reshape(1, 2, 3))
    return D.concatenate(out, 0)


def _decov(h):
    return F.stack([F.decov(F.reshape(h[i], (2, 2)), "no") for i in range(h.shape[0])])


def _decov_ref(h):
    off = 1 - np.eye(2, dtype=h.a.dtype)
    out = []
    for i in range(h.shape[0]):
        hi = h[i].reshape(2, 2)
        hc = hi - hi.mean(axis=0, keepdims=True)
        out.append((hc.T @ hc * off * 0.5).reshape(1, 2, 2))
    return D.concatenate(out, 0)


def _stacked_defined(xs, ys):
    ok = np.isfinite(ys[0]).reshape(ys[0].shape[0], -1).all(axis=1)
    return [np.broadcast_to(ok[:, None], xs[0].shape)]


def _elementwise_huge(xs):
    """Elements where a square of an operand overflows (see _huge_rows)."""
    floats = [x for x in xs if x.dtype.kind == "f"]
    with np.errstate(all="ignore"):
        big = np.zeros(floats[0].shape, bool)
        for x in floats:
            big |= np.abs(x.astype(np.float64)) ** 2 > np.finfo(x.dtype).max / 16
    return [big for _ in floats]


CASES = {
    "hinge": D.reference_case(lambda x, t: F.hinge(x, t, reduce="no"), _hinge_ref, _row_labels,
                              _elementwise_defined),
    "hinge_l2": D.reference_case(lambda x, t: F.hinge(x, t, "L2", reduce="no"), _hinge_l2_ref,
                                 _row_labels, _elementwise_defined, overflow=_huge_rows),
    "contrastive": D.reference_case(lambda a, b, y: F.contrastive(a, b, y, 1.5, reduce="no"),
                                    _contrastive_ref, _contrastive_inputs, _row_defined,
                                    overflow=_huge_rows),
    "triplet": D.reference_case(lambda a, p, n: F.triplet(a, p, n, 0.5, reduce="no"),
                                _triplet_ref, _triplet_inputs, _row_defined,
                                overflow=_huge_rows),
    "huber_loss": D.reference_case(lambda a, b: F.huber_loss(a, b, 1.0, reduce="no"),
                                   _huber_ref, grid, _elementwise_defined,
                                   overflow=_elementwise_huge, elementwise=True),
    "mean_absolute_error": D.reference_case(_per_row(F.mean_absolute_error), _mae_ref,
                                            _rows_and_shifted, _row_defined),
    "squared_difference": D.reference_case(F.squared_difference, lambda a, b: (a - b) * (a - b),
                                           grid, _elementwise_defined,
                                           overflow=_elementwise_huge, elementwise=True),
    "gaussian_kl_divergence": D.reference_case(
        lambda m, v: F.gaussian_kl_divergence(m, v, reduce="no"), _kl_ref, grid,
        _elementwise_defined, overflow=_elementwise_huge, elementwise=True),
    "gaussian_nll": D.reference_case(lambda x, m, v: F.gaussian_nll(x, m, v, reduce="no"),
                                     _nll_ref, _vae_three, _elementwise_defined,
                                     overflow=_elementwise_huge, elementwise=True),
    "bernoulli_nll": D.reference_case(lambda x, y: F.bernoulli_nll(x, y, reduce="no"),
                                      _bernoulli_ref, grid, _elementwise_defined,
                                      overflow=_elementwise_huge, elementwise=True),
    "cross_covariance": D.reference_case(_cross_cov, _cross_cov_ref, _matrix_rows,
                                         _stacked_defined, overflow=_huge_rows),
    "decov": D.reference_case(_decov, _decov_ref, _matrix_rows, _stacked_defined,
                              overflow=_huge_rows),
}
