"""Loss functions (kusari.functions.loss): forward against NumPy references
written from the definitions, first and second derivatives against finite
differences in float16/32/64, Chainer's argument checks and messages, and
what only some losses have (class weights, soft targets, ignored labels,
labels traced under jit)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.compiler.errors import InvalidType
from tests.helpers import check_all, check_forward

DTYPES = [np.float16, np.float32, np.float64]

COVERS = {
    "mean_absolute_error": "test_mean_errors",
    "squared_difference": "test_squared_difference",
    "huber_loss": "test_huber_loss",
    "hinge": "test_hinge",
    "contrastive": "test_contrastive",
    "triplet": "test_triplet",
    "gaussian_kl_divergence": "test_vae_losses",
    "gaussian_nll": "test_vae_losses",
    "bernoulli_nll": "test_vae_losses",
    "cross_covariance": "test_cross_covariance",
    "decov": "test_decov",
}


def uniform(rng, shape, lo=-1.0, hi=1.0, dtype=np.float64):
    return rng.uniform(lo, hi, shape).astype(dtype)


def log_softmax(x):
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


# -- mean errors ---------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_mean_errors(dtype):
    rng = np.random.default_rng(1)
    a, b = uniform(rng, (3, 4), dtype=dtype), uniform(rng, (3, 4), dtype=dtype)
    b[np.abs(a - b) < 0.2] += 0.5                    # |a - b| has a kink at a == b
    check_all(F.mean_absolute_error, lambda a, b: np.abs(a - b).mean(), [a, b], dtype)
    check_all(F.mean_squared_error, lambda a, b: ((a - b) ** 2).mean(), [a, b], dtype)
    assert F.mean_absolute_error(a, b).dtype == dtype


def test_mean_errors_of_float16_sum_in_float32():
    # 70000 differences of 1: the float16 sum alone would overflow (max 65504)
    a = np.ones(70000, np.float16)
    b = np.zeros(70000, np.float16)
    assert float(F.mean_squared_error(a, b).array) == 1.0
    assert float(F.mean_absolute_error(a, b).array) == 1.0


def test_mean_error_checks():
    a = np.zeros((2, 3), np.float32)
    with pytest.raises(InvalidType, match="x0.shape == x1.shape"):
        F.mean_squared_error(a, np.zeros((3, 2), np.float32))
    with pytest.raises(InvalidType, match="x0.dtype == x1.dtype"):
        F.mean_absolute_error(a, a.astype(np.float64))
    with pytest.raises(InvalidType, match="x0.dtype.kind == f"):
        F.squared_error(a.astype(np.int32), a.astype(np.int32))
    with pytest.raises(InvalidType, match="MeanAbsoluteError"):
        F.mean_absolute_error(a, a[:1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_squared_difference(dtype):
    rng = np.random.default_rng(2)
    a, b = uniform(rng, (2, 3), dtype=dtype), uniform(rng, (2, 3), dtype=dtype)
    check_all(F.squared_difference, lambda a, b: (a - b) ** 2, [a, b], dtype)


# -- huber, hinge ----------------------------------------------------------------------

def huber_np(x, t, delta, reduce="sum_along_second_axis"):
    d = np.abs(x - t)
    y = np.where(d <= delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    return y.sum(axis=1) if reduce == "sum_along_second_axis" else y


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["sum_along_second_axis", "no"])
def test_huber_loss(dtype, reduce):
    rng = np.random.default_rng(3)
    x, t = uniform(rng, (4, 3), -2, 2, dtype), uniform(rng, (4, 3), -2, 2, dtype)
    near = np.abs(np.abs(x - t) - 1.0) < 0.1         # the kink at |x - t| = delta
    t[near] += 0.3
    check_all(lambda x, t: F.huber_loss(x, t, 1.0, reduce=reduce),
              lambda x, t: huber_np(x, t, 1.0, reduce), [x, t], dtype)


def test_huber_loss_checks():
    x = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError, match="Only 'sum_along_second_axis' and 'no' are valid"):
        F.huber_loss(x, x, 1.0, reduce="mean")
    with pytest.raises(InvalidType, match="HuberLoss"):
        F.huber_loss(x, x[:1], 1.0)


def hinge_np(x, t, norm="L1", reduce="mean"):
    sign = np.ones_like(x)
    sign[np.arange(len(t)), t] = -1
    m = np.maximum(0, 1 + sign * x)
    loss = m if norm == "L1" else m * m
    return loss.sum() / len(x) if reduce == "mean" else loss


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm", ["L1", "L2"])
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_hinge(dtype, norm, reduce):
    rng = np.random.default_rng(4)
    x = uniform(rng, (5, 4), -2, 2, dtype)
    x[np.abs(np.abs(x) - 1) < 0.1] = 0.5             # the kinks at x = +-1
    t = rng.integers(0, 4, 5).astype(np.int32)
    check_all(lambda x, t: F.hinge(x, t, norm, reduce), lambda x, t: hinge_np(x, t, norm, reduce),
              [x, t], dtype, no_grad=(1,))


def test_hinge_checks():
    x = np.zeros((2, 3), np.float32)
    t = np.array([0, 1], np.int32)
    with pytest.raises(NotImplementedError, match="norm should be either 'L1' or 'L2'"):
        F.hinge(x, t, norm="L3")
    with pytest.raises(ValueError, match="only 'mean' and 'no' are valid for 'reduce'"):
        F.hinge(x, t, reduce="sum")
    with pytest.raises(InvalidType, match="t.dtype.kind == i"):
        F.hinge(x, t.astype(np.float32))
    with pytest.raises(IndexError, match=r"in \[0, 3\)"):
        F.hinge(x, np.array([0, 3], np.int32))


# -- contrastive, triplet ----------------------------------------------------------------

def contrastive_np(x0, x1, y, margin=1.0, reduce="mean"):
    d = np.sqrt(((x0 - x1) ** 2).sum(axis=1))
    loss = 0.5 * (y * d * d + (1 - y) * np.maximum(margin - d, 0) ** 2)
    return loss.sum() / len(x0) if reduce == "mean" else loss


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_contrastive(dtype, reduce):
    rng = np.random.default_rng(5)
    x0, x1 = uniform(rng, (6, 3), dtype=dtype), uniform(rng, (6, 3), dtype=dtype)
    y = np.array([0, 1, 0, 1, 0, 0], np.int32)
    d = np.sqrt(((x0.astype(float) - x1) ** 2).sum(axis=1))
    x1[np.abs(d - 1.5) < 0.1] += 0.3                 # the kink at d = margin
    check_all(lambda a, b, y: F.contrastive(a, b, y, 1.5, reduce),
              lambda a, b, y: contrastive_np(a, b, y, 1.5, reduce), [x0, x1, y], dtype,
              no_grad=(2,))


def test_contrastive_at_distance_zero_has_gradient_zero():
    """Chainer's rule gives 0 there (not NaN): 0 * (diff / max(d, eps))."""
    x = np.array([[0.5, -1.0], [1.0, 2.0]], np.float32)
    for y in ([0, 0], [1, 1]):
        a, b = Variable(x.copy()), Variable(x.copy())
        loss = F.contrastive(a, b, np.array(y, np.int32))
        loss.backward()
        assert np.all(a.grad == 0) and np.all(b.grad == 0)
        np.testing.assert_allclose(loss.array, 0.5 if y == [0, 0] else 0.0)


def test_contrastive_checks():
    x = np.zeros((2, 3), np.float32)
    y = np.array([0, 1], np.int32)
    with pytest.raises(ValueError, match="margin should be positive value."):
        F.contrastive(x, x, y, margin=0)
    with pytest.raises(InvalidType, match="x1.shape\\[0\\] == y.shape\\[0\\]"):
        F.contrastive(x, x, y[:1])
    with pytest.raises(InvalidType, match="y.dtype.kind == i"):
        F.contrastive(x, x, y.astype(np.float32))


def triplet_np(a, p, n, margin=0.2, reduce="mean"):
    d = ((a - p) ** 2).sum(axis=1) - ((a - n) ** 2).sum(axis=1) + margin
    h = np.maximum(d, 0)
    return h.sum() / len(a) if reduce == "mean" else h


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_triplet(dtype, reduce):
    rng = np.random.default_rng(6)
    a, p, n = (uniform(rng, (6, 3), dtype=dtype) for _ in range(3))

    def raw(n):          # the hinge's argument: kinked where it is 0
        f = np.float64
        return ((a.astype(f) - p) ** 2).sum(1) - ((a.astype(f) - n) ** 2).sum(1) + 0.6
    n[np.abs(raw(n)) < 0.1] *= 1.5
    assert np.all(np.abs(raw(n)) > 0.02) and (raw(n) > 0).any() and (raw(n) < 0).any()
    check_all(lambda a, p, n: F.triplet(a, p, n, 0.6, reduce),
              lambda a, p, n: triplet_np(a, p, n, 0.6, reduce), [a, p, n], dtype)


def test_triplet_checks():
    x = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError, match="margin should be positive value."):
        F.triplet(x, x, x, margin=-1)
    with pytest.raises(InvalidType, match="anchor.shape == negative.shape"):
        F.triplet(x, x, x[:, :2])
    with pytest.raises(InvalidType, match="anchor.shape\\[0\\] > 0"):
        F.triplet(x[:0], x[:0], x[:0])


# -- VAE losses, covariances --------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["sum", "mean", "no"])
def test_vae_losses(dtype, reduce):
    rng = np.random.default_rng(7)
    mean, ln_var = uniform(rng, (3, 2), dtype=dtype), uniform(rng, (3, 2), dtype=dtype)
    x = uniform(rng, (3, 2), dtype=dtype)
    red = {"sum": np.sum, "mean": np.mean, "no": lambda v: v}[reduce]
    check_all(lambda m, v: F.gaussian_kl_divergence(m, v, reduce),
              lambda m, v: red((m * m + np.exp(v) - v - 1) * 0.5), [mean, ln_var], dtype)
    check_all(lambda x, m, v: F.gaussian_nll(x, m, v, reduce),
              lambda x, m, v: red(0.5 * (v + math.log(2 * math.pi)) +
                                  0.5 * (x - m) ** 2 * np.exp(-v)),
              [x, mean, ln_var], dtype)
    p = uniform(rng, (3, 2), 0, 1, dtype)
    check_all(lambda p, y: F.bernoulli_nll(p, y, reduce),
              lambda p, y: red(np.log1p(np.exp(y)) - p * y), [p, mean], dtype)


def test_vae_reduce_check():
    x = np.zeros(2, np.float32)
    for f, args in ((F.gaussian_kl_divergence, (x, x)), (F.gaussian_nll, (x, x, x)),
                    (F.bernoulli_nll, (x, x))):
        with pytest.raises(ValueError, match="only 'sum', 'mean' and 'no' are valid"):
            f(*args, reduce="max")


def cross_covariance_np(y, z, reduce="half_squared_sum"):
    yc, zc = y - y.mean(axis=0), z - z.mean(axis=0)
    cov = yc.T @ zc / len(y)
    return 0.5 * (cov ** 2).sum() if reduce == "half_squared_sum" else cov


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["half_squared_sum", "no"])
def test_cross_covariance(dtype, reduce):
    rng = np.random.default_rng(8)
    y, z = uniform(rng, (4, 3), dtype=dtype), uniform(rng, (4, 2), dtype=dtype)
    check_all(lambda y, z: F.cross_covariance(y, z, reduce),
              lambda y, z: cross_covariance_np(y, z, reduce), [y, z], dtype)
    with pytest.raises(ValueError, match="Only 'half_squared_sum' and 'no'"):
        F.cross_covariance(y, z, reduce="mean")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["half_squared_sum", "no"])
def test_decov(dtype, reduce):
    rng = np.random.default_rng(9)
    h = uniform(rng, (5, 3), dtype=dtype)

    def ref(h):
        hc = h - h.mean(axis=0)
        cov = hc.T @ hc / len(h)
        np.fill_diagonal(cov, 0)
        return 0.5 * (cov ** 2).sum() if reduce == "half_squared_sum" else cov
    check_all(lambda h: F.decov(h, reduce), ref, [h], dtype)
    with pytest.raises(ValueError, match="only 'half_squared_sum' and 'no'"):
        F.decov(h, reduce="mean")


# -- cross entropies ---------------------------------------------------------------------

def sce_np(x, t, normalize=True, w=None, reduce="mean", ignore=-1):
    """Chainer's softmax cross entropy; classes on axis 1 of any x."""
    xs = np.moveaxis(x, 1, -1).reshape(-1, x.shape[1]).astype(np.float64)
    ts = t.reshape(-1)
    valid = ts != ignore
    safe = np.where(valid, ts, 0)
    loss = -log_softmax(xs)[np.arange(len(ts)), safe] * valid
    if w is not None:
        loss = loss * w[safe]
    if reduce == "no":
        return loss.reshape(t.shape)
    count = valid.sum() if normalize else x.shape[0]
    return loss.sum() / max(count, 1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_softmax_cross_entropy_weights_and_more_axes(dtype, normalize, reduce):
    """class_weight and scores with more than two axes (classes on axis 1),
    labels ignored among them; normalize=False divides by the batch size."""
    rng = np.random.default_rng(10)
    x = uniform(rng, (2, 3, 2), -2, 2, dtype)
    t = np.array([[0, 2], [-1, 1]], np.int32)
    w = rng.uniform(0.5, 2, 3).astype(dtype)
    check_all(lambda x, t: F.softmax_cross_entropy(x, t, normalize=normalize, reduce=reduce,
                                                   class_weight=w),
              lambda x, t: sce_np(x, t, normalize, w.astype(np.float64), reduce), [x, t],
              dtype, no_grad=(1,))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["cross-entropy", "kl-divergence"])
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_softmax_cross_entropy_soft_targets(dtype, kind, reduce):
    rng = np.random.default_rng(11)
    x = uniform(rng, (3, 4), -2, 2, dtype)
    t = rng.uniform(0.1, 1, (3, 4))
    t = (t / t.sum(axis=1, keepdims=True)).astype(dtype)

    def ref(x, t):
        logp = log_softmax(x.astype(np.float64))
        if kind == "kl-divergence":
            loss = (t * (np.log(t + 1e-7) - logp)).sum(axis=1)
        else:
            loss = -(t * logp).sum(axis=1)
        return loss.mean() if reduce == "mean" else loss
    check_all(lambda x, t: F.softmax_cross_entropy(x, t, reduce=reduce,
                                                   soft_target_loss=kind),
              ref, [x, t], dtype, no_grad=(1,))


def test_softmax_cross_entropy_soft_targets_of_one_hots_equal_hard_labels():
    rng = np.random.default_rng(12)
    x = uniform(rng, (4, 3), dtype=np.float64)
    t = np.array([0, 2, 1, 1], np.int32)
    hard = F.softmax_cross_entropy(x, t)
    soft = F.softmax_cross_entropy(x, np.eye(3)[t])
    np.testing.assert_allclose(soft.array, hard.array, rtol=1e-12)


def test_softmax_cross_entropy_float16_large_batch_sums_in_float32():
    # Chainer's test: 300000 samples in float16 neither overflow nor underflow
    rng = np.random.default_rng(13)
    x = uniform(rng, (300000, 2), dtype=np.float16)
    t = rng.integers(0, 2, 300000).astype(np.int64)
    for normalize in (True, False):
        v = Variable(x)
        loss = F.softmax_cross_entropy(v, t, normalize=normalize)
        np.testing.assert_allclose(loss.array, sce_np(x, t, normalize), rtol=1e-3)
        loss.backward()
        p = np.exp(log_softmax(x.astype(np.float64)))
        p[np.arange(len(t)), t] -= 1
        np.testing.assert_allclose(v.grad, p / len(t), rtol=2e-2, atol=1e-7)


def test_softmax_cross_entropy_labels_traced_under_jit_with_weights():
    rng = np.random.default_rng(14)
    x = uniform(rng, (5, 3), dtype=np.float32)
    t = np.array([0, -1, 2, 1, 2], np.int32)
    w = np.array([1.0, 0.5, 2.0], np.float32)

    def loss(x, t):
        return F.softmax_cross_entropy(x, t, class_weight=w)
    want = loss(Variable(x), t).array
    np.testing.assert_allclose(kusari.jit(loss)(x, t), want, rtol=1e-6)


def test_softmax_cross_entropy_checks():
    x = np.zeros((2, 3), np.float32)
    t = np.array([0, 1], np.int32)
    with pytest.raises(ValueError, match=r"0 <= t < x.shape\[1\] or t == -1"):
        F.softmax_cross_entropy(x, np.array([0, 3], np.int32))
    with pytest.raises(ValueError, match=r"0 <= t < x.shape\[1\] or t == -1"):
        F.softmax_cross_entropy(x, np.array([0, -2], np.int32))
    with pytest.raises(ValueError, match="class_weight.ndim should be 1"):
        F.softmax_cross_entropy(x, t, class_weight=np.ones((3, 1), np.float32))
    with pytest.raises(ValueError, match="The dtype of class_weight should be 'f'"):
        F.softmax_cross_entropy(x, t, class_weight=np.ones(3, np.int32))
    with pytest.raises(ValueError, match="not a chainer.Variable"):
        F.softmax_cross_entropy(x, t, class_weight=Variable(np.ones(3, np.float32)))
    with pytest.raises(ValueError, match="only 'mean' and 'no' are valid for 'reduce'"):
        F.softmax_cross_entropy(x, t, reduce="sum")
    with pytest.raises(ValueError, match="soft_target_loss must be"):
        F.softmax_cross_entropy(x, t, soft_target_loss="l2")
    with pytest.raises(InvalidType, match=r"x.shape\[2:\] == t.shape\[1:\]"):
        F.softmax_cross_entropy(np.zeros((2, 3, 4), np.float32), np.zeros((2, 5), np.int32))
    with pytest.raises(InvalidType, match="x.shape == t.shape"):
        F.softmax_cross_entropy(x, np.zeros((2, 4), np.float32))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("normalize", [True, False])
def test_sigmoid_cross_entropy_modes(dtype, normalize):
    rng = np.random.default_rng(15)
    x = uniform(rng, (4, 3), -3, 3, dtype)
    t = rng.integers(-1, 2, (4, 3)).astype(np.int32)

    def ref(x, t, reduce):
        valid = t != -1
        loss = (np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0) - x * t) * valid
        if reduce == "no":
            return loss
        return loss.sum() / max(valid.sum() if normalize else len(x), 1)
    for reduce in ("mean", "no"):
        check_all(lambda x, t: F.sigmoid_cross_entropy(x, t, normalize, reduce),
                  lambda x, t: ref(x, t, reduce), [x, t], dtype, no_grad=(1,))


def test_sigmoid_cross_entropy_ignored_infinite_scores_count_for_nothing():
    x = Variable(np.array([np.inf, -np.inf, 1.0], np.float32))
    loss = F.sigmoid_cross_entropy(x, np.array([-1, -1, 1], np.int32))
    loss.backward()
    np.testing.assert_allclose(loss.array, np.log1p(np.exp(-1.0)), rtol=1e-6)
    np.testing.assert_allclose(x.grad, [0, 0, 1 / (1 + np.exp(-1.0)) - 1], rtol=1e-6)
    with pytest.raises(InvalidType, match="x.shape == t.shape"):
        F.sigmoid_cross_entropy(np.zeros(3, np.float32), np.zeros(2, np.int32))


def test_check_forward_of_losses_compiled_with_traced_labels():
    rng = np.random.default_rng(16)
    x = uniform(rng, (4, 3), dtype=np.float32)
    t = np.array([2, 0, 1, 1], np.int32)
    check_forward(F.hinge, hinge_np, [x, t], np.float32)
    check_forward(lambda x, t: F.sigmoid_cross_entropy(x, t),
                  lambda x, t: (np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0) -
                                x * (t > 0)).mean(),
                  [x, (x > 0).astype(np.int32)], np.float32)


# -- sampled and structured losses -------------------------------------------------------

COVERS.update({
    "negative_sampling": "test_negative_sampling",
    "black_out": "test_black_out",
    "connectionist_temporal_classification": "test_ctc",
    "crf1d": "test_crf1d",
    "argmax_crf1d": "test_argmax_crf1d",
    "discriminative_margin_based_clustering_loss": "test_discriminative_loss",
})


def softplus_np(v):
    return np.logaddexp(0, v)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["sum", "no"])
def test_negative_sampling(dtype, reduce):
    rng = np.random.default_rng(20)
    x, W = uniform(rng, (3, 2), dtype=dtype), uniform(rng, (5, 2), dtype=dtype)
    t = np.array([1, -1, 4], np.int32)
    drawn = np.array([[9, 0, 2], [9, 3, 3], [9, 1, 0]], np.int32)

    def sampler(shape):
        assert shape == drawn.shape
        return drawn.copy()

    def ref(x, W):
        samples = drawn.copy()
        samples[:, 0] = t
        wx = (W[samples] * x[:, None, :]).sum(axis=2)
        wx[:, 0] *= -1
        loss = softplus_np(wx).sum(axis=1) * (t != -1)
        return loss.sum() if reduce == "sum" else loss
    check_all(lambda x, W: F.negative_sampling(x, t, W, sampler, 2, reduce=reduce), ref,
              [x, W], dtype)
    loss, samples = F.negative_sampling(x, t, W, sampler, 2, return_samples=True)
    np.testing.assert_array_equal(samples[:, 0], t)
    with pytest.raises(InvalidType, match="t.dtype == int32"):
        F.negative_sampling(x, t.astype(np.int64), W, sampler, 2)
    with pytest.raises(ValueError, match="only 'sum' and 'no' are valid"):
        F.negative_sampling(x, t, W, sampler, 2, reduce="mean")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_black_out(dtype, reduce):
    rng = np.random.default_rng(21)
    x, W = uniform(rng, (3, 2), dtype=dtype), uniform(rng, (6, 2), dtype=dtype)
    t = np.array([0, 5, 2], np.int32)
    samples = np.array([[1, 2], [3, 0], [4, 4]], np.int32)

    def ref(x, W):
        pos = (W[t] * x).sum(axis=1)
        neg = (W[samples] * x[:, None, :]).sum(axis=2)
        logz = np.logaddexp.reduce(np.concatenate([pos[:, None], neg], axis=1), axis=1)
        loss = -(pos - logz + np.log(1 - np.exp(neg - logz[:, None])).sum(axis=1))
        return loss.mean() if reduce == "mean" else loss
    check_all(lambda x, W: F.black_out(x, t, W, samples, reduce), ref, [x, W], dtype)


def ctc_np(xs, t, blank, input_length, label_length):
    """-log p(t | x) by enumerating every alignment (tiny cases)."""
    import itertools
    steps, batch, vocab = xs.shape
    m = xs.max(axis=2, keepdims=True)
    p = np.exp(xs - m) / np.exp(xs - m).sum(axis=2, keepdims=True)
    out = []
    for b in range(batch):
        target = tuple(t[b, :label_length[b]])
        total = 0.0
        for path in itertools.product(range(vocab), repeat=int(input_length[b])):
            collapsed = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
            if tuple(k for k in collapsed if k != blank) == target:
                total += np.prod([p[i, b, k] for i, k in enumerate(path)])
        out.append(-np.log(total))
    return np.array(out)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_ctc(dtype, reduce):
    rng = np.random.default_rng(22)
    xs = uniform(rng, (4, 2, 3), -1, 1, dtype)
    t = np.array([[0, 1], [1, 1]], np.int32)
    input_length = np.array([4, 3], np.int32)
    label_length = np.array([2, 1], np.int32)

    def f(*steps):
        return F.connectionist_temporal_classification(list(steps), t, 2, input_length,
                                                       label_length, reduce=reduce)

    def ref(*steps):
        loss = ctc_np(np.stack(steps).astype(np.float64), t, 2, input_length, label_length)
        return loss.mean() if reduce == "mean" else loss
    check_all(f, ref, list(xs), dtype)


def test_ctc_checks():
    xs = [np.zeros((2, 3), np.float32)] * 2
    t = np.zeros((2, 1), np.int32)
    with pytest.raises(TypeError, match="x must be a list of Variables"):
        F.connectionist_temporal_classification(np.zeros((2, 2, 3), np.float32), t, 0)
    with pytest.raises(TypeError, match="blank_symbol must be non-negative integer."):
        F.connectionist_temporal_classification(xs, t, 1.0)
    with pytest.raises(InvalidType, match="t.dtype == int32"):
        F.connectionist_temporal_classification(xs, t.astype(np.int64), 0)
    with pytest.raises(ValueError, match="only 'mean' and 'no' are valid"):
        F.connectionist_temporal_classification(xs, t, 0, reduce="sum")


def crf_paths(cost, xs):
    """Every label sequence's score, per sample (xs: one (K,) row per step)."""
    import itertools
    k = cost.shape[0]
    return {ys: sum(x[y] for x, y in zip(xs, ys)) +
            sum(cost[a, b] for a, b in zip(ys, ys[1:]))
            for ys in itertools.product(range(k), repeat=len(xs))}


def crf_batches(rng, dtype, lengths=(3, 2, 2), k=3):
    """Per-step batches, shrinking as the (sorted) sequences end."""
    steps = max(lengths)
    return [uniform(rng, (sum(n > s for n in lengths), k), dtype=dtype) for s in range(steps)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_crf1d(dtype, reduce):
    rng = np.random.default_rng(23)
    lengths = (3, 2, 2)
    xs = crf_batches(rng, dtype, lengths)
    cost = uniform(rng, (3, 3), dtype=dtype)
    ys = [rng.integers(0, 3, len(x)).astype(np.int32) for x in xs]

    def ref(cost, *xs):
        out = []
        for b, n in enumerate(lengths):
            seq = [xs[s][b] for s in range(n)]
            scores = crf_paths(cost, seq)
            logz = np.logaddexp.reduce(np.array(list(scores.values())))
            out.append(logz - scores[tuple(ys[s][b] for s in range(n))])
        out = np.array(out)
        return out.sum() / len(lengths) if reduce == "mean" else out
    check_all(lambda cost, *xs: F.crf1d(cost, list(xs), ys, reduce), ref, [cost] + xs, dtype)


def test_argmax_crf1d():
    rng = np.random.default_rng(24)
    lengths = (3, 2, 1)
    xs = crf_batches(rng, np.float64, lengths)
    cost = uniform(rng, (3, 3), dtype=np.float64)
    score, path = F.argmax_crf1d(cost, xs)
    for b, n in enumerate(lengths):
        scores = crf_paths(cost, [xs[s][b] for s in range(n)])
        best = max(scores, key=scores.get)
        assert tuple(path[s][b] for s in range(n)) == best
        np.testing.assert_allclose(score.array[b], scores[best])
    v = Variable(cost)
    F.sum(F.argmax_crf1d(v, xs)[0]).backward()       # the score's gradient: the best paths'
    want = np.zeros((3, 3))
    for b, n in enumerate(lengths):
        for s in range(1, n):
            want[path[s - 1][b], path[s][b]] += 1
    np.testing.assert_array_equal(v.grad, want)
    with pytest.raises(TypeError, match="cannot run on traced values"):
        kusari.jit(lambda c, x: F.argmax_crf1d(c, [x])[0])(cost, xs[0])


@pytest.mark.parametrize("norm", [1, 2])
def test_discriminative_loss(norm):
    rng = np.random.default_rng(25)
    emb = uniform(rng, (2, 3, 3, 2), -2, 2, np.float64)
    labels = rng.integers(0, 4, (2, 3, 2)).astype(np.int32)

    def ref(e):
        n = 3
        size = (lambda v, ax: np.abs(v).sum(axis=ax)) if norm == 1 else \
            (lambda v, ax: np.sqrt((v * v).sum(axis=ax)))
        masks = np.stack([labels == c + 1 for c in range(n)])[:, :, None].astype(float)
        means = (e[None] * masks).sum(axis=(3, 4)) / np.maximum(masks.sum(axis=(2, 3, 4)),
                                                                 1)[:, :, None]
        l_reg = size(means, (1, 2)).sum() / (n * 2)
        off = (means[..., None, None] - e[None]) * masks
        l_var = np.maximum(size(off, 2) - 0.5, 0) ** 2
        l_var = (l_var.sum(axis=(1, 2, 3)) / np.maximum(masks.sum(axis=(1, 2, 3, 4)), 1)).sum() / n
        l_dist = sum((np.maximum(2 * 1.5 - size(means[a] - means[b], 1), 0) ** 2).sum()
                     for a in range(n) for b in range(a + 1, n)) / (3 * 2)
        return l_var * 1.0, l_dist * 0.5, l_reg * 0.01
    # first derivatives only: the pixels outside an instance sit exactly at the
    # kink of the norm (their offsets are masked to 0)
    check_all(lambda e: F.discriminative_margin_based_clustering_loss(
        e, labels, 0.5, 1.5, 3, norm, 1.0, 0.5, 0.01), ref, [emb], np.float64, second=False)
    with pytest.raises(ValueError, match="norm can only be 1 or 2"):
        F.discriminative_margin_based_clustering_loss(emb, labels, 0.5, 1.5, 3, norm=3)
