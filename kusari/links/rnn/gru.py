"""GRU links: StatelessGRU, StatefulGRU and GRU (stateful), Chainer's
parameters W_r, U_r, W_z, U_z, W, U."""
from __future__ import annotations

from ...functions import sigmoid, tanh
from ...link import Chain
from ...links.connection.linear import Linear
from ...variable import Variable
from ._state import set_state, visit_states


def interpolate(p, x, y):
    """p x + (1 - p) y (Chainer's linear_interpolate, as it computes it)."""
    return p * x + (1 - p) * y


class GRUBase(Chain):

    def __init__(self, in_size, out_size, init=None, inner_init=None, bias_init=None):
        super().__init__()
        with self.init_scope():
            self.W_r = Linear(in_size, out_size, initialW=init, initial_bias=bias_init)
            self.U_r = Linear(out_size, out_size, initialW=inner_init,
                              initial_bias=bias_init)
            self.W_z = Linear(in_size, out_size, initialW=init, initial_bias=bias_init)
            self.U_z = Linear(out_size, out_size, initialW=inner_init,
                              initial_bias=bias_init)
            self.W = Linear(in_size, out_size, initialW=init, initial_bias=bias_init)
            self.U = Linear(out_size, out_size, initialW=inner_init, initial_bias=bias_init)


class StatelessGRU(GRUBase):
    """forward(h, x) -> h_new:

        r = sigmoid(W_r x + U_r h),  z = sigmoid(W_z x + U_z h)
        h_bar = tanh(W x + U (r h)),  h_new = z h_bar + (1 - z) h
    """

    def forward(self, h, x):
        r = sigmoid(self.W_r(x) + self.U_r(h))
        z = sigmoid(self.W_z(x) + self.U_z(h))
        h_bar = tanh(self.W(x) + self.U(r * h))
        return interpolate(z, h_bar, h)


class StatefulGRU(GRUBase):
    """forward(x) updates and returns h (the first step, without h, is
    z h_bar)."""

    def __init__(self, in_size, out_size, init=None, inner_init=None, bias_init=0):
        super().__init__(in_size, out_size, init, inner_init, bias_init)
        self.state_size = out_size
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
        z = self.W_z(x)
        h_bar = self.W(x)
        if self.h is not None:
            r = sigmoid(self.W_r(x) + self.U_r(self.h))
            z = z + self.U_z(self.h)
            h_bar = h_bar + self.U(r * self.h)
        z = sigmoid(z)
        h_bar = tanh(h_bar)
        h = interpolate(z, h_bar, self.h) if self.h is not None else z * h_bar
        set_state(self, "h", h)
        return h


class GRU(StatefulGRU):
    """The stateful GRU: forward takes the input only."""

    def forward(self, *args):
        n = len(args)
        msg = ("Invalid argument. The length of GRU.forward must be 1. "
               f"But {n} is given. ")
        if n == 0 or n >= 3:
            raise ValueError(msg)
        if n == 2:
            raise ValueError(msg + "In Chainer v2, chainer.links.GRU is changed from "
                             "stateless to stateful. One possibility is you assume GRU "
                             "to be stateless. Use chainer.links.StatelessGRU instead.")
        return super().forward(args[0])
