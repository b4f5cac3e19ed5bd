"""The Orthogonal initializer (Saxe et al.): a scaled (semi-)orthogonal matrix."""
from __future__ import annotations

import numpy

from ..utils import size_of_shape
from ._device import copy_into
from ._random import RandomInitializer

# mode -> (must embed: in_dim <= out_dim, must project: in_dim >= out_dim)
_CONSTRAINTS = {
    "auto": (False, False),
    "projection": (False, True),
    "embedding": (True, False),
    "basis": (True, True),
}


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times `scale`, the array's first axis as
    the output dimension and the rest flattened as the input one. `mode`
    ('auto', 'projection', 'embedding', 'basis') says which shapes to accept.
    Draws from NumPy's generator (or `rng`) as Chainer does: a normal matrix,
    its QR decomposition, the signs of R's diagonal."""

    def __init__(self, scale=1.1, dtype=None, mode="auto", *, rng=None):
        self.mode = mode
        try:
            self._checks = _CONSTRAINTS[mode]
        except KeyError:
            raise ValueError(f"Invalid mode: {mode!r}. Choose from "
                             f"{', '.join(repr(m) for m in _CONSTRAINTS)}.") from None
        super().__init__(scale, dtype, rng)

    def __call__(self, array):
        self._check_dtype(array)
        random = numpy.random if self.rng is None else self.rng
        if not array.shape:         # a scalar: +scale or -scale
            a = int(random.randint(2))
            array[...] = self.scale * (2 * a - 1)
            return
        if not array.size:
            raise ValueError("Array to be initialized must be non-empty.")
        out_dim = len(array)
        in_dim = size_of_shape(array.shape[1:])
        embed, project = self._checks
        if (in_dim > out_dim and embed) or (in_dim < out_dim and project):
            raise ValueError(
                f"Cannot make orthogonal {self.mode}. shape = {array.shape}, "
                f"interpreted as {in_dim}-dim input and {out_dim}-dim output.")
        transpose = in_dim > out_dim
        a = numpy.asarray(random.normal(size=(out_dim, in_dim)))
        if transpose:
            a = a.T
        q, r = numpy.linalg.qr(a)
        q *= numpy.copysign(self.scale, numpy.diag(r))
        if transpose:
            q = q.T
        copy_into(array, q.reshape(array.shape).astype(array.dtype, copy=False))
