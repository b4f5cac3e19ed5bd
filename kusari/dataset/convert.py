"""Converters: a list of examples (what an iterator gives) becomes arrays
on a device (what a model takes). `concat_examples` stacks the examples
position by position (tuples), key by key (dicts) or as they are, padding
examples of different shapes when asked to."""
from __future__ import annotations

import collections

import numpy

from .. import backend


class Converter:
    """Base class of converters: `converter(batch, device)` gives the batch
    converted and sent to `device` (a `kusari.backend.Device`, or None to
    leave the arrays where they are). Subclasses define `__call__`."""

    def __call__(self, batch, device):
        raise NotImplementedError(f"{type(self).__name__} must define __call__")


def _get_device(device_spec):
    """A Device for a specifier (int, '@numpy', Device ...); None stays None."""
    if device_spec is None:
        return None
    return backend.get_device(device_spec)


class _ArbitraryCallableConverter(Converter):
    """A function `f(batch, device, ...)` as a Converter: the device argument
    (second positional, or `device=`) is turned into a Device first, so the
    function may be called with Chainer's older integer device ids."""

    def __init__(self, base_callable):
        if not callable(base_callable):
            raise TypeError(f"Can only wrap a callable. Actual: {type(base_callable)}")
        self.base_callable = base_callable

    def __call__(self, *args, **kwargs):
        if len(args) >= 2:
            args = (args[0], _get_device(args[1])) + tuple(args[2:])
        elif "device" in kwargs:
            kwargs["device"] = _get_device(kwargs["device"])
        return self.base_callable(*args, **kwargs)

    def __repr__(self):
        name = getattr(self.base_callable, "__qualname__", repr(self.base_callable))
        return f"<converter {name}>"


def converter():
    """Decorator making a converter function a `Converter`:

        @kusari.dataset.converter()
        def my_converter(batch, device):
            ...   # device is a kusari.backend.Device or None

    Called with an integer device (Chainer's old style: -1 for the CPU, N
    for GPU N) the function still receives a Device.
    """
    def wrap(func):
        return _ArbitraryCallableConverter(func)
    return wrap


def _call_converter(converter, batch, device):
    """Call a converter as updaters and evaluators do: a `Converter` gets the
    Device; a plain function (old style) gets -1 for the CPU or the GPU's id."""
    if device is not None and not isinstance(device, backend.Device):
        device = backend.get_device(device)
    if isinstance(converter, Converter):
        return converter(batch, device)
    if device is None:
        return converter(batch, None)
    if device.xp is numpy:
        return converter(batch, -1)
    gpu_id = getattr(getattr(device, "device", None), "id", None)
    if gpu_id is None:
        raise RuntimeError(
            f"converter {converter!r} is a plain function, which can only be "
            f"given the CPU (-1) or a GPU id; {device} is neither. Wrap it with "
            "kusari.dataset.converter() to receive Device objects")
    return converter(batch, gpu_id)


def to_device(device, x):
    """`x` sent to `device` (a Device, '@numpy', '@cupy:N', an int: negative
    for the CPU, N >= 0 for GPU N); with `device=None` `x` is returned as it
    is."""
    device = _get_device(device)
    if device is None:
        return x
    return device.send(x)


def concat_examples_func(batch, device=None, padding=None):
    """`concat_examples` as a plain function (`device` must be a Device or
    None); see `concat_examples`."""
    if not batch:
        raise ValueError("batch is empty")
    first = batch[0]
    if isinstance(first, tuple):
        pads = padding if isinstance(padding, tuple) else [padding] * len(first)
        if len(pads) < len(first):
            raise ValueError(
                f"concat_examples: padding has {len(pads)} values for examples "
                f"of {len(first)} elements")
        return tuple(
            to_device(device, _concat_arrays([example[i] for example in batch], pads[i]))
            for i in range(len(first)))
    if isinstance(first, dict):
        pads = padding if isinstance(padding, dict) else {k: padding for k in first}
        return {key: to_device(device, _concat_arrays([example[key] for example in batch],
                                                      pads[key]))
                for key in first}
    return to_device(device, _concat_arrays(batch, padding))


concat_examples = _ArbitraryCallableConverter(concat_examples_func)
concat_examples.__doc__ = """Concatenate a list of examples into arrays.

    `concat_examples(batch, device=None, padding=None)`: examples that are
    tuples give a tuple of arrays (element i of every example stacked along a
    new first axis), dicts give a dict of arrays, anything else (arrays,
    numbers) one array. Python numbers and lists become NumPy arrays first.

    With `padding=None` the arrays at one position must have one shape;
    otherwise the result has the smallest shape holding all of them and is
    filled with `padding` around them (a tuple or dict of padding values gives
    one per position or key). `device` says where the arrays go (see
    `to_device`).
    """


def _concat_arrays(arrays, padding):
    if not isinstance(arrays[0], backend.get_array_types()):
        try:
            arrays = numpy.asarray(arrays)
        except ValueError as e:
            raise ValueError(
                "concat_examples: the examples at one position have different "
                "shapes; pass padding= to pad them to a common shape") from e
    if padding is not None:
        return _concat_arrays_with_padding(arrays, padding)
    device = backend.get_device_from_array(arrays[0])
    with backend.using_device(device):
        try:
            return device.xp.stack(arrays)
        except ValueError as e:
            shapes = sorted({tuple(a.shape) for a in arrays}, key=str)
            raise ValueError(
                f"concat_examples: the examples' arrays have different shapes "
                f"{shapes[:5]}; pass padding= to pad them to a common shape") from e


def _concat_arrays_with_padding(arrays, padding):
    ndims = {a.ndim for a in arrays}
    if len(ndims) != 1:
        raise ValueError(
            "concat_examples: padding needs arrays of one number of dimensions; "
            f"got {sorted(ndims)}")
    shape = numpy.max(numpy.array([a.shape for a in arrays], dtype=numpy.int64)
                      .reshape(len(arrays), -1), axis=0)
    device = backend.get_device_from_array(arrays[0])
    with backend.using_device(device):
        result = device.xp.full((len(arrays),) + tuple(int(s) for s in shape),
                                padding, dtype=arrays[0].dtype)
        for i, src in enumerate(arrays):
            result[(i,) + tuple(slice(n) for n in src.shape)] = src
    return result


class ConcatWithAsyncTransfer:
    """`concat_examples` for the GPU with transfers overlapping compute in
    Chainer (pinned memory, a CUDA stream, double buffering).

    kusari's CuPy backend is not part of this release: the transfer is made
    synchronously with `to_device`, which gives the same arrays. On the CPU
    (device None or negative) it is `concat_examples`. `device` must be the
    same at every call (ValueError otherwise), as in Chainer.
    """

    def __init__(self, stream=None, compute_stream=None):
        self._stream = stream
        self.compute_stream = compute_stream
        self._device = None
        self._conveyor = collections.defaultdict(self._get_conveyor)

    def _get_conveyor(self):
        return Conveyor(self._device, self._stream)

    def __call__(self, batch, device=None, padding=None):
        if not batch:
            raise ValueError("batch is empty")
        if not self._conveyor:
            self._device = device        # fixed at the first call
        if device != self._device:
            raise ValueError("device is different")
        first = batch[0]
        if isinstance(first, tuple):
            pads = padding if isinstance(padding, tuple) else [padding] * len(first)
            for i in range(len(first)):
                self._conveyor[i].put(_concat_arrays([ex[i] for ex in batch], pads[i]))
            return tuple(self._conveyor[i].get() for i in range(len(first)))
        if isinstance(first, dict):
            pads = padding if isinstance(padding, dict) else {k: padding for k in first}
            for key in first:
                self._conveyor[key].put(_concat_arrays([ex[key] for ex in batch], pads[key]))
            return {key: self._conveyor[key].get() for key in first}
        return to_device(device, _concat_arrays(batch, padding))


class Conveyor:
    """Moves arrays to a device in the order they are `put`, handing them out
    by `get` (Chainer's double-buffered asynchronous conveyor; here the
    transfer is synchronous)."""

    def __init__(self, device=None, stream=None):
        self._device = device
        self._stream = stream
        self._ret_array = []

    def put(self, array):
        """Start sending `array` to the device."""
        self._ret_array.append(to_device(self._device, array))

    def get(self, sync=True):
        """The array sent by the oldest `put` not yet taken."""
        return self._ret_array.pop(0)
