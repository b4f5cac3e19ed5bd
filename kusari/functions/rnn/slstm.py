"""F.slstm: the S-LSTM unit, an LSTM step over the two children of a binary
tree node (Chainer's gate layout)."""
from __future__ import annotations

from .._core import call, var
from ._util import check_float_cells, expect, expect_eq, interleave, interleaved_gates


def slstm(c_prev1, c_prev2, x1, x2):
    """One S-LSTM step: returns (c, h).

    x1 and x2 each hold a, i, f, o interleaved as in F.lstm (4 times the
    units of their cell):

        c = tanh(a1) sigmoid(i1) + tanh(a2) sigmoid(i2)
            + sigmoid(f1) c_prev1 + sigmoid(f2) c_prev2
        h = sigmoid(o1 + o2) tanh(c)
    """
    c1, c2, x1, x2 = var(c_prev1), var(c_prev2), var(x1), var(x2)
    names = ["c_prev1", "c_prev2", "x1", "x2"]
    check_float_cells("SLSTM", [c1, c2, x1], x2, names[:3], "x2")
    for v, n in zip((x1, c2, x2), names[2:3] + names[1:2] + names[3:]):
        expect_eq("SLSTM", v.shape[0], c1.shape[0], f"{n}.shape[0]", "c_prev1.shape[0]")
    for x, c, xn, cn in ((x1, c1, "x1", "c_prev1"), (x2, c2, "x2", "c_prev2")):
        expect("SLSTM", x.shape[1] == 4 * c.shape[1], f"{xn}.shape[1] == 4 * {cn}.shape[1]",
               f"{x.shape[1]} != {4 * c.shape[1]}")
    for i in range(2, c1.ndim):
        for x, c, xn, cn in ((x1, c1, "x1", "c_prev1"), (x2, c2, "x2", "c_prev2"),
                             (x1, x2, "x1", "x2")):
            expect_eq("SLSTM", x.shape[i], c.shape[i], f"{xn}.shape[{i}]", f"{cn}.shape[{i}]")
    a1, i1, f1, o1 = interleaved_gates(x1, 4)
    a2, i2, f2, o2 = interleaved_gates(x2, 4)
    c = (_tanh(a1) * _sigmoid(i1) + _tanh(a2) * _sigmoid(i2) +
         _sigmoid(f1) * c1 + _sigmoid(f2) * c2)
    h = _sigmoid(o1 + o2) * _tanh(c)
    return c, h


def _sigmoid(x):
    return call("sigmoid", x)


def _tanh(x):
    return call("tanh", x)


class SLSTMGrad:
    """Chainer's SLSTMGrad as a function of its own: (c_prev1, c_prev2, x1,
    x2, c_next, gc, gh) -> (gc_prev1, gc_prev2, gx1, gx2), the S-LSTM's
    gradient with the new cell state given (gc or gh None: zero). Made of
    registry ops; F.slstm differentiates its forward and does not use it."""

    def __call__(self, c_prev1, c_prev2, x1, x2, c_next, gc, gh):
        c1, c2, x1, x2, c_next = (var(v) for v in (c_prev1, c_prev2, x1, x2, c_next))
        a1, i1, f1, o1 = interleaved_gates(x1, 4)
        a2, i2, f2, o2 = interleaved_gates(x2, 4)
        ta1, si1, sf1 = _tanh(a1), _sigmoid(i1), _sigmoid(f1)
        ta2, si2, sf2 = _tanh(a2), _sigmoid(i2), _sigmoid(f2)
        so = _sigmoid(o1 + o2)
        co = _tanh(c_next)
        zero = co * 0
        temp = zero if gh is None else var(gh) * so * (1 - co * co)
        if gc is not None:
            temp = temp + var(gc)
        go = zero if gh is None else var(gh) * co * so * (1 - so)
        gx1 = interleave([temp * si1 * (1 - ta1 * ta1), temp * ta1 * si1 * (1 - si1),
                          temp * c1 * sf1 * (1 - sf1), go])
        gx2 = interleave([temp * si2 * (1 - ta2 * ta2), temp * ta2 * si2 * (1 - si2),
                          temp * c2 * sf2 * (1 - sf2), go])
        return temp * sf1, temp * sf2, gx1, gx2


# `from chainer.functions.rnn import slstm` gives this function in kusari (the
# package exports it under its module's name): it carries its module's public
# names, as Chainer's module has them (slstm.slstm(...) works either way).
slstm.slstm = slstm
slstm.SLSTMGrad = SLSTMGrad
