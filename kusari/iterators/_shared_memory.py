"""Examples through shared memory: a worker process copies the arrays of an
example into its region of a shared buffer and sends back only where they
are; the main process copies them out. Arrays are found at the top level of
an example or as the items of a tuple, list or dict (as in Chainer)."""
from __future__ import annotations

import numpy

_ALIGN = 16


def _arrays(example):
    """The arrays in `example` that travel through shared memory."""
    if isinstance(example, numpy.ndarray):
        values = (example,)
    elif type(example) in (tuple, list):
        values = example
    elif type(example) is dict:
        values = example.values()
    else:
        return ()
    return [v for v in values if isinstance(v, numpy.ndarray) and not v.dtype.hasobject]


def measure(example) -> int:
    """Bytes of shared memory `example` needs (its arrays, aligned)."""
    return sum(-(-a.nbytes // _ALIGN) * _ALIGN for a in _arrays(example))


class Shared:
    """Where an array was put: offset, shape and dtype."""

    __slots__ = ("offset", "shape", "dtype")

    def __init__(self, offset, shape, dtype):
        self.offset = offset
        self.shape = shape
        self.dtype = dtype

    def __getstate__(self):
        return (self.offset, self.shape, self.dtype)

    def __setstate__(self, state):
        self.offset, self.shape, self.dtype = state

    def take(self, mem):
        """A copy of the array (the region is reused for later batches)."""
        size = int(numpy.prod(self.shape, dtype=numpy.int64))
        return numpy.frombuffer(mem, self.dtype, size, self.offset).reshape(self.shape).copy()


def pack(example, mem, offset, limit):
    """(example with its arrays moved into mem[offset:limit], bytes that did
    not fit). An array that does not fit travels as it is."""
    overflow = 0

    def put(v):
        nonlocal offset, overflow
        if not isinstance(v, numpy.ndarray) or v.dtype.hasobject:
            return v
        if offset + v.nbytes > limit:
            overflow += v.nbytes
            return v
        target = numpy.frombuffer(mem, v.dtype, v.size, offset)
        target.reshape(v.shape)[...] = v
        placed = Shared(offset, v.shape, v.dtype)
        offset += -(-v.nbytes // _ALIGN) * _ALIGN
        return placed

    if isinstance(example, numpy.ndarray):
        return put(example), overflow
    if type(example) in (tuple, list):
        return type(example)(put(v) for v in example), overflow
    if type(example) is dict:
        return {k: put(v) for k, v in example.items()}, overflow
    return example, overflow


def unpack(example, mem):
    """The example with its arrays copied out of shared memory."""
    if isinstance(example, Shared):
        return example.take(mem)
    if type(example) in (tuple, list):
        return type(example)(v.take(mem) if isinstance(v, Shared) else v for v in example)
    if type(example) is dict:
        return {k: v.take(mem) if isinstance(v, Shared) else v for k, v in example.items()}
    return example
