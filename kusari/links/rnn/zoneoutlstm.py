"""L.StatefulZoneoutLSTM: an LSTM whose state units keep their previous
value at random (zoneout), Chainer's parameters and draws."""
from __future__ import annotations

from ...functions import sigmoid, tanh
from ...functions.noise.zoneout import zoneout
from ...functions.rnn._util import interleaved_gates
from ...functions.rnn.n_step_rnn import check_kwargs
from ...link import Chain
from ...links.connection.linear import Linear
from ...variable import Variable
from ._state import set_state, visit_states


class StatefulZoneoutLSTM(Chain):
    """forward(x) updates and returns h. In training each unit of c keeps
    its old value with probability c_ratio and each of h with h_ratio
    (F.zoneout); outside training this is the LSTM. Gates interleaved as
    F.lstm lays them out."""

    def __init__(self, in_size, out_size, c_ratio=0.5, h_ratio=0.5, **kwargs):
        if kwargs:
            if "train" in kwargs:
                raise ValueError("train argument is not supported anymore. Use "
                                 "chainer.using_config")
            check_kwargs(kwargs, "__init__")
        super().__init__()
        self.state_size = out_size
        self.c_ratio = c_ratio
        self.h_ratio = h_ratio
        self.reset_state()
        with self.init_scope():
            self.upward = Linear(in_size, 4 * out_size)
            self.lateral = Linear(out_size, 4 * out_size, nobias=True)

    def set_state(self, c, h) -> None:
        if not isinstance(c, Variable) or not isinstance(h, Variable):
            raise TypeError("set_state takes Variables c and h, not "
                            f"{type(c).__name__} and {type(h).__name__}")
        c.to_device(self.device)
        h.to_device(self.device)
        self.c = c
        self.h = h

    def reset_state(self) -> None:
        self.c = self.h = None

    def device_resident_accept(self, visitor):
        super().device_resident_accept(visitor)
        visit_states(self, visitor)

    def forward(self, x):
        lstm_in = self.upward(x)
        zeros = (len(x), self.state_size)
        if self.h is not None:
            lstm_in = lstm_in + self.lateral(self.h)
        else:
            self.h = Variable(self.xp.zeros(zeros, dtype=x.dtype))
        if self.c is None:
            self.c = Variable(self.xp.zeros(zeros, dtype=x.dtype))
        a, i, f, o = interleaved_gates(lstm_in, 4)
        c_tmp = tanh(a) * sigmoid(i) + sigmoid(f) * self.c
        c = zoneout(self.c, c_tmp, self.c_ratio)
        h = zoneout(self.h, sigmoid(o) * tanh(c_tmp), self.h_ratio)
        set_state(self, "c", c)
        set_state(self, "h", h)
        return h
