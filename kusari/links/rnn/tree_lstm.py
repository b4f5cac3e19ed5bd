"""TreeLSTM links (Chainer's ChildSumTreeLSTM and NaryTreeLSTM)."""
from __future__ import annotations

from ...functions import concat, sigmoid, split_axis, tanh
from ...functions.rnn.tree_lstm import tree_lstm
from ...link import Chain
from ...links.connection.linear import Linear


def _x_or_zeros(link, cs, hs, x):
    """x, or zeros shaped from the first state given (a leaf without input)."""
    if x is not None:
        return x
    given = [v for v in list(cs) + list(hs) if v is not None]
    if not given:
        raise ValueError("All inputs (cs, hs, x) are None.")
    return link.xp.zeros((given[0].shape[0], link.in_size), dtype=given[0].dtype)


def _pad_zero_nodes(link, vs, shape, dtype):
    if any(v is None for v in vs):
        zero = link.xp.zeros(shape, dtype=dtype)
        return tuple(zero if v is None else v for v in vs)
    return tuple(vs)


class ChildSumTreeLSTM(Chain):
    """forward(c1, ..., cN, h1, ..., hN, x) -> (c, h) for any number of
    children N: the children's h are summed for the a, i, o gates; each child
    has its own forget gate. A missing child (None) counts as zeros; x None
    as zeros too."""

    def __init__(self, in_size, out_size):
        super().__init__()
        with self.init_scope():
            self.W_x = Linear(in_size, 4 * out_size)
            self.W_h_aio = Linear(out_size, 3 * out_size, nobias=True)
            self.W_h_f = Linear(out_size, out_size, nobias=True)
        self.in_size = in_size
        self.state_size = out_size

    def forward(self, *cshsx):
        if len(cshsx) % 2 != 1:
            raise ValueError("ChildSumTreeLSTM takes c1..cN, h1..hN and x: an odd number "
                             f"of arguments, not {len(cshsx)}")
        cs = cshsx[:len(cshsx) // 2]
        hs = cshsx[len(cshsx) // 2:-1]
        x = _x_or_zeros(self, cs, hs, cshsx[-1])
        w_x_aio, w_x_f = split_axis(self.W_x(x), [3 * self.state_size], axis=1)
        if not hs:
            a, i, o = split_axis(w_x_aio, 3, axis=1)
            c = sigmoid(i) * tanh(a)
            return c, sigmoid(o) * tanh(c)
        shape = (x.shape[0], self.state_size)
        hs = _pad_zero_nodes(self, hs, shape, x.dtype)
        cs = _pad_zero_nodes(self, cs, shape, x.dtype)
        aio_in = self.W_h_aio(sum(hs)) + w_x_aio
        w_h_fs = concat(split_axis(self.W_h_f(concat(hs, axis=0)), len(hs), axis=0), axis=1)
        f_in = w_h_fs + concat([w_x_f] * len(hs), axis=1)
        return tree_lstm(*(cs + (concat([aio_in, f_in], axis=1),)))


class NaryTreeLSTM(Chain):
    """forward(c1, ..., cN, h1, ..., hN, x) -> (c, h) for exactly n_ary
    children, each with its own weights W_h1 .. W_hN. A missing child (None)
    counts as zeros; x None as zeros too."""

    def __init__(self, in_size, out_size, n_ary=2):
        if n_ary < 1:
            raise ValueError(f"NaryTreeLSTM needs n_ary >= 1, not {n_ary}")
        super().__init__()
        with self.init_scope():
            self.W_x = Linear(in_size, (3 + n_ary) * out_size)
            for i in range(1, n_ary + 1):
                setattr(self, f"W_h{i}", Linear(out_size, (3 + n_ary) * out_size, nobias=True))
        self.in_size = in_size
        self.state_size = out_size
        self.n_ary = n_ary

    def forward(self, *cshsx):
        if len(cshsx) != self.n_ary * 2 + 1:
            raise ValueError(f"NaryTreeLSTM({self.n_ary}-ary) takes {self.n_ary * 2 + 1} "
                             f"arguments (c1..cN, h1..hN, x), not {len(cshsx)}")
        cs = cshsx[:self.n_ary]
        hs = cshsx[self.n_ary:-1]
        x = _x_or_zeros(self, cs, hs, cshsx[-1])
        tree_lstm_in = self.W_x(x)
        for i, h in enumerate(hs, start=1):
            if h is not None:
                tree_lstm_in = tree_lstm_in + getattr(self, f"W_h{i}")(h)
        cs = _pad_zero_nodes(self, cs, (x.shape[0], self.state_size), x.dtype)
        return tree_lstm(*(cs + (tree_lstm_in,)))
