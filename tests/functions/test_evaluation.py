"""Evaluation functions (kusari.functions.evaluation): values against NumPy
references, eagerly and compiled (labels traced), in every float and label
dtype; no gradient flows back through them; Chainer's checks."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.compiler.errors import InvalidType
from tests.helpers import check_forward

DTYPES = [np.float16, np.float32, np.float64]
LABELS = [np.int8, np.int32, np.int64]

COVERS = {
    "binary_accuracy": "test_binary_accuracy",
    "classification_summary": "test_classification_summary",
    "precision": "test_classification_summary",
    "recall": "test_classification_summary",
    "fbeta_score": "test_classification_summary",
    "f1_score": "test_classification_summary",
    "r2_score": "test_r2_score",
}


def no_gradient(f, *arrays):
    """f's float outputs pass no gradient back to its float inputs."""
    vs = [Variable(a) for a in arrays]
    outs = f(*vs)
    outs = outs if isinstance(outs, tuple) else (outs,)
    floats = [v for v in vs if v.dtype.kind == "f"]
    for y in outs:
        if y.dtype.kind == "f" and floats:
            gs = kusari.grad([F.sum(y)], floats)
            assert all(g is None or not np.any(g.array) for g in gs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("ignore", [None, -1, 1])
def test_accuracy_with_ignored_labels(dtype, label, ignore):
    rng = np.random.default_rng(1)
    y = rng.uniform(-1, 1, (8, 3, 2)).astype(dtype)
    t = rng.integers(-1, 3, (8, 2)).astype(label)

    def ref(y, t):
        hit = y.argmax(axis=1) == t
        if ignore is None:
            return hit.mean()
        valid = t != ignore
        return (hit & valid).sum() / valid.sum() if valid.any() else 0.0
    check_forward(lambda y, t: F.accuracy(y, t, ignore_label=ignore), ref, [y, t], dtype)
    no_gradient(lambda y, t: F.accuracy(y, t, ignore), y, t)


def test_accuracy_all_ignored_is_zero_and_shapes_are_checked():
    y = np.zeros((3, 2), np.float32)
    assert float(F.accuracy(y, np.full(3, -1, np.int32), ignore_label=-1).array) == 0.0
    with pytest.raises(InvalidType, match=r"x.shape\[0\] == t.shape\[0\]"):
        F.accuracy(np.zeros((10, 3), np.float32), np.zeros(4, np.int32))
    with pytest.raises(InvalidType, match=r"x.shape\[2\] == 1"):
        F.accuracy(np.zeros((10, 3, 2), np.float32), np.zeros(10, np.int32))
    with pytest.raises(InvalidType, match="t.dtype.kind == i"):
        F.accuracy(y, np.zeros(3, np.float32))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("label", LABELS)
def test_binary_accuracy(dtype, label):
    rng = np.random.default_rng(2)
    y = rng.uniform(-1, 1, (5, 4)).astype(dtype)
    t = rng.integers(-1, 2, (5, 4)).astype(label)

    def ref(y, t):
        return ((y >= 0) == t).sum() / max((t != -1).sum(), 1)
    check_forward(F.binary_accuracy, ref, [y, t], dtype)
    no_gradient(F.binary_accuracy, y, t)
    assert float(F.binary_accuracy(y, np.full_like(t, -1)).array) == 0.0
    with pytest.raises(InvalidType, match="t.shape == x.shape"):
        F.binary_accuracy(y, t[:2])


def summary_np(y, t, label_num, beta, ignore):
    pred = y.argmax(axis=1).ravel()
    t = t.ravel()
    valid = t != ignore
    tp = np.array([((pred == k) & (t == k) & valid).sum() for k in range(label_num)])
    relevant = np.array([((pred == k) & valid).sum() for k in range(label_num)])
    support = np.array([((t == k) & valid).sum() for k in range(label_num)])
    with np.errstate(invalid="ignore", divide="ignore"):
        p, r = tp / relevant, tp / support
        f = (1 + beta ** 2) * p * r / (beta ** 2 * p + r)
    return p, r, f, support


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("label_num,beta,ignore", [(3, 1.0, -1), (None, 2.0, 0), (4, 0.5, -1)])
def test_classification_summary(dtype, label_num, beta, ignore):
    rng = np.random.default_rng(3)
    y = rng.uniform(-1, 1, (40, 3, 2)).astype(dtype)
    t = rng.integers(-1, 3, (40, 2)).astype(np.int32)
    n = label_num if label_num is not None else int(t.max()) + 1
    want = summary_np(y, t, n, beta, ignore)
    with np.errstate(invalid="ignore", divide="ignore"):
        got = F.classification_summary(y, t, label_num, beta, ignore)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g.array, w, rtol=1e-12)
        assert got[0].dtype == np.float64 and got[3].dtype == np.int64   # as Chainer's
        for f, k in ((F.precision, 0), (F.recall, 1), (F.f1_score, 2)):
            value, support = f(y, t, label_num, ignore_label=ignore)
            if beta == 1.0 or k != 2:
                np.testing.assert_allclose(value.array, want[k], rtol=1e-12)
            np.testing.assert_array_equal(support.array, want[3])
        fb, _ = F.fbeta_score(y, t, label_num, beta, ignore)
        np.testing.assert_allclose(fb.array, want[2], rtol=1e-12)
        if label_num == 3:                  # traced labels need label_num
            check_forward(lambda y, t: F.classification_summary(y, t, label_num, beta,
                                                                ignore),
                          lambda y, t: summary_np(y, t, n, beta, ignore), [y, t], np.float64)
        no_gradient(lambda y, t: F.classification_summary(y, t, n, beta, ignore), y, t)
        jitted = kusari.jit(lambda y, t: F.classification_summary(y, t, n, beta, ignore))
        for g, w in zip(jitted(y, t), want):     # NaN for a class never predicted
            np.testing.assert_allclose(g, w, rtol=1e-12)


def test_classification_summary_needs_label_num_under_jit():
    y = np.zeros((3, 2), np.float32)
    t = np.array([0, 1, 1], np.int32)
    with pytest.raises(ValueError, match="label_num=None needs the labels"):
        kusari.jit(lambda y, t: F.classification_summary(y, t)[0])(y, t)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(10,), (10, 1), (10, 5), (10, 5, 4)])
@pytest.mark.parametrize("multioutput", ["uniform_average", "raw_values"])
def test_r2_score(dtype, shape, multioutput):
    rng = np.random.default_rng(4)
    pred = rng.uniform(-1, 1, shape).astype(dtype)
    true = rng.uniform(-1, 1, shape).astype(dtype)
    if len(shape) > 1:
        true[:, 0] = 0.25                       # SS_tot = 0: r2 counts 0 there

    def ref(p, t):
        res = ((p - t) ** 2).sum(axis=0)
        tot = ((t - t.mean(axis=0)) ** 2).sum(axis=0)
        r2 = np.where(tot == 0, 0.0, 1 - res / np.where(tot == 0, 1, tot))
        return r2.mean() if multioutput == "uniform_average" else r2
    check_forward(lambda p, t: F.r2_score(p, t, multioutput=multioutput), ref, [pred, true],
                  dtype)
    no_gradient(lambda p, t: F.r2_score(p, t, multioutput=multioutput), pred, true)


def test_r2_score_with_sample_weights_and_checks():
    rng = np.random.default_rng(5)
    p, t = rng.uniform(-1, 1, (6, 2)), rng.uniform(-1, 1, (6, 2))
    w = rng.uniform(0.5, 2, 6)
    avg = (w[:, None] * t).sum(0) / w.sum()
    want = 1 - (w[:, None] * (p - t) ** 2).sum(0) / (w[:, None] * (t - avg) ** 2).sum(0)
    np.testing.assert_allclose(F.r2_score(p, t, sample_weight=w, multioutput="raw_values").array,
                               want)
    ones = F.r2_score(p, t, sample_weight=np.ones(6))
    np.testing.assert_allclose(ones.array, F.r2_score(p, t).array)
    with pytest.raises(ValueError, match="invalid multioutput argument"):
        F.r2_score(p, t, multioutput="variance_weighted")
    with pytest.raises(InvalidType, match="pred.shape == true.shape"):
        F.r2_score(p, t[:3])
