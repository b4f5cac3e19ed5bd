"""L.Bias: F.bias with a learnable bias (Chainer's chainer.links.Bias)."""
from __future__ import annotations

from ...configuration import is_debug
from ...functions.math.bias import bias
from ...link import Link
from ...variable import Parameter


def check_argc(label: str, xs, n: int, what: str) -> None:
    """`xs` must be n inputs: AssertionError in debug mode (Chainer's), a
    ValueError naming the link otherwise."""
    if len(xs) != n:
        message = (f"{label} takes {n} input{'s' if n > 1 else ''} ({what}), "
                   f"got {len(xs)}")
        if is_debug():
            raise AssertionError(message)
        raise ValueError(message)


class Bias(Link):
    """y = F.bias(x, b, axis) with b a parameter of `shape` (starting at 0);
    with shape None the link has no parameter and takes b as its second
    input."""

    def __init__(self, axis=1, shape=None):
        super().__init__()
        if shape is not None:
            with self.init_scope():
                self.b = Parameter(0, shape)
        self.axis = axis

    def forward(self, *xs):
        if hasattr(self, "b"):
            check_argc("Bias", xs, 1, "x; b is the link's parameter")
            return bias(xs[0], self.b, self.axis)
        check_argc("Bias", xs, 2, "x and b: the link has no parameter")
        return bias(xs[0], xs[1], self.axis)
