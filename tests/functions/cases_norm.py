"""Special points of the normalization functions: each normalizes the rows of
special_cases.rows (0, -0.0, +-inf, NaN, huge, tiny, subnormal entries),
one row at a time, and its first and second derivatives must equal the
hyper-dual derivatives of a NumPy reference (dual_numbers.py) wherever the
row's outputs are finite."""
from __future__ import annotations

import warnings

import numpy as np

import kusari.functions as F
from tests.functions import dual_numbers as D
from tests.functions.special_cases import _row_defined, pattern, rows


def _with_params(dt):
    x = rows(dt)
    n = x.shape[0]
    return [x, pattern((n,), dt, (1.5, 0.5, 2.0, 1.0)), pattern((n,), dt, (0.25, -1.0, 0.5))]


def _with_stats(dt):
    x, g, b = _with_params(dt)
    n = x.shape[0]
    return [x, g, b, pattern((n,), dt, (0.5, -1.0, 2.0)), pattern((n,), dt, (0.5, 1.5, 3.0))]


def _bn_ref(x, g, b, eps=2e-5):
    mean = x.mean(axis=1, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(axis=1, keepdims=True)
    return xc * (var + eps) ** -0.5 * g.reshape(-1, 1) + b.reshape(-1, 1)


def _fixed_ref(x, g, b, m, v, eps=2e-5):
    return (x - m.reshape(-1, 1)) * (v.reshape(-1, 1) + eps) ** -0.5 * g.reshape(-1, 1) + \
        b.reshape(-1, 1)


RMEAN, RVAR = 0.25, 0.5


def _renorm(x, g, b):
    """Rows as channels: x transposed, so the statistics are each row's."""
    n = x.shape[0]
    return F.batch_renormalization(F.transpose(x), g, b, 1.5, 0.5,
                                   running_mean=np.full(n, RMEAN, x.dtype),
                                   running_var=np.full(n, RVAR, x.dtype))


def _renorm_ref(x, g, b, eps=2e-5):
    """Rows as channels; r and d constants (Chainer's rule), from the values."""
    mean = x.mean(axis=1, keepdims=True)
    xc = x - mean
    std = ((xc * xc).mean(axis=1, keepdims=True) + eps) ** 0.5
    rstd = np.sqrt(RVAR + eps)
    with np.errstate(all="ignore"):
        r = np.clip(std.a / rstd, 1 / 1.5, 1.5)
        d = np.clip((mean.a - RMEAN) / rstd, -0.5, 0.5)
    y = (xc / std * r + d) * g.reshape(-1, 1) + b.reshape(-1, 1)
    return y.T


def _fixed_renorm(x, g, b, m, v):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return F.fixed_batch_renormalization(F.transpose(x), g, b, m, v)


def _layer_ref(x, g, b, eps=1e-5):
    mu = x.mean(axis=1, keepdims=True)
    xc = x - mu
    var = (xc * xc).mean(axis=1, keepdims=True)
    return xc * (1.0 / D.sqrt(var + eps)) * g.reshape(1, -1) + b.reshape(1, -1)


def _channel_params(dt):
    x = rows(dt)
    c = x.shape[1]
    return [x, pattern((c,), dt, (1.5, 0.5, 2.0, 1.0)), pattern((c,), dt, (0.25, -1.0, 0.5))]


def _normalize_ref(x, eps=1e-5):
    s = (x * x).sum(axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        zero = s.a == 0
    norm = D.where(zero, 0.0, D.sqrt(D.where(zero, 1.0, s)))
    return x / (norm + eps)


def _lrn_ref(x, n=3, k=2.0, alpha=0.5, beta=0.75):
    x2 = x * x
    c = x.shape[1]
    zeros = x2[:, :n // 2] * 0.0
    padded = D.concatenate([zeros, x2, zeros], 1)
    s = x2
    for j in range(1, n // 2 + 1):
        s = s + padded[:, n // 2 - j:n // 2 - j + c] + padded[:, n // 2 + j:n // 2 + j + c]
    return x * (s * alpha + k) ** -beta


def _params_defined(xs, ys):
    """Rows whose outputs are finite, for x; the parameters of those rows."""
    ok = np.isfinite(ys[0]).all(axis=1)
    masks = [np.broadcast_to(ok[:, None], xs[0].shape)]
    for x in xs[1:]:
        masks.append(ok if x.shape == ok.shape else np.broadcast_to(ok.all(), x.shape))
    return masks


def _huge_rows(xs):
    """Rows with an element whose square overflows: there the derivatives'
    intermediates overflow (as in Chainer's formulas) and may give NaN."""
    x = xs[0]
    with np.errstate(all="ignore"):
        big = (np.abs(x.astype(np.float64)) ** 2 > np.finfo(x.dtype).max / 16).any(axis=1)
    out = []
    for a in xs:
        if a.dtype.kind != "f":
            continue
        out.append(np.broadcast_to(big[:, None], a.shape) if a.shape == x.shape else
                   big if a.shape == big.shape else np.broadcast_to(big.any(), a.shape))
    return out


CASES = {
    "batch_normalization": D.reference_case(
        lambda x, g, b: F.batch_normalization(x, g, b, axis=1), _bn_ref, _with_params,
        _params_defined, overflow=_huge_rows),
    "fixed_batch_normalization": D.reference_case(
        lambda x, g, b, m, v: F.fixed_batch_normalization(x, g, b, m, v, axis=1), _fixed_ref,
        _with_stats, _params_defined, overflow=_huge_rows),
    "batch_renormalization": D.reference_case(
        _renorm, lambda x, g, b: _renorm_ref(x, g, b), _with_params,
        lambda xs, ys: _params_defined(xs, [ys[0].T]), overflow=_huge_rows),
    "fixed_batch_renormalization": D.reference_case(
        _fixed_renorm, lambda x, g, b, m, v: _fixed_ref(x, g, b, m, v).T, _with_stats,
        lambda xs, ys: _params_defined(xs, [ys[0].T]), overflow=_huge_rows),
    "layer_normalization": D.reference_case(F.layer_normalization, _layer_ref, _channel_params,
                                            _params_defined, overflow=_huge_rows),
    "group_normalization": D.reference_case(
        lambda x, g, b: F.group_normalization(x, 1, g, b),
        lambda x, g, b: _layer_ref(x, g, b), _channel_params, _params_defined,
        overflow=_huge_rows),
    "normalize": D.reference_case(F.normalize, _normalize_ref, lambda dt: [rows(dt)],
                                  _row_defined, overflow=_huge_rows),
    "local_response_normalization": D.reference_case(
        lambda x: F.local_response_normalization(x, 3, 2.0, 0.5, 0.75), _lrn_ref,
        lambda dt: [rows(dt)], _row_defined, overflow=_huge_rows),
}
