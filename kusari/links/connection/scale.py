"""L.Scale: F.scale with a learnable weight, optionally followed by a
learnable bias (Chainer's chainer.links.Scale)."""
from __future__ import annotations

from ...functions.math.scale import scale
from ...link import Chain
from ...variable import Parameter
from .bias import Bias, check_argc


class Scale(Chain):
    """y = F.scale(x, W, axis) (+ a Bias link's b when `bias_term`). W is a
    parameter of `W_shape` starting at 1; with W_shape None the link takes W
    as its second input, and a bias needs `bias_shape`."""

    def __init__(self, axis=1, W_shape=None, bias_term=False, bias_shape=None):
        super().__init__()
        self.axis = axis
        with self.init_scope():
            if W_shape is not None:
                self.W = Parameter(1, W_shape)
                if bias_term:
                    self.bias = Bias(axis, W_shape)
            elif bias_term:
                if bias_shape is None:
                    raise ValueError("bias_shape should be given if W is not learnt "
                                     "parameter and bias_term is True.")
                self.bias = Bias(axis, bias_shape)

    def forward(self, *xs):
        if hasattr(self, "W"):
            check_argc("Scale", xs, 1, "x; W is the link's parameter")
            z = scale(xs[0], self.W, self.axis)
        else:
            check_argc("Scale", xs, 2, "x and W: the link has no weight parameter")
            z = scale(xs[0], xs[1], self.axis)
        return self.bias(z) if hasattr(self, "bias") else z
