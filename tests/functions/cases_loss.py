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


# -- sampled and structured losses -------------------------------------------------------

def _params_rows_defined(xs, ys):
    """x's rows whose outputs are finite; the other inputs (weights every row
    meets) where all outputs are."""
    ok = np.isfinite(ys[0]).reshape(ys[0].shape[0], -1).all(axis=1)
    return [np.broadcast_to(ok[:, None], xs[0].shape)] + \
        [np.broadcast_to(ok.all(), x.shape) for x in xs[1:] if x.dtype.kind == "f"]


def _huge_x_rows(xs):
    """Rows of x (the first input) with a huge element (see _huge_rows);
    the other inputs, which every row meets, wherever some row has one."""
    big = _huge_rows(xs[:1])[0]
    rows_big = big.reshape(big.shape[0], -1).any(axis=1)
    return [big] + [np.broadcast_to(rows_big.any(), x.shape) for x in xs[1:]
                    if x.dtype.kind == "f"]


def _steps_defined(xs, ys):
    """Every step's rows of the samples whose losses are finite."""
    ok = np.isfinite(ys[0])
    return [np.broadcast_to(ok[:, None], x.shape) for x in xs]


def _huge_steps(xs):
    """Samples with a huge score at some step (see _huge_rows), at every step."""
    with np.errstate(all="ignore"):
        big = np.zeros(xs[0].shape[0], bool)
        for x in xs:
            big |= (np.abs(x.astype(np.float64)) ** 2 > np.finfo(x.dtype).max / 16).any(axis=1)
    return [np.broadcast_to(big[:, None], x.shape) for x in xs]


_NS_DRAWN = np.array([[0, 2, 4], [0, 3, 3], [0, 1, 0], [0, 4, 2], [0, 0, 1]], np.int32)
_NS_LABELS = np.array([1, -1, 4, 0, 2], np.int32)


def _ns_inputs(dt):
    x = rows(dt)
    return [x, pattern((5, 4), dt, (0.5, -1.0, 0.25, 2.0, -0.75))]


def _ns_samples(n):
    samples = np.resize(_NS_DRAWN, (n, 3)).copy()
    samples[:, 0] = np.resize(_NS_LABELS, n)
    return samples


def _negative_sampling(x, W):
    n = x.shape[0]
    t = np.resize(_NS_LABELS, n)
    return F.negative_sampling(x, t, W, lambda shape: np.resize(_NS_DRAWN, shape), 2,
                               reduce="no")


def _negative_sampling_ref(x, W):
    n = x.shape[0]
    w = W[(_ns_samples(n),)]                                  # (n, 3, d)
    wx = (w * x[:, None, :]).sum(axis=2)
    sign = np.array([-1.0, 1.0, 1.0], x.a.dtype)
    loss = D.softplus(wx * sign).sum(axis=1)
    return D.where(np.resize(_NS_LABELS, n) != -1, loss, 0.0)


def _bo_inputs(dt):
    x = rows(dt)
    return [x, pattern((6, 4), dt, (0.5, -1.0, 0.25, 2.0, -0.75, 1.5, 1.0))]


def _bo_labels(n):
    return (np.resize(np.array([0, 5, 2, 3], np.int32), n),
            np.resize(np.array([[1, 2], [3, 0], [4, 4]], np.int32), (n, 2)))


def _black_out(x, W):
    t, samples = _bo_labels(x.shape[0])
    return F.black_out(x, t, W, samples, reduce="no")


def _black_out_ref(x, W):
    n = x.shape[0]
    t, samples = _bo_labels(n)
    pos = (W[(t,)] * x).sum(axis=1)
    neg = (W[(samples,)] * x[:, None, :]).sum(axis=2)
    logz = D.logsumexp(D.concatenate([pos.reshape(n, 1), neg], 1), 1)
    ny = D.log(1.0 - D.exp(neg - logz.reshape(n, 1)))
    return -(pos - logz + ny.sum(axis=1))


# CTC over 3 steps of a batch of `rows` (vocabulary 4, blank 3): labels of
# length 1 or 2, inputs of length 3 or 2
def _ctc_inputs(dt):
    x = rows(dt)
    return [x, np.roll(x, 1, axis=1).copy(), np.roll(x, 2, axis=0).copy()]


def _ctc_labels(n):
    t = np.resize(np.array([[0, 1], [2, 2], [1, 0]], np.int32), (n, 2))
    return (t, np.resize(np.array([2, 1, 2], np.int32), n),
            np.resize(np.array([3, 3, 2], np.int32), n))


def _ctc(*steps):
    t, label_length, input_length = _ctc_labels(steps[0].shape[0])
    return F.connectionist_temporal_classification(list(steps), t, 3, input_length,
                                                   label_length, reduce="no")


def _ctc_ref(*steps, pad=-10000000000.0):
    """The forward algorithm in log space, written out."""
    n = steps[0].shape[0]
    t, label_length, input_length = _ctc_labels(n)
    width = 5
    path = np.full((n, width), 3, np.int32)
    path[:, 1::2] = t
    length = 2 * label_length + 1
    s = np.arange(width)
    skip = np.zeros((n, width), bool)
    skip[:, 2:] = path[:, 2:] != path[:, :-2]
    # Chainer's start: 0 at the first position, log 0 (pad) elsewhere, then a
    # transition at every step (so log 0 entries become pad + log 2 + ...)
    alpha = D.constant(steps[0], np.where(s == 0, 0.0, pad) * np.ones((n, 1)))
    for k, x in enumerate(steps):
        with np.errstate(all="ignore"):     # (x - m) - log sum exp(x - m), as kusari's
            m = np.max(x.a, axis=1, keepdims=True)
            m = np.where(np.isfinite(m), m, 0)
        shifted = x - m
        logp = shifted - D.log(D.exp(shifted).sum(axis=1, keepdims=True))
        picked = logp[(np.arange(n)[:, None], path)]
        padc = D.constant(alpha, np.full((n, 1), pad))
        shift1 = D.concatenate([padc, alpha[:, :-1]], 1)
        shift2 = D.where(skip, D.concatenate([padc, padc, alpha[:, :-2]], 1), pad)
        stacked = D.concatenate([a.reshape(1, n, width) for a in (alpha, shift1, shift2)], 0)
        new = D.where(s < length[:, None], D.logsumexp(stacked, 0), pad) + picked
        alpha = D.where((k < input_length)[:, None], new, alpha)
    last = (s == length[:, None] - 1) | (s == length[:, None] - 2)
    return -D.logsumexp(D.where(last, alpha, pad), 1)


# a CRF over 3 steps of 4 labels, the batch shrinking from 15 (or 18) rows
def _crf_inputs(dt):
    x = rows(dt)
    n = x.shape[0]
    return [pattern((4, 4), dt, (0.5, -1.0, 0.25, 2.0, -0.75)), x,
            np.roll(x, 1, axis=1)[:n - 5].copy(), np.roll(x, 2, axis=0)[:n - 10].copy()]


def _crf_labels(xs):
    return [np.resize(np.array([0, 3, 1, 2, 2], np.int32), x.shape[0]) for x in xs]


def _crf1d(cost, *xs):
    return F.crf1d(cost, list(xs), _crf_labels(xs), reduce="no")


def _crf_forward(cost, xs, combine):
    """alpha over the shrinking batch; rows that ended set aside."""
    alpha, ended = xs[0], []
    for x in xs[1:]:
        b = x.shape[0]
        if alpha.shape[0] > b:
            ended.append(alpha[b:])
            alpha = alpha[:b]
        alpha = combine(alpha.reshape(b, 4, 1) + cost.reshape(1, 4, 4), 1) + x
    return D.concatenate([alpha] + ended[::-1], 0) if ended else alpha


def _crf1d_ref(cost, *xs):
    ys = _crf_labels(xs)
    logz = D.logsumexp(_crf_forward(cost, xs, D.logsumexp), 1)
    score, ended = xs[0][(np.arange(xs[0].shape[0]), ys[0])], []
    for x, y, y_prev in zip(xs[1:], ys[1:], ys[:-1]):
        b = x.shape[0]
        if score.shape[0] > b:
            ended.append(score[b:])
            score = score[:b]
        score = score + x[(np.arange(b), y)] + cost[(y_prev[:b], y)]
    score = D.concatenate([score] + ended[::-1], 0) if ended else score
    return logz - score


def _argmax_crf1d_ref(cost, *xs):
    return D.amax(_crf_forward(cost, xs, D.amax), 1)


def _crf_defined(xs, ys):
    """Each step's rows whose sequence's outputs are finite; the costs where
    every output is finite (they meet every row)."""
    ok = np.isfinite(ys[0])
    return [np.broadcast_to(ok.all(), xs[0].shape)] + \
        [np.broadcast_to(ok[:x.shape[0], None], x.shape) for x in xs[1:]]


def _crf_huge(xs):
    return [np.zeros(x.shape, bool) for x in xs]


def _some_rows(dt):
    """Ten rows of `rows` (0, -0.0, inf, -inf, NaN, huge, tiny, subnormal among
    them): the discriminative loss runs once per row."""
    return [rows(dt)[[0, 2, 3, 4, 5, 6, 7, 8, 10, 14]]]


# the discriminative loss of each row as the embeddings (1, 2, 2, 1) of one
# sample: two instances of one pixel each
_DISC_LABELS = np.array([[[1], [2]]], np.int32)


def _discriminative(x):
    return F.stack([F.stack(F.discriminative_margin_based_clustering_loss(
        F.reshape(x[i], (1, 2, 2, 1)), _DISC_LABELS, 0.5, 1.5, 2, 2, 1.0, 0.5, 0.25))
        for i in range(x.shape[0])])


def _discriminative_ref(x):
    out = []
    masks = np.stack([_DISC_LABELS == c + 1 for c in range(2)])[:, :, None].astype(x.a.dtype)
    for i in range(x.shape[0]):
        e = x[i].reshape(1, 1, 2, 2, 1)
        means = (e * masks).sum(axis=(3, 4))                  # one pixel per instance
        norm2 = _safe_norm
        l_reg = norm2(means, (1, 2)).sum() * 0.5               # / (instances * batch)
        off = (means.reshape(2, 1, 2, 1, 1) - e) * masks
        l_var = D.relu(norm2(off, 2) - 0.5)
        l_var = (l_var * l_var).sum((1, 2, 3)).sum() * 0.5
        gap = D.relu(3.0 - norm2(means[0] - means[1], 1))
        l_dist = (gap * gap).sum()
        out.append(D.concatenate([(l_var * 1.0).reshape(1, 1), (l_dist * 0.5).reshape(1, 1),
                                  (l_reg * 0.25).reshape(1, 1)], 1))
    return D.concatenate(out, 0)


def _safe_norm(v, axis):
    s = (v * v).sum(axis)
    with np.errstate(all="ignore"):
        zero = s.a == 0
    return D.where(zero, 0.0, D.sqrt(D.where(zero, 1.0, s)))


CASES.update({
    "negative_sampling": D.reference_case(_negative_sampling, _negative_sampling_ref,
                                          _ns_inputs, _params_rows_defined,
                                          overflow=_huge_x_rows),
    "black_out": D.reference_case(_black_out, _black_out_ref, _bo_inputs,
                                  _params_rows_defined, overflow=_huge_x_rows),
    "connectionist_temporal_classification": D.reference_case(
        _ctc, _ctc_ref, _ctc_inputs, _steps_defined, overflow=_huge_steps),
    "crf1d": D.reference_case(_crf1d, _crf1d_ref, _crf_inputs, _crf_defined,
                              overflow=_crf_huge),
    "argmax_crf1d": D.reference_case(lambda cost, *xs: F.argmax_crf1d(cost, list(xs))[0],
                                     _argmax_crf1d_ref, _crf_inputs, _crf_defined,
                                     overflow=_crf_huge),
    "discriminative_margin_based_clustering_loss": D.reference_case(
        _discriminative, _discriminative_ref, _some_rows, _row_defined,
        overflow=_huge_rows),
})
