"""F.lstm: one step of a long short-term memory unit (Chainer's gate layout)."""
from __future__ import annotations

from .._core import Variable, call, var
from ._util import check_float_cells, expect, interleaved_gates, rows


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
