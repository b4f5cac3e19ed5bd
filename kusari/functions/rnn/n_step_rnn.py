"""Stacked (bi-directional) Elman RNNs over variable-length sequences, and
the loop the n-step LSTM and GRU share (Chainer's argument layout).

Sequences are given time-major: xs[t] is (B_t, I), the batch sorted by
decreasing length so that B_0 >= B_1 >= ... Rows of a sequence that has
ended keep their last hidden state, which is where hy takes it from.

The loop is registry ops throughout (linear, elementwise gates, slices and
concatenations), so the result differentiates to any order and compiles
under kusari.jit. Each layer projects the inputs of all time steps with one
matrix product instead of one per step.
"""
from __future__ import annotations

__all__ = ["n_step_rnn", "n_step_birnn", "n_step_rnn_base"]

from .._core import Variable, call, var
from ._util import rows


def n_step_rnn(n_layers, dropout_ratio, hx, ws, bs, xs, activation="tanh", **kwargs):
    """Stacked uni-directional RNN: h_t = act(W0 x_t + b0 + W1 h_{t-1} + b1).

    ws[l] = [W0, W1], bs[l] = [b0, b1] for layer l; hx is (n_layers, B, N).
    Returns (hy, ys): the last hidden states, (n_layers, B, N), and the
    outputs of the last layer, one (B_t, N) per step."""
    return n_step_rnn_base(n_layers, dropout_ratio, hx, ws, bs, xs, activation,
                           use_bi_direction=False, **kwargs)


def n_step_birnn(n_layers, dropout_ratio, hx, ws, bs, xs, activation="tanh", **kwargs):
    """Stacked bi-directional RNN: ws[2 l] runs forward in time, ws[2 l + 1]
    backward, and the next layer reads both outputs concatenated (2 N wide).
    hx is (2 n_layers, B, N); ys[t] is (B_t, 2 N)."""
    return n_step_rnn_base(n_layers, dropout_ratio, hx, ws, bs, xs, activation,
                           use_bi_direction=True, **kwargs)


def n_step_rnn_base(n_layers, dropout_ratio, hx, ws, bs, xs, activation,
                    use_bi_direction, **kwargs):
    """n_step_rnn and n_step_birnn (Chainer's common entry)."""
    check_kwargs(kwargs, "n_step_rnn_base")
    if activation not in ("tanh", "relu"):
        raise ValueError(f'Invalid activation: "{activation}". Please select from '
                         "[tanh,relu]")
    check_input_size(xs, ws)
    act = activation

    def cell(px, h, c, hw, hb):
        return call(act, px + call("linear", h, hw, hb)), None

    hy, _, ys = run_layers(
        "n_step_rnn", n_layers, dropout_ratio, hx, None, ws, bs, xs, use_bi_direction,
        n_weights=2, pack=lambda w, b: ((w[0], b[0]), (w[1], b[1])), cell=cell)
    return hy, ys


# -- the loop the LSTM and GRU share -------------------------------------------------

def check_kwargs(kwargs: dict, caller: str) -> None:
    """Chainer's refusals of the arguments it no longer takes."""
    if not kwargs:
        return
    if "train" in kwargs:
        raise ValueError("train argument is not supported anymore. Use "
                         "chainer.using_config")
    if "use_cudnn" in kwargs:
        raise ValueError("use_cudnn argument is not supported anymore. Use "
                         "chainer.using_config")
    names = ", ".join(repr(k) for k in sorted(kwargs))
    raise TypeError(f"{caller}() got unexpected keyword argument(s) {names}")


def check_input_size(xs, ws) -> None:
    if len(xs) and len(ws) and len(ws[0]):
        x_in, w_in = xs[0].shape[1], ws[0][0].shape[1]
        if x_in != w_in:
            raise ValueError("Inconsistent input size in input values and weight "
                             f"parameters: {x_in} != {w_in}")


def run_layers(label, n_layers, dropout_ratio, hx, cx, ws, bs, xs, bi, *, n_weights,
               pack, cell):
    """Run a stacked RNN; returns (hy, cy or None, ys).

    pack(w, b) turns layer weights into ((input weight, input bias), (hidden
    weight, hidden bias)); cell(px, h, c, hw, hb) makes one step from the
    projected input px and returns (h, c)."""
    directions = 2 if bi else 1
    hx = var(hx)
    cx = None if cx is None else var(cx)
    xs = [var(x) for x in xs]
    _check(label, n_layers, directions, hx, cx, ws, bs, xs, n_weights)
    hs = _separate(hx)
    cs = _separate(cx) if cx is not None else [None] * len(hs)
    lengths = [x.shape[0] for x in xs]
    hy, cy = [], []
    inputs = xs
    for layer in range(n_layers):
        joined = _join(inputs)
        outputs = []
        for d in range(directions):
            idx = directions * layer + d
            (xw, xb), (hw, hb) = pack([var(w) for w in ws[idx]], [var(b) for b in bs[idx]])
            x_in = joined
            if layer > 0:
                from ..noise.dropout import dropout
                x_in = dropout(joined, dropout_ratio)
            proj = _split(call("linear", x_in, xw, xb), lengths)
            h, c, out = _one_direction(cell, proj, hs[idx], cs[idx], hw, hb, reverse=d == 1)
            hy.append(h)
            cy.append(c)
            outputs.append(out)
        if bi:
            inputs = [call("concat", f, b, axis=1) for f, b in zip(*outputs)]
        else:
            inputs = outputs[0]
    hy = _stack(hy)
    cy = _stack(cy) if cx is not None else None
    return hy, cy, tuple(inputs)


def _one_direction(cell, proj, h, c, hw, hb, reverse: bool):
    """The steps of one layer in one direction over the projected inputs
    `proj` (one per time step). Rows whose sequence has ended are set aside
    (forward) or join when theirs begins (backward)."""
    outs = [None] * len(proj)
    order = range(len(proj) - 1, -1, -1) if reverse else range(len(proj))
    total = h.shape[0]
    if reverse:
        # the backward pass starts at the last step, which has the fewest rows
        done_h, done_c = h, c
        h = c = None
        rows_now = 0
        for t in order:
            batch = proj[t].shape[0]
            if batch > rows_now:
                new_h = rows(done_h, rows_now, batch)
                new_c = rows(done_c, rows_now, batch) if done_c is not None else None
                h = new_h if h is None else call("concat", h, new_h, axis=0)
                if c is not None or new_c is not None:
                    c = new_c if c is None else call("concat", c, new_c, axis=0)
                rows_now = batch
            h, c = cell(proj[t], h, c, hw, hb)
            outs[t] = h
        if rows_now < total:
            rest_h = rows(done_h, rows_now, None)
            h = rest_h if h is None else call("concat", h, rest_h, axis=0)
            if done_c is not None:
                rest_c = rows(done_c, rows_now, None)
                c = rest_c if c is None else call("concat", c, rest_c, axis=0)
        return h, c, outs
    set_aside = []
    for t in order:
        batch = proj[t].shape[0]
        if batch < h.shape[0]:
            set_aside.append((rows(h, batch, None),
                              rows(c, batch, None) if c is not None else None))
            h = rows(h, 0, batch)
            c = rows(c, 0, batch) if c is not None else None
        h, c = cell(proj[t], h, c, hw, hb)
        outs[t] = h
    for rest_h, rest_c in reversed(set_aside):
        h = call("concat", h, rest_h, axis=0)
        if c is not None:
            c = call("concat", c, rest_c, axis=0)
    return h, c, outs


def _check(label, n_layers, directions, hx, cx, ws, bs, xs, n_weights):
    n = n_layers * directions
    if hx.ndim != 3 or hx.shape[0] != n:
        raise ValueError(f"{label}: hx must have shape (n_layers * directions, batch, "
                         f"units) = ({n}, batch, units), not {hx.shape}")
    if cx is not None and cx.shape != hx.shape:
        raise ValueError(f"{label}: cx must have hx's shape {hx.shape}, not {cx.shape}")
    if len(ws) != n or len(bs) != n:
        raise ValueError(f"{label}: ws and bs need {n} entries (n_layers * directions), "
                         f"not {len(ws)} and {len(bs)}")
    for i, (w, b) in enumerate(zip(ws, bs)):
        if len(w) != n_weights or len(b) != n_weights:
            raise ValueError(f"{label}: ws[{i}] and bs[{i}] need {n_weights} entries each, "
                             f"not {len(w)} and {len(b)}")
    if not xs:
        raise ValueError(f"{label}: xs must hold at least one time step")
    if xs[0].dtype.kind != "f" or hx.dtype != xs[0].dtype:
        raise TypeError(f"{label}: hx and xs must be of one float dtype, not {hx.dtype} "
                        f"and {xs[0].dtype}")
    previous = hx.shape[1]
    for t, x in enumerate(xs):
        if x.ndim != 2:
            raise ValueError(f"{label}: xs[{t}] must be 2-dimensional (batch, units), "
                             f"not of shape {x.shape}")
        if x.shape[0] > previous:
            where = "hx's batch" if t == 0 else f"xs[{t - 1}]'s"
            raise ValueError(f"{label}: xs must be sorted by decreasing batch size: "
                             f"xs[{t}] has {x.shape[0]} rows, more than {where} "
                             f"{previous}")
        previous = x.shape[0]


def _separate(x: Variable) -> list:
    return [call("getitem", x, key=(("i", i),)) for i in range(x.shape[0])]


def _stack(xs: list) -> Variable:
    xs = [call("reshape", x, shape=(1,) + x.shape) for x in xs]
    return xs[0] if len(xs) == 1 else call("concat", *xs, axis=0)


def _join(xs: list) -> Variable:
    return xs[0] if len(xs) == 1 else call("concat", *xs, axis=0)


def _split(x: Variable, lengths: list) -> list:
    if len(lengths) == 1:
        return [x]
    out, start = [], 0
    for n in lengths:
        out.append(rows(x, start, start + n))
        start += n
    return out


# `from chainer.functions.rnn import n_step_rnn` gives this function in kusari (the
# package exports it under its module's name): it carries its module's public
# names, as Chainer's module has them (n_step_rnn.n_step_rnn(...) works either way).
n_step_rnn.n_step_rnn = n_step_rnn
n_step_rnn.n_step_birnn = n_step_birnn
n_step_rnn.n_step_rnn_base = n_step_rnn_base
