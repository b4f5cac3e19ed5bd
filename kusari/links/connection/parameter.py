"""L.Parameter: a link that holds one parameter W and returns it
(Chainer's chainer.links.Parameter, deprecated there since v1.5)."""
from __future__ import annotations

from ...functions.math.identity import identity
from ...link import Link


class Parameter(Link):
    """Holds `array` as its parameter W (same shape and dtype, the array
    itself); calling it returns W through the graph (a new Variable whose
    gradient flows to W). `volatile` is Chainer v1's flag, accepted and
    ignored as in Chainer 7."""

    def __init__(self, array):
        super().__init__()
        shape, dtype = getattr(array, "shape", None), getattr(array, "dtype", None)
        if shape is None or dtype is None:
            raise TypeError("Parameter: array must be an ndarray, not "
                            f"{type(array).__name__}")
        self.add_param("W", shape, dtype=dtype)
        self.W.array = array
        if type(array).__module__.split(".")[0] == "cupy":
            from ...backend import get_device_from_array
            self.to_device(get_device_from_array(array))

    def forward(self, volatile="off"):
        return identity(self.W)
