"""Stacked (bi-directional) GRUs over variable-length sequences (Chainer's
n_step_gru and n_step_bigru, with its weight layout)."""
from __future__ import annotations

__all__ = ["n_step_gru", "n_step_bigru", "n_step_gru_base"]

from .._core import call
from ._util import blocked_gates
from .n_step_rnn import check_kwargs, run_layers


def n_step_gru(n_layers, dropout_ratio, hx, ws, bs, xs, **kwargs):
    """Stacked uni-directional GRU over time-major xs (xs[t] is (B_t, I),
    B_0 >= B_1 >= ...).

    ws[l] holds 6 matrices, bs[l] 6 vectors, as in Chainer:

        r = sigmoid(W0 x + b0 + W3 h + b3)
        z = sigmoid(W1 x + b1 + W4 h + b4)
        h_bar = tanh(W2 x + b2 + r (W5 h + b5))
        h' = (1 - z) h_bar + z h

    Returns (hy, ys)."""
    return n_step_gru_base(n_layers, dropout_ratio, hx, ws, bs, xs,
                           use_bi_direction=False, **kwargs)


def n_step_bigru(n_layers, dropout_ratio, hx, ws, bs, xs, **kwargs):
    """Stacked bi-directional GRU: ws[2 l] runs forward in time, ws[2 l + 1]
    backward; ys[t] is (B_t, 2 N)."""
    return n_step_gru_base(n_layers, dropout_ratio, hx, ws, bs, xs,
                           use_bi_direction=True, **kwargs)


def _pack(w, b):
    return ((call("concat", w[0], w[1], w[2], axis=0), call("concat", b[0], b[1], b[2], axis=0)),
            (call("concat", w[3], w[4], w[5], axis=0), call("concat", b[3], b[4], b[5], axis=0)))


def _cell(px, h, c, hw, hb):
    xr, xz, xh = blocked_gates(px, 3)
    hr, hz, hh = blocked_gates(call("linear", h, hw, hb), 3)
    r = call("sigmoid", xr + hr)
    z = call("sigmoid", xz + hz)
    h_bar = call("tanh", xh + r * hh)
    return (1 - z) * h_bar + z * h, None


def n_step_gru_base(n_layers, dropout_ratio, hx, ws, bs, xs, use_bi_direction, **kwargs):
    """n_step_gru and n_step_bigru (Chainer's common entry)."""
    check_kwargs(kwargs, "n_step_gru_base")
    hy, _, ys = run_layers("n_step_gru", n_layers, dropout_ratio, hx, None, ws, bs, xs,
                           use_bi_direction, n_weights=6, pack=_pack, cell=_cell)
    return hy, ys


# `from chainer.functions.rnn import n_step_gru` gives this function in kusari (the
# package exports it under its module's name): it carries its module's public
# names, as Chainer's module has them (n_step_gru.n_step_gru(...) works either way).
n_step_gru.n_step_gru = n_step_gru
n_step_gru.n_step_bigru = n_step_bigru
n_step_gru.n_step_gru_base = n_step_gru_base
