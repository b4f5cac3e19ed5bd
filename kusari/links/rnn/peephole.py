"""The LSTM with peephole connections (Chainer's StatefulPeepholeLSTM)."""
from __future__ import annotations

from ...functions import sigmoid, tanh
from ...functions.rnn._util import interleaved_gates
from ...link import Chain
from ...links.connection.linear import Linear
from ...variable import Variable
from ._state import set_state, visit_states


class StatefulPeepholeLSTM(Chain):
    """Gates see the cell: i and f read c_prev (peep_i, peep_f), o reads
    the new c (peep_o); gates interleaved as F.lstm lays them out."""

    def __init__(self, in_size, out_size):
        super().__init__()
        self.state_size = out_size
        self.reset_state()
        with self.init_scope():
            self.upward = Linear(in_size, 4 * out_size)
            self.lateral = Linear(out_size, 4 * out_size, nobias=True)
            self.peep_i = Linear(out_size, out_size, nobias=True)
            self.peep_f = Linear(out_size, out_size, nobias=True)
            self.peep_o = Linear(out_size, out_size, nobias=True)

    def reset_state(self) -> None:
        self.c = self.h = None

    def device_resident_accept(self, visitor):
        super().device_resident_accept(visitor)
        visit_states(self, visitor)

    def forward(self, x):
        lstm_in = self.upward(x)
        if self.h is not None:
            lstm_in = lstm_in + self.lateral(self.h)
        if self.c is None:
            self.c = Variable(self.xp.zeros((len(x), self.state_size), dtype=x.dtype))
        a, i, f, o = interleaved_gates(lstm_in, 4)
        i = sigmoid(i + self.peep_i(self.c))
        f = sigmoid(f + self.peep_f(self.c))
        c = tanh(a) * i + f * self.c
        o = sigmoid(o + self.peep_o(c))
        h = o * tanh(c)
        set_state(self, "c", c)
        set_state(self, "h", h)
        return h
