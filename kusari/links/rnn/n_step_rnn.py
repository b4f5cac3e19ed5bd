"""Links for stacked (bi-directional) Elman RNNs over lists of sequences
(Chainer's NStepRNNTanh, NStepRNNReLU and their Bi- forms), and the base
the n-step LSTM and GRU links share."""
from __future__ import annotations

import numpy as np

from ... import initializers
from ...functions.rnn.n_step_rnn import check_kwargs, n_step_birnn, n_step_rnn
from ...functions.rnn._sequences import by_time, by_sequence, permute_batch
from ...link import ChainList, Link
from ...variable import Parameter, Variable


class NStepRNNBase(ChainList):
    """Stacked RNN over a list of sequences of any lengths, in any order.

    Each layer (and direction) is a child Link holding w0..w{n-1} and
    b0..b{n-1}, with Chainer's names and shapes (so its files load).
    forward(hx, xs): xs is a list of (length_i, in_size) arrays; hx is the
    initial state (None: zeros); returns (hy, ys), ys one per sequence."""

    n_weights = 2
    use_bi_direction = False

    def __init__(self, n_layers, in_size, out_size, dropout, *, initialW=None,
                 initial_bias=None, **kwargs):
        if kwargs:
            for name, message in (
                    ("use_cudnn", "use_cudnn argument is not supported anymore. Use "
                                  "chainer.using_config"),
                    ("use_bi_direction", "use_bi_direction is not supported anymore"),
                    ("activation", "activation is not supported anymore")):
                if name in kwargs:
                    raise ValueError(message)
            check_kwargs(kwargs, "__init__")
        direction = 2 if self.use_bi_direction else 1
        w_init = initializers._get_initializer(initialW)
        b_init = initializers._get_initializer(0 if initial_bias is None else initial_bias)
        layers = []
        for i in range(n_layers):
            for _ in range(direction):
                weight = Link()
                with weight.init_scope():
                    for j in range(self.n_weights):
                        if j >= self.n_weights // 2:
                            w_in = out_size
                        else:
                            w_in = in_size if i == 0 else out_size * direction
                        setattr(weight, f"w{j}", Parameter(w_init, (out_size, w_in)))
                        setattr(weight, f"b{j}", Parameter(b_init, out_size))
                layers.append(weight)
        super().__init__(*layers)
        self._collect_weights()
        self.n_layers = n_layers
        self.dropout = dropout
        self.out_size = out_size
        self.direction = direction

    def _collect_weights(self) -> None:
        self.ws = [[getattr(layer, f"w{i}") for i in range(self.n_weights)] for layer in self]
        self.bs = [[getattr(layer, f"b{i}") for i in range(self.n_weights)] for layer in self]

    def copy(self, mode="share"):
        ret = super().copy(mode)
        ret._collect_weights()
        return ret

    def init_hx(self, xs):
        shape = (self.n_layers * self.direction, len(xs), self.out_size)
        return Variable(self.xp.zeros(shape, dtype=xs[0].dtype))

    def rnn(self, *args):
        """The n-step function (given n_layers, dropout, states, ws, bs, xs)."""
        raise NotImplementedError(f"{type(self).__name__} names no n-step function")

    @property
    def n_cells(self) -> int:
        """How many states the RNN carries (hx, and cx for an LSTM)."""
        return 1

    def forward(self, hx, xs, **kwargs):
        (hy,), ys = self._call([hx], xs, **kwargs)
        return hy, ys

    def _call(self, hs, xs, **kwargs):
        """Sort the sequences by decreasing length, run time-major, restore
        the order: returns (states, ys)."""
        if kwargs:
            if "train" in kwargs:
                raise ValueError("train argument is not supported anymore. Use "
                                 "chainer.using_config")
            check_kwargs(kwargs, "_call")
        if not isinstance(xs, (list, tuple)):
            raise TypeError(f"{type(self).__name__}: xs must be a list of sequences, not "
                            f"{type(xs).__name__}")
        order = np.argsort([-len(x) for x in xs], kind="stable").astype(np.int32)
        xs = [xs[i] for i in order]
        states = [self.init_hx(xs) if h is None else permute_batch(h, order) for h in hs]
        result = self.rnn(self.n_layers, self.dropout, *states, self.ws, self.bs,
                          by_time(xs))
        inverse = np.argsort(order).astype(np.int32)
        out_states = [permute_batch(h, inverse) for h in result[:-1]]
        ys = by_sequence(result[-1], [len(x) for x in xs])
        return out_states, [ys[i] for i in inverse]


class NStepRNNTanh(NStepRNNBase):
    """Stacked uni-directional RNN with tanh."""
    n_weights = 2
    use_bi_direction = False

    def rnn(self, *args):
        return n_step_rnn(*args, activation="tanh")


class NStepRNNReLU(NStepRNNBase):
    """Stacked uni-directional RNN with ReLU."""
    n_weights = 2
    use_bi_direction = False

    def rnn(self, *args):
        return n_step_rnn(*args, activation="relu")


class NStepBiRNNTanh(NStepRNNBase):
    """Stacked bi-directional RNN with tanh."""
    n_weights = 2
    use_bi_direction = True

    def rnn(self, *args):
        return n_step_birnn(*args, activation="tanh")


class NStepBiRNNReLU(NStepRNNBase):
    """Stacked bi-directional RNN with ReLU."""
    n_weights = 2
    use_bi_direction = True

    def rnn(self, *args):
        return n_step_birnn(*args, activation="relu")
