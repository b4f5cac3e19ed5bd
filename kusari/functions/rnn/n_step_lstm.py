"""Stacked (bi-directional) LSTMs over variable-length sequences (Chainer's
n_step_lstm and n_step_bilstm, with its weight layout)."""
from __future__ import annotations

__all__ = ["n_step_lstm", "n_step_bilstm", "n_step_lstm_base"]

from .._core import call
from ._util import blocked_gates
from .n_step_rnn import check_input_size, check_kwargs, run_layers


def n_step_lstm(n_layers, dropout_ratio, hx, cx, ws, bs, xs, **kwargs):
    """Stacked uni-directional LSTM over time-major xs (xs[t] is (B_t, I),
    B_0 >= B_1 >= ...).

    ws[l] holds 8 matrices, bs[l] 8 vectors: W0..W3 (input gate, forget
    gate, cell input, output gate) act on the input, W4..W7 on the hidden
    state, as in Chainer. hx and cx are (n_layers, B, N). Returns (hy, cy,
    ys): the last hidden and cell states and the last layer's outputs."""
    return n_step_lstm_base(n_layers, dropout_ratio, hx, cx, ws, bs, xs,
                            use_bi_direction=False, **kwargs)


def n_step_bilstm(n_layers, dropout_ratio, hx, cx, ws, bs, xs, **kwargs):
    """Stacked bi-directional LSTM: ws[2 l] runs forward in time, ws[2 l + 1]
    backward; ys[t] is (B_t, 2 N), both directions concatenated."""
    return n_step_lstm_base(n_layers, dropout_ratio, hx, cx, ws, bs, xs,
                            use_bi_direction=True, **kwargs)


def _pack(w, b):
    # blocks in F.lstm's order: cell input (W2), input (W0), forget (W1), output (W3)
    xw = call("concat", w[2], w[0], w[1], w[3], axis=0)
    hw = call("concat", w[6], w[4], w[5], w[7], axis=0)
    xb = call("concat", b[2], b[0], b[1], b[3], axis=0)
    hb = call("concat", b[6], b[4], b[5], b[7], axis=0)
    return (xw, xb), (hw, hb)


def _cell(px, h, c, hw, hb):
    a, i, f, o = blocked_gates(px + call("linear", h, hw, hb), 4)
    c = call("tanh", a) * call("sigmoid", i) + call("sigmoid", f) * c
    return call("sigmoid", o) * call("tanh", c), c


def n_step_lstm_base(n_layers, dropout_ratio, hx, cx, ws, bs, xs, use_bi_direction,
                     **kwargs):
    """n_step_lstm and n_step_bilstm (Chainer's common entry)."""
    check_kwargs(kwargs, "n_step_lstm_base")
    check_input_size(xs, ws)
    return run_layers("n_step_lstm", n_layers, dropout_ratio, hx, cx, ws, bs, xs,
                      use_bi_direction, n_weights=8, pack=_pack, cell=_cell)


# `from chainer.functions.rnn import n_step_lstm` gives this function in kusari (the
# package exports it under its module's name): it carries its module's public
# names, as Chainer's module has them (n_step_lstm.n_step_lstm(...) works either way).
n_step_lstm.n_step_lstm = n_step_lstm
n_step_lstm.n_step_bilstm = n_step_bilstm
n_step_lstm.n_step_lstm_base = n_step_lstm_base
