"""broadcast and broadcast_to: NumPy broadcasting; gradients sum back."""
from __future__ import annotations

from ...compiler.errors import InvalidType, invalid_in
from ...compiler.ops.registry import broadcast_shapes
from .._core import Variable, call, var
from ._util import shape_arg


def broadcast_to(x, shape) -> Variable:
    """`x` broadcast to `shape` (x itself when it has that shape, as in Chainer)."""
    if x.shape == shape:
        return var(x)
    x = var(x)
    shape = shape_arg(shape)
    if x.ndim > len(shape):
        raise invalid_in("BroadcastTo", InvalidType("in_types[0].ndim <= len(shape)",
                                                    f"{x.ndim} > {len(shape)}"))
    for i in range(-1, -x.ndim - 1, -1):
        if x.shape[i] not in (1, shape[i]):
            expect = f"in_type[0].shape[{i}] == {shape[i]}"
            if shape[i] != 1:
                expect += f" or in_type[0].shape[{i}] == 1"
            raise invalid_in("BroadcastTo", InvalidType(expect, f"in_type[0].shape: {x.shape}"))
    return call("broadcast_to", x, shape=shape)


def broadcast(*args):
    """Broadcast the arguments to their common shape: a tuple of Variables
    (one argument: that argument as a Variable, as in Chainer)."""
    if not args:
        raise invalid_in("Broadcast", InvalidType("in_types.size() > 0", "0 <= 0"))
    if len(args) == 1:
        return var(args[0])
    xs = [var(a) for a in args]
    try:
        shape = broadcast_shapes([x.shape for x in xs], [f"in_types[{i}]" for i in range(len(xs))])
    except InvalidType as e:
        raise invalid_in("Broadcast", e) from None
    return tuple(call("broadcast_to", x, shape=shape) for x in xs)
