"""reshape: the same elements in a new shape."""
from __future__ import annotations

import numpy as np

from .._core import Variable, call, var
from ._util import expect


def reshape(x, shape) -> Variable:
    """`x` with a new shape; one dimension may be -1 (inferred). A shape equal
    to x's gives x itself (as a Variable), as in Chainer."""
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    if x.shape == shape:
        return var(x)
    x = var(x)
    shape = tuple(int(d) for d in shape)
    unknown = [d for d in shape if d < 0]
    if len(unknown) > 1 or (unknown and unknown[0] != -1):
        raise ValueError(f"reshape: at most one dimension of shape may be -1 (got {shape})")
    if unknown:
        known = int(np.prod([d for d in shape if d >= 0], dtype=np.int64))
        expect("Reshape", known != 0 and x.size % known == 0,
               f"prod(x.shape) % known_size(={known}) == 0",
               f"{x.size} % {known} != 0")
        if known == 0:
            raise ValueError(f"cannot reshape {x.shape} to {shape}")
        shape = tuple(x.size // known if d == -1 else d for d in shape)
    size = int(np.prod(shape, dtype=np.int64))
    expect("Reshape", size == x.size, "prod(x.shape) == prod(shape)", f"{x.size} != {size}")
    return call("reshape", x, shape=shape)
