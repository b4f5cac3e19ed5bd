"""Special points of the normalization functions: each normalizes the rows of
special_cases.rows (0, -0.0, +-inf, NaN, huge, tiny, subnormal entries),
one row at a time, and its first and second derivatives must equal the
hyper-dual derivatives of a NumPy reference (dual_numbers.py) wherever the
row's outputs are finite."""
from __future__ import annotations

import warnings

import numpy as np

import kusari
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


# -- the symmetric eigendecomposition and the whitening made of it --------------------------
# Each row (a, b, _, c) of `rows` is the 2x2 matrix [[a, b], [b, c]], whose
# eigendecomposition has a closed form: eigenvalues m -+ r, m = (a + c) / 2,
# r = sqrt(((a - c) / 2)^2 + b^2), and for any f, V diag(f(w)) V^T =
# f(w0) I + (f(w1) - f(w0)) / (w1 - w0) (A - w0 I).

WEIGHTS2 = (0.5, 2.0)


def _sym2(x):
    from kusari.functions._core import call
    n = x.shape[0]
    a = F.reshape(F.get_item(x, (slice(None), np.array([0, 1, 1, 3]))), (n, 2, 2))
    return call, a


def _eig2(x):
    a, b, c = x[:, 0], x[:, 1], x[:, 3]
    m = (a + c) * 0.5
    h = (a - c) * 0.5
    r = D.sqrt(h * h + b * b)
    return a, b, c, m - r, m + r


def _stack2(p00, p01, p10, p11):
    n = p00.shape[0]
    return D.concatenate([p.reshape(n, 1) for p in (p00, p01, p10, p11)], 1).reshape(n, 2, 2)


def _matrix_function2(x, f0, f1, df=None):
    """V diag(f(w)) V^T of each row's matrix, given f(w0) and f(w1) (and f'
    for equal eigenvalues, where the divided difference is f'(w0))."""
    a, b, c, w0, w1 = _eig2(x)
    fw0, fw1 = f0(w0), f1(w1)
    with np.errstate(all="ignore"):
        equal = (w1.a - w0.a) == 0
    k = (fw1 - fw0) / D.where(equal, 1.0, w1 - w0)
    if df is not None:
        k = D.where(equal, df(w0), k)
    return _stack2(fw0 + k * (a - w0), k * b, k * b, fw0 + k * (c - w0))


def _eigh_values(x):
    call, a = _sym2(x)
    return call("eigh_values", a)


def _eigh_values_ref(x):
    _, _, _, w0, w1 = _eig2(x)
    n = x.shape[0]
    return D.concatenate([w0.reshape(n, 1), w1.reshape(n, 1)], 1)


def _eigh_projection(x):
    call, a = _sym2(x)
    v = call("eigh_vectors", a)
    weights = kusari.backend.get_array_module(v).asarray(np.array(WEIGHTS2, x.dtype))
    return F.matmul(v * weights, F.swapaxes(v, 1, 2))       # (weights where v is)


def _eigh_projection_ref(x):
    return _matrix_function2(x, lambda w: w * 0 + WEIGHTS2[0], lambda w: w * 0 + WEIGHTS2[1])


def _distinct_eigenvalues(xs, ys):
    """Rows whose outputs are finite and whose eigenvalues differ (at equal
    ones the eigenvectors, and the eigenvalues as functions, have no
    derivative)."""
    x = xs[0].astype(np.float64)
    with np.errstate(all="ignore"):
        r = np.hypot((x[:, 0] - x[:, 3]) * 0.5, x[:, 1])
        finite = np.isfinite(ys[0].reshape(len(x), -1)).all(axis=1)
        ok = finite & (r > 1e-3 * np.maximum(1, np.abs(x[:, [0, 1, 3]]).max(axis=1)))
    return [np.broadcast_to(ok[:, None], xs[0].shape)]


def _dbn_rows(x):
    """Each row of `rows` as a batch of 2 samples of 2 channels, whitened:
    one call, the rows being the groups of a batch of 2 samples."""
    n = x.shape[0]
    batch = F.reshape(F.transpose(F.reshape(x, (n, 2, 2)), (1, 0, 2)), (2, 2 * n))
    y = F.decorrelated_batch_normalization(batch, groups=n)
    return F.transpose(F.reshape(y, (2, n, 2)), (1, 0, 2))


def _dbn_defined(xs, ys):
    """Rows with finite outputs whose covariance is not ill-conditioned
    beyond the dtype's precision (there the eigendecomposition's gradient,
    in Chainer's formula as in kusari's, keeps only noise of the size of
    the large eigenvalue's terms)."""
    x = xs[0]
    ok = np.isfinite(ys[0]).reshape(ys[0].shape[0], -1).all(axis=1)
    with np.errstate(all="ignore"):
        xs64 = x.astype(np.float64).reshape(-1, 2, 2)
        xc = xs64 - xs64.mean(axis=1, keepdims=True)
        cov = xc.swapaxes(1, 2) @ xc * 0.5 + 2e-5 * np.eye(2)
        good = np.isfinite(cov).all(axis=(1, 2))
        cond = np.full(len(x), np.inf)
        cond[good] = np.linalg.cond(cov[good])
    ok &= cond < 1e-3 / np.finfo(x.dtype).eps
    return [np.broadcast_to(ok[:, None], x.shape)]


def _dbn_rows_ref(x, eps=2e-5):
    n = x.shape[0]
    out = []
    for i in range(n):
        xi = x[i].reshape(2, 2)                              # samples x channels
        xc = xi - xi.mean(axis=0, keepdims=True)
        cov = xc.T @ xc * 0.5 + np.eye(2, dtype=x.a.dtype) * eps
        flat = cov.reshape(1, 4)
        w = _matrix_function2(D.concatenate([flat[:, 0:1], flat[:, 1:2], flat[:, 1:2],
                                             flat[:, 3:4]], 1),
                              lambda w: w ** -0.5, lambda w: w ** -0.5,
                              lambda w: w ** -1.5 * -0.5).reshape(2, 2)
        out.append((xc @ w).reshape(1, 2, 2))
    return D.concatenate(out, 0)


def _fixed_dbn_inputs(dt):
    x = rows(dt)
    return [x, pattern((2, 2), dt, (0.5, -1.0, 0.25)), pattern((2, 2, 2), dt, (1.5, -0.5, 2.0))]


def _fixed_dbn_ref(x, m, p):
    xg = x.T.reshape(2, 2, x.shape[0]) - m.reshape(2, 2, 1)
    return (p @ xg).reshape(4, x.shape[0]).T


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
    "eigh_values": D.reference_case(_eigh_values, _eigh_values_ref, lambda dt: [rows(dt)],
                                   _distinct_eigenvalues, overflow=_huge_rows),
    "eigh_vectors": D.reference_case(_eigh_projection, _eigh_projection_ref,
                                     lambda dt: [rows(dt)], _distinct_eigenvalues,
                                     overflow=_huge_rows),
    "decorrelated_batch_normalization": D.reference_case(
        _dbn_rows, _dbn_rows_ref, lambda dt: [rows(dt)], _dbn_defined,
        overflow=_huge_rows),
    "fixed_decorrelated_batch_normalization": D.reference_case(
        lambda x, m, p: F.fixed_decorrelated_batch_normalization(x, m, p, groups=2),
        _fixed_dbn_ref, _fixed_dbn_inputs, _params_defined, overflow=_huge_rows),
}
