"""Walker's alias method: O(1) sampling from a discrete distribution."""
from __future__ import annotations

import numpy

from ..device_resident import DeviceResident


class WalkerAlias(DeviceResident):
    """Draw indices i with probability probs[i] / sum(probs) in O(1) each.

    Each of the n slots holds a threshold and two values: a uniform draw
    u in [0, n) picks slot floor(u) and returns its first value if the
    fraction u - floor(u) is below the threshold, else its second.
    """

    def __init__(self, probs):
        super().__init__()
        n = len(probs)
        prob = numpy.array(probs, numpy.float32)
        prob /= numpy.sum(prob)
        threshold = numpy.ndarray(n, numpy.float32)
        values = numpy.ndarray(n * 2, numpy.int32)
        filled, paired = 0, 0
        # from the smallest probability up: each small slot is topped up by
        # the larger entries that follow
        for p, i in sorted(zip(prob, range(n))):
            p = p * n
            while p > 1 and paired < filled:
                values[paired * 2 + 1] = i
                p -= 1.0 - threshold[paired]
                paired += 1
            threshold[filled] = p
            values[filled * 2] = i
            filled += 1
        values[paired * 2 + 1::2] = 0
        assert (values < n).all()
        self.threshold = threshold
        self.values = values

    @property
    def use_gpu(self) -> bool:
        from ..backends import cuda
        xp = self.device.xp
        if xp is numpy:
            return False
        if xp is cuda.cupy:
            return True
        raise RuntimeError("WalkerAlias.use_gpu attribute is only applicable for "
                           "numpy or cupy devices. Use WalkerAlias.device "
                           "attribute for general devices.")

    def device_resident_accept(self, visitor):
        super().device_resident_accept(visitor)
        self.threshold = visitor.visit_array(self.threshold)
        self.values = visitor.visit_array(self.values)

    def sample(self, shape):
        """An int32 array of `shape` of sampled indices, on this device."""
        return self.sample_xp(self.device.xp, shape)

    def sample_xp(self, xp, shape):
        dtype = self.threshold.dtype
        u = xp.random.uniform(0, len(self.threshold), shape)
        index = u.astype(numpy.int32)
        second = self.threshold[index] < (u.astype(dtype) - index.astype(dtype))
        return self.values[index * 2 + second.astype(numpy.int32)]

    def sample_gpu(self, shape):
        return self.sample_xp(self.device.xp, shape)
