"""`generate_matrix`: random matrices with given singular values."""
from __future__ import annotations

import numpy


def generate_matrix(shape, dtype=float, **kwargs):
    """generate_matrix(shape, dtype=float, *, singular_values)

    A random array of `shape` (B..., M, N) whose matrices have the given
    singular values (broadcast to (B..., min(M, N)))."""
    from ..utils import argument
    singular_values, = argument.parse_kwargs(kwargs, ("singular_values", None))
    if len(shape) <= 1:
        raise ValueError(f"shape {shape} is invalid for matrices: too few axes")
    dtype = numpy.dtype(dtype)
    if dtype.kind not in "fc":
        raise TypeError(f"dtype {dtype} is not supported")
    if singular_values is None:
        raise TypeError("singular_values is not given")
    singular_values = numpy.asarray(singular_values)
    if not numpy.isrealobj(singular_values):
        raise TypeError("singular_values is not real")
    if (singular_values < 0).any():
        raise ValueError("negative singular value is given")
    if 0 in shape:
        numpy.broadcast_to(singular_values, shape[:-2] + (min(shape[-2:]),))
        return numpy.empty(shape, dtype=dtype)
    a = numpy.random.randn(*shape)
    if dtype.kind == "c":
        a = a + 1j * numpy.random.randn(*shape)
    # orthonormal factors of a random matrix, recombined with the wanted values
    u, s, vh = numpy.linalg.svd(a, full_matrices=False)
    sv = numpy.broadcast_to(singular_values, s.shape)
    return numpy.einsum("...ik,...k,...kj->...ij", u, sv, vh).astype(dtype)


def _broadcast_to(array, shape):
    return numpy.broadcast_to(array, shape)
