"""Minimal gated units (Chainer's StatelessMGU and StatefulMGU)."""
from __future__ import annotations

from ...configuration import config
from ...functions import concat, sigmoid, tanh
from ...link import Chain
from ...links.connection.linear import Linear
from ...variable import Variable
from .gru import interpolate
from ._state import set_state, visit_states


class MGUBase(Chain):
    """f = sigmoid(W_f [h, x]),  h_bar = tanh(W_h [f h, x]),
    h_new = f h_bar + (1 - f) h."""

    def __init__(self, n_inputs, n_units):
        super().__init__()
        with self.init_scope():
            self.W_f = Linear(n_inputs + n_units, n_units)
            self.W_h = Linear(n_inputs + n_units, n_units)

    def _call_mgu(self, h, x):
        f = sigmoid(self.W_f(concat([h, x])))
        h_bar = tanh(self.W_h(concat([f * h, x])))
        return interpolate(f, h_bar, h)


class StatelessMGU(MGUBase):
    """forward(h, x) -> h_new."""
    forward = MGUBase._call_mgu


class StatefulMGU(MGUBase):
    """forward(x) updates and returns h (zeros of config.dtype at first)."""

    def __init__(self, in_size, out_size):
        super().__init__(in_size, out_size)
        self._state_size = out_size
        self.reset_state()

    def set_state(self, h) -> None:
        if not isinstance(h, Variable):
            raise TypeError(f"set_state takes a Variable, not {type(h).__name__}")
        h.to_device(self.device)
        self.h = h

    def reset_state(self) -> None:
        self.h = None

    def device_resident_accept(self, visitor):
        super().device_resident_accept(visitor)
        visit_states(self, visitor)

    def forward(self, x):
        h = self.h
        if h is None:
            h = Variable(self.xp.zeros((x.shape[0], self._state_size), dtype=config.dtype))
        h = self._call_mgu(h, x)
        set_state(self, "h", h)
        return h
