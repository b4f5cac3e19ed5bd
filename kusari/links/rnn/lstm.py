"""LSTM links: LSTM (stateful: keeps c and h between calls) and
StatelessLSTM (the caller passes the states), Chainer's parameters."""
from __future__ import annotations

from ... import initializers
from ...functions import concat, split_axis
from ...functions.rnn.lstm import lstm
from ...link import Chain
from ...links.connection.linear import Linear
from ...utils import size_of_shape
from ...variable import Variable
from ._state import set_state, visit_states


class LSTMBase(Chain):
    """upward: Linear(in_size, 4 out_size); lateral: Linear(out_size,
    4 out_size) without bias. Gates are laid out as F.lstm reads them; the
    forget gate's bias starts at `forget_bias_init` (1), the others' at
    `bias_init` (0). in_size None: taken from the first input."""

    def __init__(self, in_size, out_size=None, lateral_init=None, upward_init=None,
                 bias_init=None, forget_bias_init=None):
        if out_size is None:
            out_size, in_size = in_size, None
        super().__init__()
        self.state_size = out_size
        self.lateral_init = lateral_init
        self.upward_init = upward_init
        self.bias_init = 0 if bias_init is None else bias_init
        self.forget_bias_init = 1 if forget_bias_init is None else forget_bias_init
        with self.init_scope():
            self.upward = Linear(in_size, 4 * out_size, initialW=0)
            self.lateral = Linear(out_size, 4 * out_size, initialW=0, nobias=True)
            if in_size is not None:
                self._initialize_params()

    def _initialize_params(self) -> None:
        """Fill the weights gate block by gate block and the biases gate by
        gate, in Chainer's order (so seeded draws equal Chainer's)."""
        lateral_init = initializers._get_initializer(self.lateral_init)
        upward_init = initializers._get_initializer(self.upward_init)
        bias_init = initializers._get_initializer(self.bias_init)
        forget_init = initializers._get_initializer(self.forget_bias_init)
        n = self.state_size
        for i in range(0, 4 * n, n):
            lateral_init(self.lateral.W.array[i:i + n, :])
            upward_init(self.upward.W.array[i:i + n, :])
        gates = self.upward.b.array.reshape(n, 4)
        for k, init in enumerate((bias_init, bias_init, forget_init, bias_init)):
            init(gates[:, k])

    def _lazy_init(self, x) -> None:
        if self.upward.W.array is None:
            self.upward._initialize_params(size_of_shape(x.shape[1:]))
            self._initialize_params()


class StatelessLSTM(LSTMBase):
    """forward(c, h, x) -> (c_new, h_new); c and h may be None (zeros)."""

    def forward(self, c, h, x):
        self._lazy_init(x)
        lstm_in = self.upward(x)
        if h is not None:
            lstm_in = lstm_in + self.lateral(h)
        if c is None:
            c = Variable(self.xp.zeros((x.shape[0], self.state_size), dtype=x.dtype))
        return lstm(c, lstm_in)


class LSTM(LSTMBase):
    """A stateful LSTM: forward(x) updates and returns h, keeping c and h.

    A batch smaller than the state's updates its first rows and leaves the
    rest (sequences sorted by decreasing length); an empty batch changes
    nothing."""

    def __init__(self, in_size, out_size=None, lateral_init=None, upward_init=None,
                 bias_init=None, forget_bias_init=None):
        if out_size is None:
            in_size, out_size = None, in_size
        super().__init__(in_size, out_size, lateral_init, upward_init, bias_init,
                         forget_bias_init)
        self.reset_state()

    def set_state(self, c, h) -> None:
        """Use Variables c and h as the state."""
        if not isinstance(c, Variable) or not isinstance(h, Variable):
            raise TypeError("LSTM.set_state takes Variables c and h, not "
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
        self._lazy_init(x)
        batch = x.shape[0]
        lstm_in = self.upward(x)
        h_rest = None
        if self.h is not None:
            h_size = self.h.shape[0]
            if batch == 0:
                h_rest = self.h
            elif h_size < batch:
                raise TypeError("The batch size of x must be equal to or less than the "
                                "size of the previous state h.")
            elif h_size > batch:
                h_update, h_rest = split_axis(self.h, [batch], axis=0)
                lstm_in = lstm_in + self.lateral(h_update)
            else:
                lstm_in = lstm_in + self.lateral(self.h)
        if self.c is None:
            self.c = Variable(self.xp.zeros((batch, self.state_size), dtype=x.dtype))
        c, y = lstm(self.c, lstm_in)
        set_state(self, "c", c)
        if h_rest is None:
            set_state(self, "h", y)
        elif y.shape[0] == 0:
            set_state(self, "h", h_rest)
        else:
            set_state(self, "h", concat([y, h_rest], axis=0))
        return y

