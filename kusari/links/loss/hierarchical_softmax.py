"""L.BinaryHierarchicalSoftmax: the hierarchical softmax over a binary tree."""
from __future__ import annotations

import heapq

import numpy as np

from ... import functions as F
from ...configuration import get_dtype
from ...functions._core import var
from ...functions.loss._checks import expect, float_kind, ndim_is
from ...initializers import Uniform
from ...link import Link
from ...variable import Parameter


class TreeParser:
    """Walks a tree of nested pairs: each leaf's path (internal node ids,
    numbered in visiting order) and code (+1 left, -1 right)."""

    def __init__(self, dtype):
        self.next_id = 0
        self.dtype = dtype

    def size(self) -> int:
        return self.next_id

    def get_paths(self) -> dict:
        return self.paths

    def get_codes(self) -> dict:
        return self.codes

    def parse(self, tree) -> None:
        self.next_id = 0
        self.paths, self.codes = {}, {}
        self._parse(tree, [], [])

    def _parse(self, node, path, code) -> None:
        if not isinstance(node, tuple):
            self.paths[node] = np.array(path, dtype=np.int32)
            self.codes[node] = np.array(code, dtype=self.dtype)
            return
        if len(node) != 2:
            raise ValueError("All internal nodes must have two child nodes")
        me = self.next_id
        self.next_id += 1
        self._parse(node[0], path + [me], code + [1.0])
        self._parse(node[1], path + [me], code + [-1.0])


class BinaryHierarchicalSoftmax(Link):
    """-log P(t | x) with P(t | x) = prod over the internal nodes e on t's path
    of sigmoid(b x . W[e]), b = +1 going left, -1 right: O(log n) per word.
    W (internal nodes, in_size) starts uniform in [-1, 1)."""

    def __init__(self, in_size, tree, dtype=None):
        super().__init__()
        dtype = get_dtype(dtype)
        parser = TreeParser(dtype)
        parser.parse(tree)
        paths, codes = parser.get_paths(), parser.get_codes()
        n_vocab = max(paths) + 1
        depth = max(len(p) for p in paths.values())
        # per word: its path padded to the deepest, the code 0 on the padding
        self._nodes = np.zeros((n_vocab, depth), np.int32)
        self._codes = np.zeros((n_vocab, depth), dtype)
        for word, path in paths.items():
            self._nodes[word, :len(path)] = path
            self._codes[word, :len(path)] = codes[word]
        self._n_nodes = parser.size()
        with self.init_scope():
            self.W = Parameter(Uniform(1), (self._n_nodes, in_size))

    @staticmethod
    def create_huffman_tree(word_counts):
        """A binary Huffman tree of nested pairs over the words of
        `word_counts` ({word: count}); ties go to the entry seen first."""
        if not word_counts:
            raise ValueError("Empty vocabulary")
        heap = [(c, uid, w) for uid, (w, c) in enumerate(word_counts.items())]
        heapq.heapify(heap)
        while len(heap) >= 2:
            c1, id1, w1 = heapq.heappop(heap)
            c2, id2, w2 = heapq.heappop(heap)
            heapq.heappush(heap, (c1 + c2, min(id1, id2), (w1, w2)))
        return heap[0][2]

    def forward(self, x, t):
        x, t, W = var(x), var(t), self.W
        expect("BinaryHierarchicalSoftmaxFunction", float_kind(x, "x"), ndim_is(x, 2, "x"),
               (t.dtype == np.int32, "t.dtype == int32", f"{t.dtype} != int32"),
               ndim_is(t, 1, "t"),
               (x.shape[0] == t.shape[0], "x.shape[0] == t.shape[0]",
                f"{x.shape[0]} != {t.shape[0]}"),
               (W.dtype == x.dtype, "W.dtype == x.dtype", f"{W.dtype} != {x.dtype}"),
               (W.shape[0] == self._n_nodes, f"W.shape[0] == {self._n_nodes}",
                f"{W.shape[0]} != {self._n_nodes}"),
               (W.shape[1] == x.shape[1], "W.shape[1] == x.shape[1]",
                f"{W.shape[1]} != {x.shape[1]}"))
        nodes = F.get_item(self._nodes, t)                           # (batch, depth)
        codes = F.get_item(self._codes.astype(x.dtype, copy=False), t)
        wx = F.sum(F.get_item(W, nodes) * F.expand_dims(x, 1), axis=2)
        # softplus(-code w.x) along the path; the padding (code 0) counts for nothing
        return F.sum(F.softplus(-codes * wx) * (codes * codes))
