"""Loss links against their functional forms: NegativeSampling, BlackOut,
CRF1d (per-step batches and per-sequence lists), BinaryHierarchicalSoftmax
(against its definition, with a Huffman tree)."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L


def data(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)


def test_negative_sampling_link_draws_with_walker_alias_as_chainer():
    link = L.NegativeSampling(3, [4, 1, 2, 8], 2)
    assert link.W.shape == (4, 3) and (link.W.array == 0).all()
    link.W.array[:] = data((4, 3))
    x, t = data((2, 3), 1), np.array([1, 3], np.int32)
    np.random.seed(5)
    loss, samples = link(x, t, return_samples=True)
    np.random.seed(5)
    want = F.negative_sampling(x, t, link.W, link.sampler.sample, 2)
    np.testing.assert_array_equal(loss.array, want.array)
    assert samples.shape == (2, 3) and (samples[:, 0] == t).all()
    # words are drawn in proportion to counts ** 0.75
    p = np.array([4, 1, 2, 8], np.float64) ** 0.75
    drawn = np.bincount(link.sampler.sample((20000,)), minlength=4) / 20000
    np.testing.assert_allclose(drawn, p / p.sum(), atol=0.02)


def test_black_out_link_uses_sample_data():
    link = L.BlackOut(2, [1, 2, 3, 4], 2)
    link.W.array[:] = data((4, 2))
    x, t = data((3, 2), 1), np.array([0, 2, 3], np.int32)
    link.sample_data = np.array([[1, 2], [3, 0], [1, 1]], np.int32)
    want = F.black_out(x, t, link.W, link.sample_data)
    np.testing.assert_array_equal(link(x, t).array, want.array)


def test_crf1d_link_with_sequences_in_any_order():
    link = L.CRF1d(3, initial_cost=data((3, 3), 2))
    seqs = [data((n, 3), 10 + n) for n in (2, 3, 1)]
    labels = [np.random.default_rng(n).integers(0, 3, n).astype(np.int32) for n in (2, 3, 1)]
    # per-step batches of the sequences sorted longest first: 3, 2, 1
    order = [1, 0, 2]
    xs = [np.stack([seqs[i][s] for i in order if len(seqs[i]) > s]) for s in range(3)]
    ys = [np.stack([labels[i][s] for i in order if len(labels[i]) > s]) for s in range(3)]
    want = F.crf1d(link.cost, xs, ys, reduce="no")
    got = link(seqs, labels, reduce="no", transpose=True)
    np.testing.assert_allclose(np.sort(got.array), np.sort(want.array), rtol=1e-6)
    np.testing.assert_allclose(link(xs, ys).array, want.array.mean(), rtol=1e-6)
    score, path = link.argmax(seqs, transpose=True)
    _, want_path = F.argmax_crf1d(link.cost, xs)
    for k, i in enumerate(order):          # paths come back in the sequences' order
        np.testing.assert_array_equal(path[i], [p[k] for p in want_path if len(p) > k])


def test_binary_hierarchical_softmax():
    tree = L.BinaryHierarchicalSoftmax.create_huffman_tree({0: 8, 1: 5, 2: 6, 3: 4})
    assert tree == ((3, 1), (2, 0))
    with pytest.raises(ValueError, match="Empty vocabulary"):
        L.BinaryHierarchicalSoftmax.create_huffman_tree({})
    link = L.BinaryHierarchicalSoftmax(2, tree)
    assert link.W.shape == (3, 2)                       # one row per internal node
    x = kusari.Variable(data((4, 2), 3))
    t = np.array([0, 1, 2, 3], np.int32)
    loss = link(x, t)
    # nodes numbered as visited: root 0, (3, 1) 1, (2, 0) 2; left +1, right -1
    paths = {3: [(0, 1), (1, 1)], 1: [(0, 1), (1, -1)], 2: [(0, -1), (2, 1)],
             0: [(0, -1), (2, -1)]}
    W = link.W.array.astype(np.float64)
    want = sum(np.logaddexp(0, -c * W[n] @ x.array[i]) for i, w in enumerate(t)
               for n, c in paths[w])
    np.testing.assert_allclose(loss.array, want, rtol=1e-5)
    loss.backward()
    assert x.grad is not None and link.W.grad is not None
    jitted = kusari.jit(lambda x, t: link(x, t))
    np.testing.assert_allclose(jitted(x.array, t), loss.array, rtol=1e-6)
