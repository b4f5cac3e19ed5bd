"""F.lstm: one step of a long short-term memory unit (Chainer's gate layout)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import check_float_cells, expect, interleave, interleaved_gates, rows


def lstm(c_prev, x):
    """One LSTM step: returns (c, h).

    `x` holds the cell input a and the input, forget and output gates i, f,
    o, interleaved as Chainer lays them out (gate k of unit u at column
    4 u + k), so x.shape[1] == 4 * c_prev.shape[1]:

        c = tanh(a) sigmoid(i) + sigmoid(f) c_prev,   h = sigmoid(o) tanh(c)

    A batch of x smaller than c_prev's (sequences sorted by decreasing
    length) updates c_prev[:len(x)] and passes the rest on unchanged.

    Made of registry ops: it differentiates to any order and, under
    kusari.jit, its gate math fuses into one kernel.
    """
    c_prev, x = var(c_prev), var(x)
    check_float_cells("LSTM", [c_prev], x, ["c"])
    expect("LSTM", x.shape[0] <= c_prev.shape[0], "x.shape[0] <= c.shape[0]",
           f"{x.shape[0]} > {c_prev.shape[0]}")
    expect("LSTM", x.shape[1] == 4 * c_prev.shape[1], "x.shape[1] == 4 * c.shape[1]",
           f"{x.shape[1]} != {4 * c_prev.shape[1]}")
    for i in range(2, c_prev.ndim):
        expect("LSTM", x.shape[i] == c_prev.shape[i], f"x.shape[{i}] == c.shape[{i}]",
               f"{x.shape[i]} != {c_prev.shape[i]}")
    batch = x.shape[0]
    a, i, f, o = interleaved_gates(x, 4)
    c_in = c_prev if batch == c_prev.shape[0] else rows(c_prev, 0, batch)
    c = _tanh(a) * _sigmoid(i) + _sigmoid(f) * c_in
    h = _sigmoid(o) * _tanh(c)
    if batch < c_prev.shape[0]:
        c = call("concat", c, rows(c_prev, batch, None), axis=0)
    return c, h


def _sigmoid(x: Variable) -> Variable:
    return call("sigmoid", x)


def _tanh(x: Variable) -> Variable:
    return call("tanh", x)


class LSTMGrad:
    """Chainer's LSTMGrad as a function of its own: (c_prev, x, c_next, gc,
    gh) -> (gc_prev, gx), the LSTM's gradient with the new cell state c_next
    given (gc or gh None: zero). Made of registry ops, so it differentiates
    again; F.lstm itself differentiates its forward and does not use it."""

    def __call__(self, c_prev, x, c_next, gc, gh):
        c_prev, x, c_next = var(c_prev), var(x), var(c_next)
        batch = x.shape[0]
        a, i, f, o = interleaved_gates(x, 4)
        ta, si, sf, so = _tanh(a), _sigmoid(i), _sigmoid(f), _sigmoid(o)
        co = _tanh(rows(c_next, 0, batch))
        temp = 0
        if gh is not None:
            gh = var(gh)
            temp = gh * so * (1 - co * co)
        if gc is not None:
            temp = temp + rows(var(gc), 0, batch)
        if isinstance(temp, int):
            temp = co * 0
        go = gh * co * so * (1 - so) if gh is not None else co * 0
        gx = interleave([temp * si * (1 - ta * ta), temp * ta * si * (1 - si),
                         temp * rows(c_prev, 0, batch) * sf * (1 - sf), go])
        gc_prev = temp * sf
        if batch < c_prev.shape[0]:
            rest = rows(var(gc), batch, None) if gc is not None else \
                rows(c_prev, batch, None) * 0
            gc_prev = call("concat", gc_prev, rest, axis=0)
        return gc_prev, gx


# `from chainer.functions.rnn import lstm` gives this function in kusari (the
# package exports it under its module's name): it carries its module's public
# names, as Chainer's module has them (lstm.lstm(...) works either way).
lstm.lstm = lstm
lstm.LSTMGrad = LSTMGrad
