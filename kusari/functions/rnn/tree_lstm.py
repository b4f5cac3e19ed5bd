"""F.tree_lstm: the N-ary (and child-sum) TreeLSTM unit."""
from __future__ import annotations

from .._core import call, var
from ._util import blocked_gates, expect, expect_eq


def tree_lstm(*inputs):
    """One TreeLSTM step over N children: tree_lstm(c1, ..., cN, x) returns
    (c, h).

    x holds 3 + N blocks of the cell's width, in order a, i, o, f1 ... fN
    (blocks, not interleaved as in F.lstm):

        c = tanh(a) sigmoid(i) + sum_k sigmoid(f_k) c_k,   h = sigmoid(o) tanh(c)
    """
    expect("TreeLSTM", len(inputs) >= 2, "in_types.size() >= 2", f"{len(inputs)} < 2")
    xs = [var(v) for v in inputs]
    cs, x = xs[:-1], xs[-1]
    n = len(cs)
    expect("TreeLSTM", x.ndim >= 2, "x.ndim >= 2", f"{x.ndim} < 2")
    for k, c in enumerate(cs):
        name = f"c{k + 1}"
        expect("TreeLSTM", c.dtype.kind == "f", f"{name}.dtype.kind == f",
               f"{c.dtype.kind} != f")
        expect_eq("TreeLSTM", x.dtype, c.dtype, "x.dtype", f"{name}.dtype")
        expect("TreeLSTM", c.ndim >= 2, f"{name}.ndim >= 2", f"{c.ndim} < 2")
        expect_eq("TreeLSTM", c.ndim, x.ndim, f"{name}.ndim", "x.ndim")
        expect_eq("TreeLSTM", x.shape[0], c.shape[0], "x.shape[0]", f"{name}.shape[0]")
        expect("TreeLSTM", x.shape[1] == (3 + n) * c.shape[1],
               f"x.shape[1] == {3 + n} * {name}.shape[1]",
               f"{x.shape[1]} != {(3 + n) * c.shape[1]}")
        for j in range(2, c.ndim):
            expect_eq("TreeLSTM", x.shape[j], c.shape[j], f"x.shape[{j}]",
                      f"{name}.shape[{j}]")
    gates = blocked_gates(x, 3 + n)
    a, i, o = gates[:3]
    c = call("tanh", a) * call("sigmoid", i)
    for f, c_k in zip(gates[3:], cs):
        c = c + call("sigmoid", f) * c_k
    h = call("sigmoid", o) * call("tanh", c)
    return c, h


# `from chainer.functions.rnn import tree_lstm` gives this function in kusari (the
# package exports it under its module's name): it carries its module's public
# names, as Chainer's module has them (tree_lstm.tree_lstm(...) works either way).
tree_lstm.tree_lstm = tree_lstm
