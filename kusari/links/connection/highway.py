"""L.Highway: a highway layer (gated mix of a transform and the input)."""
from __future__ import annotations

from ...functions import relu, sigmoid
from ...link import Chain
from ...links.connection.linear import Linear


class Highway(Chain):
    """y = activate(plain(x)) * t + x * (1 - t), t = sigmoid(transform(x));
    the transform gate's bias starts at -1 (mostly carry x through)."""

    def __init__(self, in_out_size, nobias=False, activate=relu, init_Wh=None,
                 init_Wt=None, init_bh=None, init_bt=-1):
        super().__init__()
        self.activate = activate
        with self.init_scope():
            self.plain = Linear(in_out_size, in_out_size, nobias=nobias, initialW=init_Wh,
                                initial_bias=init_bh)
            self.transform = Linear(in_out_size, in_out_size, nobias=nobias,
                                    initialW=init_Wt, initial_bias=init_bt)

    def forward(self, x):
        out_plain = self.activate(self.plain(x))
        out_transform = sigmoid(self.transform(x))
        return out_plain * out_transform + x * (1 - out_transform)
